<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * Verifying webhook deliveries, on the RAW request body (before any JSON parsing), in constant time.
 *
 * Every delivery carries two signature schemes (docs/webhooks.md):
 *   - document 004's `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>`, keyed with the secret string
 *     exactly as stored (`whsec_...` included), plus `X-Webhook-Timestamp`;
 *   - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 *     `{id}.{timestamp}.{body}`, keyed with the base64-decoded part after `whsec_` (the raw string where it is not
 *     base64); one `v1,` entry per active secret during a rotation.
 *
 *     $payload = file_get_contents('php://input');
 *     $event = Webhook::constructEvent($payload, getallheaders(), $secret); // throws WebhookVerificationError
 *     if ($event->type === 'resource.created') { ... $event->data->object->id ... }
 *
 * The checks mirror platform_api/webhook_signing.py (verify_standard, verify_legacy).
 */
final class Webhook
{
    public const SECRET_PREFIX = 'whsec_';
    public const DEFAULT_TOLERANCE = 300;
    public const LEGACY_SIGNATURE_HEADER = 'X-Webhook-Signature';
    public const LEGACY_TIMESTAMP_HEADER = 'X-Webhook-Timestamp';
    public const STANDARD_ID_HEADER = 'webhook-id';
    public const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp';
    public const STANDARD_SIGNATURE_HEADER = 'webhook-signature';

    /**
     * Whether a delivery is authentic and fresh. With the Standard Webhooks headers present (every delivery of this
     * API has them), they decide: a timestamp within `$tolerance` seconds and a `v1` signature by one of the
     * secrets. Without them, document 004's `X-Webhook-Signature` must match, and `X-Webhook-Timestamp`, when sent,
     * must be within the tolerance.
     *
     * @param array<string, string|list<string>> $headers any case; PSR-7 style lists are accepted
     * @param string|list<string> $secret one secret, or several (old and new during a rotation)
     */
    public static function verify(
        string $payload,
        array $headers,
        string|array $secret,
        int $tolerance = self::DEFAULT_TOLERANCE,
        ?int $now = null,
    ): bool {
        if (self::header($headers, self::STANDARD_SIGNATURE_HEADER) !== null) {
            return self::verifyStandard($secret, $headers, $payload, $tolerance, $now);
        }
        $timestamp = self::header($headers, self::LEGACY_TIMESTAMP_HEADER);
        if ($timestamp !== null && !self::fresh($timestamp, $tolerance, $now)) {
            return false;
        }
        $signature = self::header($headers, self::LEGACY_SIGNATURE_HEADER);
        foreach (is_array($secret) ? $secret : [$secret] as $candidate) {
            if (self::verifyLegacy((string) $candidate, $signature, $payload)) {
                return true;
            }
        }
        return false;
    }

    /**
     * verify(), then the decoded event as an ApiObject (`$event->id`, `$event->type`, `$event->data->object`).
     *
     * @param array<string, string|list<string>> $headers
     * @param string|list<string> $secret
     * @throws WebhookVerificationError
     */
    public static function constructEvent(
        string $payload,
        array $headers,
        string|array $secret,
        int $tolerance = self::DEFAULT_TOLERANCE,
    ): ApiObject {
        if (!self::verify($payload, $headers, $secret, $tolerance)) {
            throw new WebhookVerificationError('the webhook signature or timestamp does not verify');
        }
        $event = json_decode($payload, true);
        if (!is_array($event)) {
            throw new WebhookVerificationError('the webhook body is not a JSON object');
        }
        return new ApiObject($event);
    }

    /**
     * Standard Webhooks: a fresh timestamp (both directions) and at least one matching `v1` signature.
     *
     * @param string|list<string> $secret
     * @param array<string, string|list<string>> $headers
     */
    public static function verifyStandard(
        string|array $secret,
        array $headers,
        string $payload,
        int $tolerance = self::DEFAULT_TOLERANCE,
        ?int $now = null,
    ): bool {
        $messageId = self::header($headers, self::STANDARD_ID_HEADER);
        $timestampText = self::header($headers, self::STANDARD_TIMESTAMP_HEADER);
        $signatureText = self::header($headers, self::STANDARD_SIGNATURE_HEADER);
        if ($messageId === null || $messageId === '' || $timestampText === null || $timestampText === ''
            || $signatureText === null || $signatureText === '') {
            return false;
        }
        if (!self::fresh($timestampText, $tolerance, $now)) {
            return false;
        }
        $secrets = is_array($secret) ? array_values($secret) : [$secret];
        if ($secrets === [] || in_array('', $secrets, true)) {
            return false;
        }
        $timestamp = (int) trim($timestampText);
        $expected = array_map(
            static fn (string $s): string => self::standardSignature($s, $messageId, $timestamp, $payload),
            $secrets,
        );
        foreach (preg_split('/\s+/', trim($signatureText)) ?: [] as $entry) {
            if (!str_starts_with($entry, 'v1,')) {
                continue;
            }
            foreach ($expected as $candidate) {
                if (hash_equals($candidate, $entry)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Document 004's header: `sha256=<hex>` over the raw body, keyed with the secret string as stored. */
    public static function verifyLegacy(string $secret, ?string $signatureHeader, string $payload): bool
    {
        if ($secret === '' || $signatureHeader === null || $signatureHeader === '') {
            return false;
        }
        return hash_equals(self::legacySignature($secret, $payload), trim($signatureHeader));
    }

    public static function legacySignature(string $secret, string $payload): string
    {
        return 'sha256=' . hash_hmac('sha256', $payload, $secret);
    }

    public static function standardSignature(string $secret, string $messageId, int $timestamp, string $payload): string
    {
        $digest = hash_hmac('sha256', "{$messageId}.{$timestamp}." . $payload, self::standardKey($secret), true);
        return 'v1,' . base64_encode($digest);
    }

    /**
     * The Standard Webhooks key of a secret: the base64-decoded part after an optional `whsec_`; the secret string's
     * own bytes when that part is not strict base64 (or decodes to nothing).
     */
    public static function standardKey(string $secret): string
    {
        $encoded = str_starts_with($secret, self::SECRET_PREFIX) ? substr($secret, strlen(self::SECRET_PREFIX)) : $secret;
        $key = '';
        if (strlen($encoded) % 4 === 0 && preg_match('#^[A-Za-z0-9+/]*={0,2}$#', $encoded) === 1) {
            $key = (string) base64_decode($encoded, true);
        }
        return $key !== '' ? $key : $secret;
    }

    private static function fresh(string $timestampText, int $tolerance, ?int $now): bool
    {
        $timestampText = trim($timestampText);
        if (preg_match('/^[+-]?\d+$/', $timestampText) !== 1) {
            return false;
        }
        return abs(($now ?? time()) - (int) $timestampText) <= $tolerance;
    }

    /**
     * Case-insensitive header lookup; a list value (PSR-7 getHeaders()) is joined as HTTP joins repeated headers.
     *
     * @param array<string, string|list<string>> $headers
     */
    private static function header(array $headers, string $name): ?string
    {
        $wanted = strtolower($name);
        foreach ($headers as $key => $value) {
            if (strtolower((string) $key) === $wanted) {
                return is_array($value) ? implode(' ', array_map('strval', $value)) : (string) $value;
            }
        }
        return null;
    }
}
