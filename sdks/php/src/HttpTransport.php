<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * How the client sends one HTTP request. The default is CurlTransport; pass another as the `transport` option
 * (a PSR-18 adapter, a recording fake in tests).
 */
interface HttpTransport
{
    /**
     * Send one request and return its answer, whatever its status.
     *
     * @param array<string, string> $headers
     * @throws NetworkError when no HTTP answer arrived (connection, DNS, TLS, timeout)
     */
    public function send(string $method, string $url, array $headers, ?string $body, float $timeout): HttpResponse;
}
