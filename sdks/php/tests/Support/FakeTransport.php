<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\Support;

use CorePhp\SDK\HttpResponse;
use CorePhp\SDK\HttpTransport;
use CorePhp\SDK\NetworkError;

/**
 * A transport that answers from a script and records every request (no sockets).
 */
final class FakeTransport implements HttpTransport
{
    /** @var list<array{method: string, url: string, headers: array<string, string>, body: ?string, timeout: float}> */
    public array $requests = [];

    /** @param list<HttpResponse|NetworkError> $script */
    public function __construct(private array $script = [])
    {
    }

    /** @param array<string, mixed>|null $json */
    public static function json(int $status, ?array $json, array $headers = []): HttpResponse
    {
        $lower = [];
        foreach ($headers as $name => $value) {
            $lower[strtolower($name)] = (string) $value;
        }
        return new HttpResponse($status, $lower + ['content-type' => 'application/json'], $json === null ? '' : (string) json_encode($json));
    }

    public function push(HttpResponse|NetworkError ...$answers): void
    {
        array_push($this->script, ...$answers);
    }

    public function send(string $method, string $url, array $headers, ?string $body, float $timeout): HttpResponse
    {
        $this->requests[] = compact('method', 'url', 'headers', 'body', 'timeout');
        if ($this->script === []) {
            throw new \LogicException("no scripted answer left for {$method} {$url}");
        }
        $next = array_shift($this->script);
        if ($next instanceof NetworkError) {
            throw $next;
        }
        return $next;
    }

    /** @return array<string, mixed> */
    public function lastBody(): array
    {
        $last = end($this->requests);
        return $last === false || $last['body'] === null ? [] : json_decode($last['body'], true);
    }

    /** @return array<string, string> the query of the n-th request */
    public function query(int $index = -1): array
    {
        $request = $this->requests[$index < 0 ? count($this->requests) + $index : $index];
        parse_str((string) parse_url($request['url'], PHP_URL_QUERY), $query);
        return $query;
    }
}
