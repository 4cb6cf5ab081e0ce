<?php

declare(strict_types=1);

namespace CorePhp\SDK;

use CorePhp\SDK\Services\ClientServices;

/**
 * The client of the platform API.
 *
 *     $client = new Client('sk_live_abc123...', ['base_url' => 'https://your-domain.com/api']);
 *     $workspace = $client->workspaces->create(['name' => 'My Workspace', 'tier' => 'pro']);
 *     $namespaces = $client->namespaces->list(['workspace_id' => $workspace->id]);
 *
 * The key may be an API key (`sk_...`) or an access token from `auth->login`; without one, only the public routes
 * (`auth->register`, `auth->login`, `auth->refresh`, `health`, `docs`) can be called.
 *
 * Options (all optional):
 *   base_url        the API's root, with or without the trailing `/v1` (default: $CORE_PHP_BASE_URL, else
 *                   http://127.0.0.1:3000, the local stack of `make run`)
 *   timeout         seconds per attempt (default 30); connect_timeout (default 10)
 *   max_retries     retries after the first attempt (default 3) on network errors, 429 and 5xx
 *   max_retry_wait  the longest Retry-After honoured, in seconds (default 60); a longer one raises RateLimitError
 *   backoff_base, backoff_cap   exponential backoff with full jitter: random(0, min(cap, base * 2^attempt))
 *                   (defaults 0.5 and 8 seconds)
 *   workspace_id, namespace_id  the default tenant context, sent as X-Workspace-ID / X-Namespace-ID
 *   headers         extra headers for every request
 *   transport       an HttpTransport (default CurlTransport); sleep: a callable(float $seconds) (tests)
 *
 * Every call also takes per-request `$options`: idempotency_key, workspace_id, namespace_id, headers, timeout,
 * max_retries, max_retry_wait.
 */
final class Client
{
    use ClientServices;

    public const VERSION = '0.1.0';
    public const USER_AGENT = 'core-php-sdk-php/' . self::VERSION;
    public const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

    private const CLIENT_OPTIONS = [
        'base_url', 'timeout', 'connect_timeout', 'max_retries', 'max_retry_wait', 'backoff_base', 'backoff_cap',
        'workspace_id', 'namespace_id', 'headers', 'transport', 'sleep',
    ];
    private const REQUEST_OPTIONS = [
        'idempotency_key', 'workspace_id', 'namespace_id', 'headers', 'timeout', 'max_retries', 'max_retry_wait',
    ];

    public readonly string $baseUrl;
    private readonly float $timeout;
    private readonly int $maxRetries;
    private readonly float $maxRetryWait;
    private readonly float $backoffBase;
    private readonly float $backoffCap;
    private readonly ?string $workspaceId;
    private readonly ?string $namespaceId;
    /** @var array<string, string> */
    private readonly array $headers;
    private readonly HttpTransport $transport;
    /** @var \Closure(float): void */
    private readonly \Closure $sleep;
    private ?HttpResponse $lastResponse = null;
    private ?RateLimit $lastRateLimit = null;

    /**
     * @param array<string, mixed> $options see the class comment
     */
    public function __construct(private ?string $apiKey = null, array $options = [])
    {
        self::checkOptions($options, self::CLIENT_OPTIONS, 'client');
        $baseUrl = $options['base_url'] ?? (getenv('CORE_PHP_BASE_URL') ?: self::DEFAULT_BASE_URL);
        $this->baseUrl = self::normaliseBaseUrl((string) $baseUrl);
        $this->timeout = (float) ($options['timeout'] ?? 30.0);
        $this->maxRetries = max(0, (int) ($options['max_retries'] ?? 3));
        $this->maxRetryWait = (float) ($options['max_retry_wait'] ?? 60.0);
        $this->backoffBase = (float) ($options['backoff_base'] ?? 0.5);
        $this->backoffCap = (float) ($options['backoff_cap'] ?? 8.0);
        $this->workspaceId = isset($options['workspace_id']) ? (string) $options['workspace_id'] : null;
        $this->namespaceId = isset($options['namespace_id']) ? (string) $options['namespace_id'] : null;
        $this->headers = array_map('strval', $options['headers'] ?? []);
        $this->transport = $options['transport'] ?? new CurlTransport((float) ($options['connect_timeout'] ?? 10.0));
        $sleep = $options['sleep'] ?? static function (float $seconds): void {
            if ($seconds > 0) {
                usleep((int) round($seconds * 1_000_000));
            }
        };
        $this->sleep = \Closure::fromCallable($sleep);
        $this->initServices();
    }

    /** Use another API key or access token from now on (after `auth->login` or `auth->refresh`, say). */
    public function setApiKey(?string $apiKey): void
    {
        $this->apiKey = $apiKey;
    }

    /** The last HTTP answer received (status, lower-case headers, raw body), null before the first call. */
    public function lastResponse(): ?HttpResponse
    {
        return $this->lastResponse;
    }

    /** The rate-limit window reported by the last answer that had one (X-RateLimit-Limit/Remaining/Reset). */
    public function lastRateLimit(): ?RateLimit
    {
        return $this->lastRateLimit;
    }

    /**
     * Call one route. The generated service classes call this with their ROUTES entries; it is public for them,
     * and for calling a route the SDK does not know yet with a description of the same shape.
     *
     * @param array<string, mixed> $route a ROUTES entry of a generated class in Services/
     * @param list<string> $pathArgs the path parameters, in path order
     * @param array<string, mixed> $params body properties and query parameters
     * @param array<string, mixed> $options per-request options
     */
    public function send(array $route, array $pathArgs, array $params = [], array $options = []): mixed
    {
        self::checkOptions($options, self::REQUEST_OPTIONS, 'request');
        $path = self::path($route, $pathArgs);
        [$query, $body] = self::split($route, $params);
        $model = $route['model'] ?? null;
        $model = is_string($model) ? $model : ApiObject::class;
        if ($route['kind'] === 'list') {
            $fetch = fn (array $pageQuery): Page => new Page(
                $this->request($route, $path, $pageQuery, null, $options)->json() ?? [],
                $model,
            );
            return new Paginator($fetch, $query);
        }
        $response = $this->request($route, $path, $query, $body, $options);
        if ($route['kind'] === 'none') {
            return null;
        }
        $json = $response->json() ?? [];
        if (!empty($route['unwrap'])) {
            $json = $json['data'] ?? null;
        }
        if (!empty($route['many'])) {
            return array_values(array_map(
                static fn (mixed $item): mixed => is_array($item) ? new $model($item) : $item,
                is_array($json) ? $json : [],
            ));
        }
        return new $model(is_array($json) ? $json : []);
    }

    /**
     * @param array<string, mixed> $route
     * @param array<string, mixed> $query
     * @param array<string, mixed>|null $body
     * @param array<string, mixed> $options
     */
    private function request(array $route, string $path, array $query, ?array $body, array $options): HttpResponse
    {
        $method = (string) $route['http_method'];
        $url = $this->baseUrl . $path . self::queryString($query);
        $headers = [
            'Accept' => 'application/json',
            'User-Agent' => self::USER_AGENT,
        ];
        if (!empty($route['auth']) && $this->apiKey !== null && $this->apiKey !== '') {
            $headers['Authorization'] = 'Bearer ' . $this->apiKey;
        }
        $tenant = ['X-Workspace-ID' => 'workspace_id', 'X-Namespace-ID' => 'namespace_id'];
        foreach ($tenant as $header => $option) {
            $value = $options[$option] ?? (in_array($header, $route['headers'] ?? [], true)
                ? ($option === 'workspace_id' ? $this->workspaceId : $this->namespaceId)
                : null);
            if ($value !== null && $value !== '') {
                $headers[$header] = (string) $value;
            }
        }
        $payload = null;
        if ($body !== null) {
            $payload = json_encode(
                $body === [] ? new \stdClass() : $body,
                JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR,
            );
            $headers['Content-Type'] = 'application/json';
        }
        // One key for every attempt of this call: the API replays the first answer instead of acting twice.
        $idempotencyKey = null;
        if (!empty($route['mutating'])) {
            $idempotencyKey = $options['idempotency_key'] ?? (!empty($route['replayable']) ? self::uuid4() : null);
        }
        if ($idempotencyKey !== null) {
            $headers['Idempotency-Key'] = (string) $idempotencyKey;
        }
        $headers = array_merge($headers, $this->headers, array_map('strval', $options['headers'] ?? []));
        // A GET, or a write the API deduplicates, can be sent again after an ambiguous failure; a session route
        // (login, refresh, logout) cannot: a refresh token sent twice revokes the session.
        $repeatable = empty($route['mutating']) || $idempotencyKey !== null;
        $maxRetries = max(0, (int) ($options['max_retries'] ?? $this->maxRetries));
        $maxRetryWait = (float) ($options['max_retry_wait'] ?? $this->maxRetryWait);
        $timeout = (float) ($options['timeout'] ?? $this->timeout);

        for ($attempt = 0; ; $attempt++) {
            try {
                $response = $this->transport->send($method, $url, $headers, $payload, $timeout);
            } catch (NetworkError $error) {
                if ($attempt >= $maxRetries || !$repeatable) {
                    throw $error;
                }
                ($this->sleep)($this->backoff($attempt));
                continue;
            }
            $this->lastResponse = $response;
            $this->lastRateLimit = $response->rateLimit() ?? $this->lastRateLimit;
            if ($response->status < 400) {
                return $response;
            }
            $error = ApiError::fromResponse($response->status, $response->headers, $response->body);
            $status = $response->status;
            // A 429 was refused before any work, so it is always safe to send again; a 5xx only when repeatable.
            $retryable = $status === 429 || ($repeatable && ($status >= 500 && $status !== 501));
            if (!$retryable || $attempt >= $maxRetries) {
                throw $error;
            }
            $wait = $this->backoff($attempt);
            if ($status === 429 || $status === 503) {
                $retryAfter = RateLimitError::retryAfterOf(
                    $response->headers,
                    is_array($error->body['error'] ?? null) ? $error->body['error'] : [],
                );
                if ($retryAfter !== null) {
                    if ($retryAfter > $maxRetryWait) {
                        throw $error; // the caller would rather know now than wait that long
                    }
                    $wait = $retryAfter + $this->jitter(0.25);
                }
            }
            ($this->sleep)($wait);
        }
    }

    /** Full jitter: a random wait in [0, min(cap, base * 2^attempt)]. */
    public function backoff(int $attempt): float
    {
        return $this->jitter(min($this->backoffCap, $this->backoffBase * (2 ** $attempt)));
    }

    private function jitter(float $upTo): float
    {
        return $upTo <= 0 ? 0.0 : $upTo * (random_int(0, 1_000_000) / 1_000_000);
    }

    /**
     * @param array<string, mixed> $route
     * @param list<string> $pathArgs
     */
    private static function path(array $route, array $pathArgs): string
    {
        $names = $route['path_params'] ?? [];
        if (count($names) !== count($pathArgs)) {
            throw new \InvalidArgumentException(sprintf('%s needs %d path parameter(s)', $route['path'], count($names)));
        }
        $path = (string) $route['path'];
        foreach (array_values($names) as $index => $name) {
            $value = (string) $pathArgs[$index];
            if ($value === '') {
                throw new \InvalidArgumentException("{$name} must not be empty");
            }
            $path = str_replace('{' . $name . '}', rawurlencode($value), $path);
        }
        return $path;
    }

    /**
     * Body properties go to the JSON body, query parameters to the query string (`'filter' => ['status' => 'x']`
     * becomes `filter[status]=x`); a key the route does not declare goes to the body of a route that has one,
     * else to the query, where the API refuses what it does not know (a 400 rather than a silent no-op).
     *
     * @param array<string, mixed> $route
     * @param array<string, mixed> $params
     * @return array{0: array<string, mixed>, 1: array<string, mixed>|null}
     */
    private static function split(array $route, array $params): array
    {
        $bodyNames = $route['body'] ?? null;
        $query = [];
        $body = $bodyNames === null ? null : [];
        foreach ($params as $key => $value) {
            $key = (string) $key;
            if ($key === 'filter' && is_array($value) && !in_array('filter', $route['query'] ?? [], true)) {
                foreach ($value as $field => $filterValue) {
                    $query["filter[{$field}]"] = $filterValue;
                }
            } elseif ($bodyNames !== null && in_array($key, $bodyNames, true)) {
                $body[$key] = $value;
            } elseif (in_array($key, $route['query'] ?? [], true) || $bodyNames === null) {
                $query[$key] = $value;
            } else {
                $body[$key] = $value;
            }
        }
        return [$query, $body];
    }

    /** @param array<string, mixed> $query */
    private static function queryString(array $query): string
    {
        $pairs = [];
        foreach ($query as $key => $value) {
            if ($value === null) {
                continue;
            }
            if (is_bool($value)) {
                $value = $value ? 'true' : 'false';
            } elseif (is_array($value)) {
                $value = implode(',', array_map('strval', $value)); // fields, include, sort: comma-separated
            } elseif ($value instanceof \DateTimeInterface) {
                $value = $value->format(\DateTimeInterface::ATOM);
            }
            $pairs[] = rawurlencode((string) $key) . '=' . rawurlencode((string) $value);
        }
        return $pairs === [] ? '' : '?' . implode('&', $pairs);
    }

    private static function normaliseBaseUrl(string $url): string
    {
        $url = rtrim(trim($url), '/');
        if (str_ends_with($url, '/v1')) {
            $url = substr($url, 0, -3); // the routes carry /v1 themselves
        }
        if (!preg_match('#^https?://#i', $url)) {
            throw new \InvalidArgumentException("base_url must be an http(s) URL, got '{$url}'");
        }
        return $url;
    }

    /**
     * @param array<string, mixed> $options
     * @param list<string> $known
     */
    private static function checkOptions(array $options, array $known, string $kind): void
    {
        $unknown = array_diff(array_keys($options), $known);
        if ($unknown !== []) {
            throw new \InvalidArgumentException(sprintf(
                'unknown %s option(s) %s; known: %s',
                $kind,
                implode(', ', $unknown),
                implode(', ', $known),
            ));
        }
    }

    /** A random (version 4) UUID, the Idempotency-Key of a call. */
    public static function uuid4(): string
    {
        $bytes = random_bytes(16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
    }
}
