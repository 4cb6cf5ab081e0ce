<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * One HTTP answer as a transport received it. Header names are lower case.
 */
final class HttpResponse
{
    /**
     * @param array<string, string> $headers lower-case name => value
     */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
    ) {
    }

    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /** @return array<string, mixed>|null the decoded JSON body (null when empty or not JSON) */
    public function json(): ?array
    {
        if ($this->body === '') {
            return null;
        }
        $decoded = json_decode($this->body, true);
        return is_array($decoded) ? $decoded : null;
    }

    /** The rate-limit window this answer reports (X-RateLimit-*), or null when it has none. */
    public function rateLimit(): ?RateLimit
    {
        return RateLimit::fromHeaders($this->headers);
    }
}
