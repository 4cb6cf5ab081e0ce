<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * The request got no HTTP answer (connection refused, DNS, timeout, TLS), after the retries. `status` is 0.
 */
class NetworkError extends ApiError
{
    public static function of(string $message, ?\Throwable $previous = null): self
    {
        return new self($message, 0, 'network_error', [], null, [], null, $previous);
    }
}
