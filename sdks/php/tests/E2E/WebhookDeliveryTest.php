<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\E2E;

use CorePhp\SDK\Webhook;
use CorePhp\SDK\WebhookVerificationError;
use PHPUnit\Framework\TestCase;

/**
 * Real deliveries of the API, captured by the receiver of tests/sdks/test_php_sdk.py after EndToEndTest subscribed
 * it: WEBHOOK_CAPTURE_FILE is {"secret", "resource_id", "deliveries": [{"headers", "body_b64"}]}, the headers as
 * sent and the body as the raw bytes that were signed.
 */
final class WebhookDeliveryTest extends TestCase
{
    /** @return array{secret: string, resource_id: string, deliveries: list<array{headers: array<string, string>, body: string}>} */
    private static function capture(): array
    {
        $file = getenv('WEBHOOK_CAPTURE_FILE');
        if (!$file || !is_file($file)) {
            self::fail('WEBHOOK_CAPTURE_FILE is not set or missing: run this suite through tests/sdks/test_php_sdk.py');
        }
        $capture = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
        $capture['deliveries'] = array_map(
            static fn (array $d): array => ['headers' => $d['headers'], 'body' => base64_decode($d['body_b64'], true)],
            $capture['deliveries'],
        );
        return $capture;
    }

    public function testEveryCapturedDeliveryVerifies(): void
    {
        $capture = self::capture();
        $types = [];
        foreach ($capture['deliveries'] as $delivery) {
            ['headers' => $headers, 'body' => $body] = $delivery;
            self::assertTrue(Webhook::verify($body, $headers, $capture['secret']), 'the delivery verifies');
            $event = Webhook::constructEvent($body, $headers, $capture['secret']);
            $types[$event->type] = $event;
            self::assertStringStartsWith('evt_', $event->id);

            // Each scheme on its own, as the API's own verify_standard / verify_legacy check them.
            self::assertTrue(Webhook::verifyStandard($capture['secret'], $headers, $body));
            self::assertTrue(Webhook::verifyLegacy($capture['secret'], $headers['X-Webhook-Signature'] ?? null, $body));
            $legacyOnly = array_intersect_key($headers, ['X-Webhook-Signature' => 1, 'X-Webhook-Timestamp' => 1]);
            self::assertTrue(Webhook::verify($body, $legacyOnly, $capture['secret']));

            // ... and what must fail: another secret, a changed byte, a replay after the tolerance.
            self::assertFalse(Webhook::verify($body, $headers, 'whsec_' . base64_encode(random_bytes(32))));
            self::assertFalse(Webhook::verify($body . ' ', $headers, $capture['secret']));
            self::assertFalse(Webhook::verify(str_replace('"type"', '"tipe"', $body), $legacyOnly, $capture['secret']));
            self::assertFalse(Webhook::verify($body, $headers, $capture['secret'], 300, time() + 301));
        }
        self::assertArrayHasKey('webhook.test', $types, 'the synchronous test send arrived');
        self::assertArrayHasKey('resource.created', $types, 'the event of a real write arrived');
        self::assertSame($capture['resource_id'], $types['resource.created']->data->object->id);
        self::assertSame('resource', $types['resource.created']->data->object->type);
    }

    public function testATamperedDeliveryIsRefused(): void
    {
        $capture = self::capture();
        $delivery = $capture['deliveries'][0];
        $this->expectException(WebhookVerificationError::class);
        Webhook::constructEvent($delivery['body'], $delivery['headers'], 'whsec_wrong-secret');
    }
}
