<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * The rate-limit window an answer reports: `X-RateLimit-Limit`, `-Remaining`, and `-Reset` (epoch seconds, when the
 * window closest to exhaustion reopens). `$client->lastRateLimit` holds the latest one.
 */
final class RateLimit
{
    public function __construct(
        public readonly int $limit,
        public readonly int $remaining,
        public readonly int $reset,
    ) {
    }

    /** @param array<string, string> $headers lower-case names */
    public static function fromHeaders(array $headers): ?self
    {
        $values = [];
        foreach (['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] as $name) {
            $value = trim($headers[$name] ?? '');
            if (preg_match('/^\d+$/', $value) !== 1) {
                return null;
            }
            $values[] = (int) $value;
        }
        return new self(...$values);
    }

    /** Seconds until the window reopens (never negative). */
    public function secondsUntilReset(?int $now = null): int
    {
        return max(0, $this->reset - ($now ?? time()));
    }
}
