<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\Unit;

use CorePhp\SDK\Webhook;
use CorePhp\SDK\WebhookVerificationError;
use PHPUnit\Framework\TestCase;

/**
 * The expected signatures were computed by the API's own signer (platform_api/webhook_signing.py).
 */
final class WebhookTest extends TestCase
{
    private const BODY = '{"id":"evt_1","type":"resource.created","data":{"object":{"id":"res_1"}}}';
    private const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    private const OTHER = 'plain-secret';
    private const NOW = 1700000000;

    /** @return array<string, string> the headers the API sends with secrets [SECRET, OTHER] (a rotation) */
    private static function headers(): array
    {
        return [
            'X-Webhook-Signature' => 'sha256=b2ffc396382ed3e875acf411bfc53e392b57bcb9d17caf06aa4655805325f0b6',
            'X-Webhook-Timestamp' => '1700000000',
            'webhook-id' => 'evt_1',
            'webhook-timestamp' => '1700000000',
            'webhook-signature' => 'v1,XNzKsKC7w8MO3IINsDkZmlMZ0H3EJobMqigsgtTlYMU= v1,0EMTLThiU5OfOouN8uY2GpdwC46exbZ1yDSOZiHER9U=',
        ];
    }

    public function testSignaturesMatchTheApiSigner(): void
    {
        self::assertSame('sha256=b2ffc396382ed3e875acf411bfc53e392b57bcb9d17caf06aa4655805325f0b6', Webhook::legacySignature(self::SECRET, self::BODY));
        self::assertSame('sha256=8ad86f0220bb9a1b58d40f88dbb9da316d8b489a2d0ff9c43ea8501822ac00d3', Webhook::legacySignature('whsec_not base64!', self::BODY));
        self::assertSame('v1,XNzKsKC7w8MO3IINsDkZmlMZ0H3EJobMqigsgtTlYMU=', Webhook::standardSignature(self::SECRET, 'evt_1', self::NOW, self::BODY));
        self::assertSame('v1,LXhw74mJrj+lmCa9X+OBj53ery4xqTJ4ynvEMRcc1AA=', Webhook::standardSignature('whsec_not base64!', 'evt_1', self::NOW, self::BODY));
        self::assertSame('v1,0EMTLThiU5OfOouN8uY2GpdwC46exbZ1yDSOZiHER9U=', Webhook::standardSignature(self::OTHER, 'evt_1', self::NOW, self::BODY));
    }

    public function testStandardKeyDerivationMirrorsTheApi(): void
    {
        self::assertSame('abc', Webhook::standardKey('whsec_YWJj'));
        self::assertSame('abc', Webhook::standardKey('YWJj'));
        self::assertSame('whsec_YQ', Webhook::standardKey('whsec_YQ'), 'bad padding: the raw string');
        self::assertSame('whsec_', Webhook::standardKey('whsec_'), 'nothing to decode: the raw string');
        self::assertSame('v1,Dmw2kykfXAQ+LSDmXp8K1aIGBlykiwBYPtZfDhk6gtA=', Webhook::standardSignature('whsec_YQ', 'evt_1', self::NOW, self::BODY));
        self::assertSame('v1,VVN2gq++YQJ2laRVaC4Vq+HDhX7jnZKdih46LCfBzU0=', Webhook::standardSignature('whsec_YWJj', 'evt_1', self::NOW, self::BODY));
    }

    public function testADeliveryVerifiesWithEitherSecretOfARotation(): void
    {
        self::assertTrue(Webhook::verify(self::BODY, self::headers(), self::SECRET, 300, self::NOW));
        self::assertTrue(Webhook::verify(self::BODY, self::headers(), self::OTHER, 300, self::NOW));
        self::assertTrue(Webhook::verify(self::BODY, self::headers(), ['whsec_YWJj', self::OTHER], 300, self::NOW));
        self::assertFalse(Webhook::verify(self::BODY, self::headers(), 'whsec_YWJj', 300, self::NOW));
    }

    public function testTamperingAndStaleTimestampsFail(): void
    {
        self::assertFalse(Webhook::verify(self::BODY . ' ', self::headers(), self::SECRET, 300, self::NOW));
        self::assertTrue(Webhook::verify(self::BODY, self::headers(), self::SECRET, 300, self::NOW + 300));
        self::assertFalse(Webhook::verify(self::BODY, self::headers(), self::SECRET, 300, self::NOW + 301), 'too old');
        self::assertFalse(Webhook::verify(self::BODY, self::headers(), self::SECRET, 300, self::NOW - 301), 'from the future');
        $headers = self::headers();
        $headers['webhook-timestamp'] = '1700000001'; // the timestamp is signed
        self::assertFalse(Webhook::verify(self::BODY, $headers, self::SECRET, 300, self::NOW));
        $headers = self::headers();
        $headers['webhook-id'] = 'evt_2'; // so is the id
        self::assertFalse(Webhook::verify(self::BODY, $headers, self::SECRET, 300, self::NOW));
        $headers = self::headers();
        $headers['webhook-signature'] = 'v2,XNzKsKC7w8MO3IINsDkZmlMZ0H3EJobMqigsgtTlYMU=';
        self::assertFalse(Webhook::verify(self::BODY, $headers, self::SECRET, 300, self::NOW), 'only v1 entries count');
        $headers['webhook-timestamp'] = 'soon';
        self::assertFalse(Webhook::verifyStandard(self::SECRET, $headers, self::BODY, 300, self::NOW));
        self::assertFalse(Webhook::verify(self::BODY, self::headers(), '', 300, self::NOW));
        self::assertFalse(Webhook::verify(self::BODY, [], self::SECRET, 300, self::NOW));
    }

    public function testHeadersInAnyCaseAndAsLists(): void
    {
        $headers = [];
        foreach (self::headers() as $name => $value) {
            $headers[strtoupper($name)] = [$value];
        }
        self::assertTrue(Webhook::verify(self::BODY, $headers, self::SECRET, 300, self::NOW));
    }

    public function testDocument004SchemeAlone(): void
    {
        $legacy = ['x-webhook-signature' => self::headers()['X-Webhook-Signature'], 'x-webhook-timestamp' => '1700000000'];
        self::assertTrue(Webhook::verify(self::BODY, $legacy, self::SECRET, 300, self::NOW));
        self::assertFalse(Webhook::verify(self::BODY, $legacy, self::SECRET, 300, self::NOW + 301), 'its timestamp is checked too');
        self::assertFalse(Webhook::verify(self::BODY, $legacy, self::OTHER, 300, self::NOW));
        self::assertTrue(Webhook::verifyLegacy(self::SECRET, self::headers()['X-Webhook-Signature'], self::BODY));
        self::assertFalse(Webhook::verifyLegacy(self::SECRET, 'sha256=' . str_repeat('0', 64), self::BODY));
        self::assertFalse(Webhook::verifyLegacy(self::SECRET, null, self::BODY));
        self::assertFalse(Webhook::verifyLegacy('', 'sha256=x', self::BODY));
    }

    public function testConstructEvent(): void
    {
        $headers = self::headers();
        $headers['webhook-timestamp'] = (string) time();
        $headers['webhook-signature'] = Webhook::standardSignature(self::SECRET, 'evt_1', (int) $headers['webhook-timestamp'], self::BODY);
        $event = Webhook::constructEvent(self::BODY, $headers, self::SECRET);
        self::assertSame('resource.created', $event->type);
        self::assertSame('res_1', $event->data->object->id);
        $this->expectException(WebhookVerificationError::class);
        Webhook::constructEvent(self::BODY, self::headers(), self::SECRET); // signed in 2023: stale
    }
}
