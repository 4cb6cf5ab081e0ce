<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * HTTP 429: a rate-limit window is full. Raised when the retries are used up, or at once when the API asks for a
 * longer wait (`retryAfter`) than the client's `max_retry_wait`.
 *
 * `retryAfter` is the number of seconds to wait (the `Retry-After` header, else `error.retry_after`); `reset` the
 * epoch second the window reopens (`X-RateLimit-Reset`), `limit` and `remaining` the window's other headers.
 */
class RateLimitError extends ApiError
{
    public readonly ?int $limit;
    public readonly ?int $remaining;
    public readonly ?int $reset;

    /**
     * @param array<string, mixed> $details
     * @param array<string, string> $headers
     * @param array<string, mixed>|null $body
     */
    public function __construct(
        string $message,
        int $status = 429,
        string $errorCode = 'rate_limit_exceeded',
        array $details = [],
        ?string $requestId = null,
        array $headers = [],
        ?array $body = null,
        ?\Throwable $previous = null,
        public readonly ?int $retryAfter = null,
    ) {
        parent::__construct($message, $status, $errorCode, $details, $requestId, $headers, $body, $previous);
        $this->limit = self::intHeader($headers, 'x-ratelimit-limit');
        $this->remaining = self::intHeader($headers, 'x-ratelimit-remaining');
        $this->reset = self::intHeader($headers, 'x-ratelimit-reset');
    }

    public function __get(string $name): mixed
    {
        return $name === 'retry_after' ? $this->retryAfter : parent::__get($name);
    }

    /**
     * Seconds to wait: `Retry-After` (delta-seconds or an HTTP date), else the body's `retry_after`.
     *
     * @param array<string, string> $headers lower-case names
     * @param array<string, mixed> $error the envelope's `error` object
     */
    public static function retryAfterOf(array $headers, array $error = [], ?int $now = null): ?int
    {
        $value = trim($headers['retry-after'] ?? '');
        if ($value !== '') {
            if (ctype_digit($value)) {
                return (int) $value;
            }
            $date = strtotime($value);
            if ($date !== false) {
                return max(0, $date - ($now ?? time()));
            }
        }
        return is_int($error['retry_after'] ?? null) ? $error['retry_after'] : null;
    }

    /** @param array<string, string> $headers */
    private static function intHeader(array $headers, string $name): ?int
    {
        $value = trim($headers[$name] ?? '');
        return preg_match('/^-?\d+$/', $value) === 1 ? (int) $value : null;
    }
}
