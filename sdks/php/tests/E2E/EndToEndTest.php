<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\E2E;

use CorePhp\SDK\Client;
use CorePhp\SDK\Models;
use CorePhp\SDK\NotFoundError;
use CorePhp\SDK\Paginator;
use CorePhp\SDK\RateLimitError;
use CorePhp\SDK\ValidationError;
use PHPUnit\Framework\TestCase;

/**
 * The SDK against the running API over HTTP (tests/sdks/test_php_sdk.py starts the local stack and a webhook
 * receiver): register, log in, create a workspace, list its namespaces, create resources and auto-paginate them
 * across pages, a 404, a 429 then a retry, and a real webhook delivery (verified by WebhookDeliveryTest).
 *
 * Environment: BASE_URL (the API), WEBHOOK_URL (where the receiver listens), E2E_STATE_FILE (written here for the
 * webhook-delivery suite), E2E_WAIT_FOR_RESET=0 to skip waiting for the real rate-limit window (up to 60 s).
 *
 * The tests run in order and share one user; the free tier allows 60 requests a minute, and this flow stays far
 * below (the rate-limit test registers its own user).
 */
final class EndToEndTest extends TestCase
{
    private const PASSWORD = 'correct horse battery staple';

    /** @var array<string, mixed> what the tests pass on, and what WebhookDeliveryTest reads */
    private static array $state = [];

    private static function env(string $name): string
    {
        $value = getenv($name);
        if ($value === false || $value === '') {
            self::fail("{$name} is not set: run the e2e suite through tests/sdks/test_php_sdk.py (it starts the local stack)");
        }
        return $value;
    }

    private static function client(?string $key = null, array $options = []): Client
    {
        return new Client($key ?? self::$state['access_token'] ?? null, $options + ['base_url' => self::env('BASE_URL')]);
    }

    /** @return array{0: string, 1: string, 2: string} email, username, access token */
    private static function register(string $name): array
    {
        $tag = bin2hex(random_bytes(6));
        $email = "php-sdk-{$tag}@example.com";
        $registered = self::client(null)->auth->register([
            'email' => $email, 'username' => "php_{$tag}", 'password' => self::PASSWORD, 'name' => $name,
        ]);
        self::assertInstanceOf(Models\RegisterResponse::class, $registered);
        self::assertInstanceOf(Models\UserOut::class, $registered->data);
        self::assertSame($email, $registered->data->email);
        self::assertSame('Bearer', $registered->token_type);
        return [$email, "php_{$tag}", $registered->access_token];
    }

    public static function tearDownAfterClass(): void
    {
        $file = getenv('E2E_STATE_FILE');
        if ($file) {
            $shared = array_diff_key(self::$state, ['access_token' => true, 'limited_token' => true]); // no credential in a file
            file_put_contents($file, json_encode($shared, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));
        }
    }

    public function testRegisterAndLogIn(): void
    {
        [$email] = self::register('PHP SDK');
        $anonymous = self::client(null);
        self::assertSame('ok', $anonymous->health->get()->status);
        $tokens = $anonymous->auth->login(['email' => $email, 'password' => self::PASSWORD]);
        self::assertInstanceOf(Models\TokenResponse::class, $tokens);
        self::assertSame(3600, $tokens->expires_in);
        self::$state['access_token'] = $tokens->access_token;

        $me = self::client()->users->me();
        self::assertSame($email, $me->email);
        self::assertStringStartsWith('usr_', $me->id);
        self::$state['user_id'] = $me->id;
        self::$state['personal_namespace_id'] = $me->default_namespace_id;

        try {
            $anonymous->auth->login(['email' => $email, 'password' => 'not the password']);
            self::fail('a wrong password logged in');
        } catch (\CorePhp\SDK\AuthenticationError $error) {
            self::assertSame(401, $error->status);
            self::assertStringStartsWith('req_', (string) $error->requestId);
        }
    }

    /** Cheap GETs until the minute window is full; returns the 429. */
    private static function spendTheWindow(string $token): RateLimitError
    {
        $client = self::client($token, ['max_retries' => 0]);
        // The minute window is fixed (it reopens at X-RateLimit-Reset): requests that straddle its end start over,
        // so up to 150 requests may be needed for 60 to land in one window.
        for ($i = 0; $i < 150; $i++) {
            try {
                $client->users->me();
            } catch (RateLimitError $error) {
                return $error;
            }
        }
        self::fail('no 429 after 150 requests');
    }

    /**
     * A fresh user spends its 60 requests a minute; the window then runs down while the other tests run, and
     * testTheRetryWaitsOutTheWindow (last) retries.
     */
    public function testA429(): void
    {
        [, , $token] = self::register('PHP SDK rate limit');
        $error = self::spendTheWindow($token);
        self::assertSame(429, $error->status);
        self::assertSame('rate_limit_exceeded', $error->errorCode);
        self::assertContains($error->limit, [50, 60], 'the burst (50 in 10 s) or the minute (60)');
        self::assertSame(0, $error->remaining);
        self::assertGreaterThan(0, $error->retryAfter);
        self::assertLessThanOrEqual(60, $error->retryAfter);
        // X-RateLimit-Reset is epoch seconds (not milliseconds): the window reopens in about Retry-After seconds.
        self::assertEqualsWithDelta(time() + $error->retryAfter, $error->reset, 2);

        // A client that will not wait that long raises at once, with the same numbers.
        $impatient = self::client($token, ['max_retries' => 3, 'max_retry_wait' => 0]);
        $started = microtime(true);
        try {
            $impatient->users->me();
            self::fail('no 429');
        } catch (RateLimitError $again) {
            self::assertLessThan(2.0, microtime(true) - $started, 'no waiting beyond max_retry_wait');
            self::assertGreaterThan(0, $again->retryAfter);
            self::assertEqualsWithDelta($error->reset, $again->reset, 1);
        }
        self::$state['limited_token'] = $token;
        self::$state['limited_reset'] = $error->reset;
    }

    /** @depends testRegisterAndLogIn */
    public function testTheDocument004Example(): void
    {
        $client = self::client();
        // Document 004's example, with the tier a free user may give a workspace ('pro' is above it: a 403).
        $workspace = $client->workspaces->create(['name' => 'My Workspace', 'tier' => 'free']);
        self::assertInstanceOf(Models\WorkspaceOut::class, $workspace);
        self::assertStringStartsWith('wks_', $workspace->id);
        self::assertSame('My Workspace', $workspace->name);
        self::assertSame('owner', $workspace->role);

        $namespaces = $client->namespaces->list(['workspace_id' => $workspace->id]);
        self::assertInstanceOf(Paginator::class, $namespaces);
        $ids = [];
        foreach ($namespaces as $namespace) {
            self::assertInstanceOf(Models\SparseNamespace::class, $namespace);
            $ids[] = $namespace->id;
        }
        self::assertContains($workspace->default_namespace_id, $ids);
        self::assertSame(1, $namespaces->meta->page);

        // The same tenant context as a header (per-call option), and the workspace read back.
        $viaHeader = $client->namespaces->list([], ['workspace_id' => $workspace->id])->all();
        self::assertSame($ids, array_map(static fn ($n) => $n->id, $viaHeader));
        self::assertSame($workspace->toArray()['id'], $client->workspaces->get($workspace->id)->id);
        self::$state['workspace_id'] = $workspace->id;
    }

    /** @depends testRegisterAndLogIn */
    public function testResourcesAutoPaginateAcrossPages(): void
    {
        $client = self::client();
        $names = array_map(static fn (int $i): string => sprintf('php-sdk-%02d', $i), range(1, 7));
        $results = $client->resources->batch(['operations' => array_map(
            static fn (string $name): array => ['action' => 'create', 'data' => ['name' => $name, 'tags' => ['php-sdk']]],
            $names,
        )]);
        self::assertCount(7, $results);
        self::assertInstanceOf(Models\BatchResult::class, $results[0]);
        self::assertSame(201, $results[0]->status);
        self::assertInstanceOf(Models\ResourceOut::class, $results[0]->data);
        $created = array_map(static fn ($result) => $result->id, $results);

        // An explicit Idempotency-Key sent twice creates once: the API replays the first answer.
        $key = Client::uuid4();
        $first = $client->resources->create(['name' => 'php-sdk-08'], ['idempotency_key' => $key]);
        $again = $client->resources->create(['name' => 'php-sdk-08'], ['idempotency_key' => $key]);
        self::assertSame($first->id, $again->id);
        self::assertSame('true', $client->lastResponse()?->header('Idempotent-Replayed'));
        $created[] = $first->id;

        $list = $client->resources->list(['per_page' => 3, 'sort' => 'created_at']);
        self::assertSame(3, $list->meta->per_page);
        self::assertCount(3, $list->data);
        self::assertNotNull($list->meta->next_cursor);
        $seen = [];
        foreach ($list as $resource) {
            self::assertInstanceOf(Models\SparseResource::class, $resource);
            $seen[] = $resource->id;
        }
        self::assertCount(count($created), $seen, 'no resource twice');
        self::assertEqualsCanonicalizing($created, $seen, 'every resource once, across 3 pages');
        self::assertCount(3, iterator_to_array($list->pages(), false));

        $fetched = $client->resources->get($first->id);
        self::assertSame('php-sdk-08', $fetched->name);
        self::$state['resource_ids'] = $created;
    }

    /** @depends testRegisterAndLogIn */
    public function testErrors(): void
    {
        $client = self::client();
        try {
            $client->resources->get('res_01JD8X3B5Q7ZJ6W0N4M2K8R1TA');
            self::fail('a missing resource was found');
        } catch (NotFoundError $error) {
            self::assertSame(404, $error->status);
            self::assertSame('resource_not_found', $error->errorCode);
            self::assertStringStartsWith('req_', (string) $error->requestId);
            self::assertSame($error->requestId, $error->headers['x-request-id'] ?? null);
        }
        try {
            $client->resources->create(['name' => '']);
            self::fail('an empty name was accepted');
        } catch (ValidationError $error) {
            self::assertContains($error->status, [400, 422]);
            self::assertArrayHasKey('name', $error->details);
        }
    }

    /** @depends testRegisterAndLogIn */
    public function testAWebhookDelivery(): void
    {
        $client = self::client();
        $secret = 'whsec_' . base64_encode(random_bytes(32));
        $webhook = $client->webhooks->create([
            'url' => self::env('WEBHOOK_URL'), 'events' => ['resource.created'], 'secret' => $secret,
            'description' => 'PHP SDK e2e',
        ]);
        self::assertInstanceOf(Models\WebhookCreated::class, $webhook);
        self::assertSame($secret, $webhook->secret);

        $test = $client->webhooks->test($webhook->id);
        self::assertInstanceOf(Models\WebhookTestResult::class, $test);
        self::assertTrue($test->success, (string) $test->error);

        $resource = $client->resources->create(['name' => 'php-sdk-webhook']);
        $deliveries = $client->webhooks->deliveries->list($webhook->id)->all();
        self::assertContains($test->delivery_id, array_map(static fn ($d) => $d->id, $deliveries));
        self::assertSame($webhook->id, $client->webhooks->get($webhook->id)->id);

        self::$state['webhook'] = ['id' => $webhook->id, 'secret' => $secret, 'resource_id' => $resource->id];
    }

    /**
     * The retry itself, last: a patient client sleeps Retry-After and succeeds when the window reopens.
     *
     * @depends testA429
     */
    public function testTheRetryWaitsOutTheWindow(): void
    {
        if (getenv('E2E_WAIT_FOR_RESET') === '0') {
            self::assertTrue(true, 'E2E_WAIT_FOR_RESET=0: not waiting for the window');
            return;
        }
        $token = self::$state['limited_token'];
        $sleeps = [];
        $patient = self::client($token, ['max_retries' => 2, 'max_retry_wait' => 65, 'sleep' => static function (float $s) use (&$sleeps): void {
            $sleeps[] = $s;
            usleep((int) round($s * 1_000_000));
        }]);
        // If the window reopened while the other tests ran (or reopens right now), close it again and retry.
        for ($round = 0; $round < 2; $round++) {
            if ($round > 0 || time() >= self::$state['limited_reset'] - 1) {
                self::spendTheWindow($token);
            }
            $sleeps = [];
            $started = microtime(true);
            $me = $patient->users->me();
            $waited = microtime(true) - $started;
            if ($sleeps !== []) {
                break;
            }
        }
        self::assertStringStartsWith('usr_', $me->id);
        self::assertCount(1, $sleeps, 'one 429, then the retry succeeded');
        self::assertGreaterThan(0.0, $sleeps[0], 'it slept Retry-After');
        self::assertLessThan(70.0, $waited);
        self::$state['rate_limit_wait_seconds'] = round($waited, 1);
        fwrite(STDERR, sprintf("\n429 then retry: waited %.1f s more for the rate-limit window to reopen\n", $waited));
    }
}
