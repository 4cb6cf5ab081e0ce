<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * The default transport: ext-curl, one handle per client (connections are kept alive between calls).
 */
final class CurlTransport implements HttpTransport
{
    private ?\CurlHandle $handle = null;

    public function __construct(private readonly float $connectTimeout = 10.0)
    {
        if (!extension_loaded('curl')) {
            throw new \RuntimeException('core-php/sdk needs ext-curl (Debian: apt-get install php-curl)');
        }
    }

    public function send(string $method, string $url, array $headers, ?string $body, float $timeout): HttpResponse
    {
        $this->handle ??= curl_init();
        $handle = $this->handle;
        curl_reset($handle);
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = "{$name}: {$value}";
        }
        $responseHeaders = [];
        $options = [
            CURLOPT_URL => $url,
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT_MS => (int) ceil($timeout * 1000),
            CURLOPT_CONNECTTIMEOUT_MS => (int) ceil(min($this->connectTimeout, $timeout) * 1000),
            CURLOPT_HEADERFUNCTION => static function ($curl, string $line) use (&$responseHeaders): int {
                $parts = explode(':', $line, 2);
                if (count($parts) === 2) {
                    $responseHeaders[strtolower(trim($parts[0]))] = trim($parts[1]);
                } elseif (str_starts_with($line, 'HTTP/')) {
                    $responseHeaders = []; // a new status line (100 Continue, ...): keep the final answer's headers
                }
                return strlen($line);
            },
        ];
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = $body;
        } elseif ($method === 'HEAD') {
            $options[CURLOPT_NOBODY] = true;
        }
        curl_setopt_array($handle, $options);
        $content = curl_exec($handle);
        if ($content === false) {
            $error = curl_error($handle);
            $errno = curl_errno($handle);
            throw NetworkError::of("{$method} {$url}: {$error} (curl {$errno})");
        }
        return new HttpResponse((int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE), $responseHeaders, (string) $content);
    }
}
