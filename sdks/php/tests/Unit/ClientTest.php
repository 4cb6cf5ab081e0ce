<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\Unit;

use CorePhp\SDK\ApiError;
use CorePhp\SDK\ApiObject;
use CorePhp\SDK\AuthenticationError;
use CorePhp\SDK\Client;
use CorePhp\SDK\ConflictError;
use CorePhp\SDK\Models;
use CorePhp\SDK\NetworkError;
use CorePhp\SDK\NotFoundError;
use CorePhp\SDK\Paginator;
use CorePhp\SDK\PermissionDeniedError;
use CorePhp\SDK\RateLimitError;
use CorePhp\SDK\ServerError;
use CorePhp\SDK\Tests\Support\FakeTransport;
use CorePhp\SDK\ValidationError;
use PHPUnit\Framework\TestCase;

final class ClientTest extends TestCase
{
    private FakeTransport $transport;
    /** @var list<float> */
    private array $sleeps = [];

    /** @param array<string, mixed> $options */
    private function client(array $options = [], ?string $key = 'sk_test_abc'): Client
    {
        $this->transport = new FakeTransport();
        $this->sleeps = [];
        return new Client($key, $options + [
            'base_url' => 'https://api.example.com/api/v1/',
            'transport' => $this->transport,
            'sleep' => function (float $seconds): void {
                $this->sleeps[] = $seconds;
            },
        ]);
    }

    private static function workspace(string $id = 'wks_1'): array
    {
        return [
            'id' => $id, 'name' => 'Acme', 'slug' => 'acme', 'tier' => 'free', 'role' => 'owner',
            'settings' => ['timezone' => 'UTC', 'locale' => 'en_GB'], 'default_namespace_id' => 'ns_1',
        ];
    }

    public function testTheDocumentExampleSendsTheRightRequestAndReturnsATypedObject(): void
    {
        $client = $this->client();
        $this->transport->push(FakeTransport::json(201, ['data' => self::workspace()], [
            'X-RateLimit-Limit' => '60', 'X-RateLimit-Remaining' => '59', 'X-RateLimit-Reset' => '1700000060',
        ]));

        $workspace = $client->workspaces->create(['name' => 'My Workspace', 'tier' => 'pro']);

        $request = $this->transport->requests[0];
        self::assertSame('POST', $request['method']);
        self::assertSame('https://api.example.com/api/v1/workspaces', $request['url']);
        self::assertSame('Bearer sk_test_abc', $request['headers']['Authorization']);
        self::assertSame('application/json', $request['headers']['Content-Type']);
        self::assertSame('core-php-sdk-php/0.1.0', $request['headers']['User-Agent']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $request['headers']['Idempotency-Key']);
        self::assertSame(['name' => 'My Workspace', 'tier' => 'pro'], $this->transport->lastBody());

        self::assertInstanceOf(Models\WorkspaceOut::class, $workspace);
        self::assertSame('wks_1', $workspace->id);
        self::assertSame('wks_1', $workspace['id']);
        self::assertInstanceOf(Models\SettingsOut::class, $workspace->settings);
        self::assertSame('en_GB', $workspace->settings->locale);
        self::assertSame(self::workspace(), $workspace->toArray());
        self::assertNull($workspace->not_a_field);
        self::assertSame(60, $client->lastRateLimit()?->limit);
        self::assertSame(1700000060, $client->lastRateLimit()?->reset);
    }

    public function testGetsSendNoIdempotencyKeyAndNoBody(): void
    {
        $client = $this->client();
        $this->transport->push(FakeTransport::json(200, ['data' => self::workspace('wks_a/b')]));
        $client->workspaces->get('wks_a/b');
        $request = $this->transport->requests[0];
        self::assertSame('GET', $request['method']);
        self::assertSame('https://api.example.com/api/v1/workspaces/wks_a%2Fb', $request['url']);
        self::assertArrayNotHasKey('Idempotency-Key', $request['headers']);
        self::assertArrayNotHasKey('Content-Type', $request['headers']);
        self::assertNull($request['body']);
    }

    public function testQueryParametersBodyAndTenantHeadersAreSplitByTheRouteTable(): void
    {
        $client = $this->client(['namespace_id' => 'ns_default']);
        $this->transport->push(FakeTransport::json(201, ['data' => ['id' => 'res_1', 'name' => 'r']]));
        $client->resources->create(
            ['name' => 'r', 'tags' => ['a'], 'metadata' => ['k' => 'v']],
            ['workspace_id' => 'wks_9', 'idempotency_key' => 'key-1', 'headers' => ['X-Trace' => 't']],
        );
        $request = $this->transport->requests[0];
        self::assertSame('wks_9', $request['headers']['X-Workspace-ID']);
        self::assertSame('ns_default', $request['headers']['X-Namespace-ID']);
        self::assertSame('key-1', $request['headers']['Idempotency-Key']);
        self::assertSame('t', $request['headers']['X-Trace']);
        self::assertSame(['name' => 'r', 'tags' => ['a'], 'metadata' => ['k' => 'v']], $this->transport->lastBody());

        $this->transport->push(FakeTransport::json(200, ['data' => [], 'meta' => ['next_cursor' => null], 'links' => []]));
        $client->resources->list([
            'per_page' => 5, 'status' => 'active', 'fields' => ['id', 'name'], 'filter' => ['type' => 'standard'],
            'search' => 'a b', 'workspace_id' => 'wks_q', 'cursor' => null,
        ]);
        $url = $this->transport->requests[1]['url'];
        self::assertSame(
            'https://api.example.com/api/v1/resources?per_page=5&status=active&fields=id%2Cname&filter%5Btype%5D=standard&search=a%20b&workspace_id=wks_q',
            $url,
        );
        self::assertNull($this->transport->requests[1]['body']);
    }

    public function testBooleansInTheQueryAreWords(): void
    {
        $client = $this->client();
        $this->transport->push(FakeTransport::json(200, ['data' => [], 'meta' => [], 'links' => []]));
        $client->webhooks->list(['is_active' => false]);
        self::assertStringEndsWith('/webhooks?is_active=false', $this->transport->requests[0]['url']);
    }

    public function testPublicRoutesSendNoCredentialAndWorkWithoutOne(): void
    {
        $client = $this->client([], null);
        $this->transport->push(FakeTransport::json(200, [
            'access_token' => 'jwt', 'refresh_token' => 'r', 'token_type' => 'Bearer', 'expires_in' => 3600,
        ]));
        $tokens = $client->auth->login(['email' => 'a@example.com', 'password' => 'pw']);
        self::assertInstanceOf(Models\TokenResponse::class, $tokens);
        self::assertSame(3600, $tokens->expires_in);
        $request = $this->transport->requests[0];
        self::assertArrayNotHasKey('Authorization', $request['headers']);
        self::assertArrayNotHasKey('Idempotency-Key', $request['headers'], 'login ignores Idempotency-Key');

        $client->setApiKey('jwt');
        $this->transport->push(FakeTransport::json(200, ['data' => ['id' => 'usr_1']]));
        $client->users->me();
        self::assertSame('Bearer jwt', $this->transport->requests[1]['headers']['Authorization']);
    }

    public function testNoContentIsNullAndArrayEnvelopesAreListsOfModels(): void
    {
        $client = $this->client();
        $this->transport->push(new \CorePhp\SDK\HttpResponse(204, [], ''));
        self::assertNull($client->resources->delete('res_1'));
        self::assertSame('DELETE', $this->transport->requests[0]['method']);
        self::assertArrayHasKey('Idempotency-Key', $this->transport->requests[0]['headers']);

        $this->transport->push(FakeTransport::json(200, ['data' => [['id' => 'pkg_1', 'name' => 'Starter', 'expires_at' => null]]]));
        $packages = $client->namespaces->packages->list('ns_1');
        self::assertCount(1, $packages);
        self::assertInstanceOf(Models\NamespacePackage::class, $packages[0]);
        self::assertSame('Starter', $packages[0]->name);

        $this->transport->push(FakeTransport::json(201, ['data' => [
            'id' => 'ns_1', 'packages' => [['id' => 'pkg_1', 'name' => 'Starter', 'expires_at' => null]],
            'custom_limits' => null, 'limits' => ['resources' => 11000],
        ]]));
        $plan = $client->admin->namespaces->packages->grant('ns_1', ['package_id' => 'pkg_1']);
        self::assertInstanceOf(Models\NamespacePlanOut::class, $plan);
        self::assertInstanceOf(Models\NamespacePackage::class, $plan->packages[0]);
        self::assertSame('Starter', $plan->packages[0]->name);
    }

    public function testTopLevelAnswersAreNotUnwrapped(): void
    {
        $client = $this->client();
        $this->transport->push(FakeTransport::json(200, [
            'allowed' => false, 'reason' => 'LIMIT_EXCEEDED', 'message' => 'no', 'current_usage' => 5, 'limit' => 5, 'available' => 0,
        ]));
        $result = $client->namespaces->entitlements->check('ns_1', ['feature' => 'storage', 'quantity' => 1]);
        self::assertInstanceOf(Models\EntitlementCheckResult::class, $result);
        self::assertFalse($result->allowed);
        self::assertSame('LIMIT_EXCEEDED', $result->reason);
        self::assertSame(['feature' => 'storage', 'quantity' => 1], $this->transport->lastBody());
    }

    public function testNestedFreeFormObjectsAndListsOfObjects(): void
    {
        $object = new Models\ResourceOut(['id' => 'res_1', 'metadata' => ['a' => ['b' => 1]], 'tags' => ['x', 'y'], 'empty' => []]);
        self::assertInstanceOf(ApiObject::class, $object->metadata);
        self::assertSame(1, $object->metadata->a->b);
        self::assertSame(['x', 'y'], $object->tags);
        self::assertSame([], $object->empty);
        self::assertTrue(isset($object->id));
        self::assertTrue($object->has('empty'));
        self::assertFalse($object->has('nope'));
        self::assertSame('{"id":"res_1","metadata":{"a":{"b":1}},"tags":["x","y"],"empty":[]}', json_encode($object));
        $this->expectException(\LogicException::class);
        $object->id = 'res_2';
    }

    /** @return iterable<string, array{int, class-string<ApiError>}> */
    public static function errorStatuses(): iterable
    {
        yield '400' => [400, ValidationError::class];
        yield '401' => [401, AuthenticationError::class];
        yield '403' => [403, PermissionDeniedError::class];
        yield '404' => [404, NotFoundError::class];
        yield '409' => [409, ConflictError::class];
        yield '413' => [413, ApiError::class];
        yield '422' => [422, ValidationError::class];
        yield '501' => [501, ServerError::class];
    }

    /**
     * @dataProvider errorStatuses
     * @param class-string<ApiError> $class
     */
    public function testErrorsCarryTheEnvelope(int $status, string $class): void
    {
        $client = $this->client();
        $this->transport->push(FakeTransport::json($status, ['error' => [
            'code' => 'some_code', 'message' => 'Something', 'details' => ['name' => ['is required']], 'request_id' => 'req_1',
        ]], ['X-Request-Id' => 'req_1']));
        try {
            $client->resources->get('res_1');
            self::fail('no error raised');
        } catch (ApiError $error) {
            self::assertSame($class, $error::class);
            self::assertSame($status, $error->status);
            self::assertSame($status, $error->getCode());
            self::assertSame('some_code', $error->errorCode);
            self::assertSame('some_code', $error->code);
            self::assertSame('Something', $error->getMessage());
            self::assertSame('Something', $error->message);
            self::assertSame(['name' => ['is required']], $error->details);
            self::assertSame('req_1', $error->requestId);
            self::assertStringContainsString('req_1', (string) $error);
        }
        self::assertCount(1, $this->transport->requests, 'a 4xx (and a 501) is never retried');
    }

    public function testAnErrorWithoutAnEnvelopeStillHasAStatusAndTheRequestIdHeader(): void
    {
        $client = $this->client();
        $this->transport->push(new \CorePhp\SDK\HttpResponse(502, ['x-request-id' => 'req_gw'], 'Bad Gateway'));
        try {
            $client->users->me([], ['max_retries' => 0]);
            self::fail('no error raised');
        } catch (ServerError $error) {
            self::assertSame(502, $error->status);
            self::assertSame('http_502', $error->errorCode);
            self::assertSame('Bad Gateway', $error->getMessage());
            self::assertSame('req_gw', $error->requestId);
        }
    }

    public function testServerErrorsAreRetriedWithBackoffReusingTheIdempotencyKey(): void
    {
        $client = $this->client();
        $this->transport->push(
            FakeTransport::json(500, ['error' => ['code' => 'internal_server_error', 'message' => 'x', 'details' => [], 'request_id' => 'req_a']]),
            NetworkError::of('connection reset'),
            FakeTransport::json(503, ['error' => ['code' => 'unavailable', 'message' => 'x', 'details' => [], 'request_id' => 'req_b']]),
            FakeTransport::json(201, ['data' => ['id' => 'res_1', 'name' => 'r']]),
        );
        $resource = $client->resources->create(['name' => 'r']);
        self::assertSame('res_1', $resource->id);
        self::assertCount(4, $this->transport->requests);
        $keys = array_unique(array_map(static fn (array $r): string => $r['headers']['Idempotency-Key'], $this->transport->requests));
        self::assertCount(1, $keys, 'every attempt of one call carries the same Idempotency-Key');
        $bodies = array_unique(array_map(static fn (array $r): string => (string) $r['body'], $this->transport->requests));
        self::assertCount(1, $bodies);
        self::assertCount(3, $this->sleeps);
        foreach ($this->sleeps as $attempt => $seconds) {
            self::assertGreaterThanOrEqual(0.0, $seconds);
            self::assertLessThanOrEqual(min(8.0, 0.5 * 2 ** $attempt), $seconds, 'full jitter below base * 2^attempt');
        }
    }

    public function testTwoCallsUseTwoKeys(): void
    {
        $client = $this->client();
        $this->transport->push(
            FakeTransport::json(201, ['data' => ['id' => 'res_1']]),
            FakeTransport::json(201, ['data' => ['id' => 'res_2']]),
        );
        $client->resources->create(['name' => 'a']);
        $client->resources->create(['name' => 'a']);
        self::assertNotSame(
            $this->transport->requests[0]['headers']['Idempotency-Key'],
            $this->transport->requests[1]['headers']['Idempotency-Key'],
        );
    }

    public function testRetriesStopAtMaxRetries(): void
    {
        $client = $this->client(['max_retries' => 2]);
        for ($i = 0; $i < 3; $i++) {
            $this->transport->push(FakeTransport::json(500, ['error' => ['code' => 'internal_server_error', 'message' => 'x', 'details' => [], 'request_id' => "req_{$i}"]]));
        }
        try {
            $client->users->me();
            self::fail('no error raised');
        } catch (ServerError $error) {
            self::assertSame('req_2', $error->requestId);
        }
        self::assertCount(3, $this->transport->requests);

        $this->transport->push(NetworkError::of('refused'));
        $this->expectException(NetworkError::class);
        $client->users->me([], ['max_retries' => 0]);
    }

    public function testSessionRoutesAreNotRepeatedAfterAnAmbiguousFailure(): void
    {
        $client = $this->client([], null);
        $this->transport->push(NetworkError::of('timeout'));
        try {
            $client->auth->refresh(['refresh_token' => 'r1']);
            self::fail('no error raised');
        } catch (NetworkError $error) {
            self::assertSame(0, $error->status);
        }
        self::assertCount(1, $this->transport->requests, 'a refresh token sent twice would revoke the session');

        // ... but a 429 was refused before any work: that one is retried.
        $this->transport->push(
            FakeTransport::json(429, ['error' => ['code' => 'rate_limit_exceeded', 'message' => 'slow', 'details' => [], 'request_id' => 'req_1', 'retry_after' => 2]], ['Retry-After' => '2']),
            FakeTransport::json(200, ['access_token' => 'a', 'refresh_token' => 'r2', 'token_type' => 'Bearer', 'expires_in' => 3600]),
        );
        self::assertSame('r2', $client->auth->refresh(['refresh_token' => 'r1'])->refresh_token);
    }

    public function testA429IsRetriedAfterRetryAfter(): void
    {
        $client = $this->client();
        $this->transport->push(
            FakeTransport::json(429, ['error' => ['code' => 'rate_limit_exceeded', 'message' => 'slow', 'details' => [], 'request_id' => 'req_1', 'retry_after' => 7]], [
                'Retry-After' => '7', 'X-RateLimit-Limit' => '60', 'X-RateLimit-Remaining' => '0', 'X-RateLimit-Reset' => '1700000007',
            ]),
            FakeTransport::json(200, ['data' => ['id' => 'usr_1']]),
        );
        self::assertSame('usr_1', $client->users->me()->id);
        self::assertCount(1, $this->sleeps);
        self::assertGreaterThanOrEqual(7.0, $this->sleeps[0]);
        self::assertLessThan(7.3, $this->sleeps[0]);
    }

    public function testARetryAfterBeyondMaxRetryWaitRaisesTheRateLimitErrorAtOnce(): void
    {
        $client = $this->client(['max_retry_wait' => 5]);
        $this->transport->push(FakeTransport::json(429, ['error' => [
            'code' => 'rate_limit_exceeded', 'message' => 'Rate limit exceeded.', 'details' => [], 'request_id' => 'req_1', 'retry_after' => 42,
        ]], ['Retry-After' => '42', 'X-RateLimit-Limit' => '60', 'X-RateLimit-Remaining' => '0', 'X-RateLimit-Reset' => '1700000042']));
        try {
            $client->users->me();
            self::fail('no error raised');
        } catch (RateLimitError $error) {
            self::assertSame(429, $error->status);
            self::assertSame('rate_limit_exceeded', $error->errorCode);
            self::assertSame(42, $error->retryAfter);
            self::assertSame(42, $error->retry_after);
            self::assertSame(1700000042, $error->reset, 'X-RateLimit-Reset is epoch seconds, used as is');
            self::assertSame(60, $error->limit);
            self::assertSame(0, $error->remaining);
        }
        self::assertSame([], $this->sleeps);
        self::assertCount(1, $this->transport->requests);
    }

    public function testRetryAfterFallsBackToTheBodyAndAcceptsAnHttpDate(): void
    {
        self::assertSame(9, RateLimitError::retryAfterOf([], ['retry_after' => 9]));
        self::assertSame(3, RateLimitError::retryAfterOf(['retry-after' => '3'], ['retry_after' => 9]));
        $now = 1700000000;
        self::assertSame(30, RateLimitError::retryAfterOf(['retry-after' => gmdate('D, d M Y H:i:s \G\M\T', $now + 30)], [], $now));
        self::assertNull(RateLimitError::retryAfterOf([], []));
    }

    public function testBackoffIsFullJitterCapped(): void
    {
        $client = $this->client(['backoff_base' => 1.0, 'backoff_cap' => 4.0]);
        for ($i = 0; $i < 200; $i++) {
            $wait = $client->backoff(5);
            self::assertGreaterThanOrEqual(0.0, $wait);
            self::assertLessThanOrEqual(4.0, $wait);
        }
        $samples = array_map(static fn (): float => $client->backoff(1), range(1, 200));
        self::assertGreaterThan(0.5, max($samples) - min($samples), 'the waits are spread, not fixed');
    }

    public function testListFollowsNextCursorAcrossPages(): void
    {
        $client = $this->client();
        $page = static fn (array $ids, ?string $next, int $number): array => [
            'data' => array_map(static fn (string $id): array => ['id' => $id, 'name' => $id], $ids),
            'meta' => ['page' => $number, 'per_page' => 2, 'total' => 5, 'next_cursor' => $next],
            'links' => ['next' => null],
        ];
        $this->transport->push(
            FakeTransport::json(200, $page(['res_1', 'res_2'], 'c2', 1)),
            FakeTransport::json(200, $page(['res_3', 'res_4'], 'c3', 2)),
            FakeTransport::json(200, $page(['res_5'], null, 3)),
        );
        $list = $client->resources->list(['per_page' => 2, 'page' => 1, 'sort' => 'name']);
        self::assertInstanceOf(Paginator::class, $list);
        self::assertCount(1, $this->transport->requests, 'the first page is fetched at once, the rest on demand');
        self::assertSame(5, $list->meta->total);
        self::assertSame('c2', $list->meta->next_cursor);
        self::assertSame(['res_1', 'res_2'], array_map(static fn ($r) => $r->id, $list->data));
        self::assertInstanceOf(Models\SparseResource::class, $list->data[0]);

        $ids = [];
        foreach ($list as $resource) {
            $ids[] = $resource->id;
        }
        self::assertSame(['res_1', 'res_2', 'res_3', 'res_4', 'res_5'], $ids);
        self::assertSame(['per_page' => '2', 'page' => '1', 'sort' => 'name'], $this->transport->query(0));
        self::assertSame(['per_page' => '2', 'sort' => 'name', 'cursor' => 'c2'], $this->transport->query(1), 'cursor, never page with it');
        self::assertSame(['per_page' => '2', 'sort' => 'name', 'cursor' => 'c3'], $this->transport->query(2));
    }

    public function testPagesAndAll(): void
    {
        $client = $this->client();
        $this->transport->push(
            FakeTransport::json(200, ['data' => [['id' => 'a']], 'meta' => ['next_cursor' => 'x'], 'links' => []]),
            FakeTransport::json(200, ['data' => [['id' => 'b']], 'meta' => ['next_cursor' => null], 'links' => []]),
        );
        $list = $client->webhooks->deliveries->list('wh_1');
        self::assertStringEndsWith('/v1/webhooks/wh_1/deliveries', $this->transport->requests[0]['url']);
        $pages = iterator_to_array($list->pages(), false);
        self::assertCount(2, $pages);
        self::assertTrue($pages[0]->hasMore());
        self::assertFalse($pages[1]->hasMore());
        $this->transport->push(FakeTransport::json(200, ['data' => [['id' => 'b']], 'meta' => ['next_cursor' => null], 'links' => []]));
        self::assertSame(['a', 'b'], array_map(static fn ($d) => $d->id, $list->all()), 'the first page is kept, the next ones fetched again');
    }

    public function testARepeatedCursorEndsTheIteration(): void
    {
        $client = $this->client();
        $this->transport->push(
            FakeTransport::json(200, ['data' => [['id' => 'a']], 'meta' => ['next_cursor' => 'same'], 'links' => []]),
            FakeTransport::json(200, ['data' => [['id' => 'b']], 'meta' => ['next_cursor' => 'same'], 'links' => []]),
        );
        self::assertCount(2, $client->users->list()->all());
    }

    public function testBaseUrlAndOptionsAreChecked(): void
    {
        $transport = new FakeTransport([FakeTransport::json(200, ['status' => 'ok'])]);
        $client = new Client(null, ['base_url' => 'http://127.0.0.1:3000', 'transport' => $transport]);
        self::assertSame('ok', $client->health->get()->status);
        self::assertSame('http://127.0.0.1:3000/v1/health', $transport->requests[0]['url']);
        self::assertSame('http://127.0.0.1:3000', (new Client(null, ['base_url' => 'http://127.0.0.1:3000/v1/']))->baseUrl);

        try {
            new Client('k', ['base_uri' => 'http://x']);
            self::fail('a typo in an option is an error');
        } catch (\InvalidArgumentException $error) {
            self::assertStringContainsString('base_uri', $error->getMessage());
        }
        $this->expectException(\InvalidArgumentException::class);
        $client->health->get([], ['idempotencyKey' => 'x']);
    }

    public function testPathParametersAreRequiredAndNonEmpty(): void
    {
        $client = $this->client();
        $this->expectException(\InvalidArgumentException::class);
        $client->resources->get('');
    }
}
