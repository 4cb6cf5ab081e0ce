<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\Unit;

use CorePhp\SDK\Client;
use CorePhp\SDK\NetworkError;
use CorePhp\SDK\RateLimitError;
use PHPUnit\Framework\TestCase;

/**
 * The real transport (ext-curl) against a scripted server on 127.0.0.1 (`php -S` with tests/fixtures/fake_server.php):
 * 429-then-success and 5xx-then-success retries over real HTTP, with real sleeps.
 */
final class LocalServerTest extends TestCase
{
    /** @var resource|null */
    private static $process = null;
    private static string $dir = '';
    private static string $url = '';

    public static function setUpBeforeClass(): void
    {
        self::$dir = sys_get_temp_dir() . '/core-php-sdk-fake-' . bin2hex(random_bytes(4));
        mkdir(self::$dir);
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);
        self::$url = "http://127.0.0.1:{$port}";
        $env = getenv() + ['FAKE_SERVER_DIR' => self::$dir];
        $env['FAKE_SERVER_DIR'] = self::$dir;
        $env['PHP_CLI_SERVER_WORKERS'] = '4'; // a slow answer must not hold up the retry
        self::$process = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:{$port}", __DIR__ . '/../fixtures/fake_server.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', self::$dir . '/server.log', 'a'], 2 => ['file', self::$dir . '/server.log', 'a']],
            $pipes,
            null,
            $env,
        );
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $connection = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.2);
            if ($connection !== false) {
                fclose($connection);
                return;
            }
            usleep(50_000);
        }
        self::fail('the fake server did not start: ' . @file_get_contents(self::$dir . '/server.log'));
    }

    public static function tearDownAfterClass(): void
    {
        if (is_resource(self::$process)) {
            // php -S with workers forks them: stop the workers (the server's children), then the server.
            $server = proc_get_status(self::$process)['pid'];
            foreach (glob('/proc/[0-9]*/stat') ?: [] as $statFile) {
                $stat = (string) @file_get_contents($statFile);
                $fields = explode(' ', substr($stat, (int) strrpos($stat, ')') + 2)); // state, ppid, ...
                if ((int) ($fields[1] ?? 0) === $server) {
                    @posix_kill((int) basename(dirname($statFile)), SIGTERM);
                }
            }
            proc_terminate(self::$process);
            proc_close(self::$process);
        }
        array_map('unlink', glob(self::$dir . '/*') ?: []);
        @rmdir(self::$dir);
    }

    /** @param list<array<string, mixed>> $answers */
    private function script(array $answers): void
    {
        file_put_contents(self::$dir . '/queue.json', json_encode($answers));
        file_put_contents(self::$dir . '/log.json', '[]');
    }

    /** @return list<array<string, mixed>> */
    private function log(): array
    {
        return json_decode((string) file_get_contents(self::$dir . '/log.json'), true);
    }

    private static function rateLimited(int $retryAfter): array
    {
        return ['status' => 429, 'headers' => [
            'Retry-After' => (string) $retryAfter,
            'X-RateLimit-Limit' => '60', 'X-RateLimit-Remaining' => '0', 'X-RateLimit-Reset' => (string) (time() + $retryAfter),
        ], 'body' => ['error' => [
            'code' => 'rate_limit_exceeded', 'message' => 'Rate limit exceeded.', 'details' => [], 'request_id' => 'req_429', 'retry_after' => $retryAfter,
        ]]];
    }

    public function testA429ThenSuccessWaitsRetryAfterAndSendsTheSameKey(): void
    {
        $this->script([
            self::rateLimited(1),
            ['status' => 201, 'headers' => ['X-RateLimit-Limit' => '60', 'X-RateLimit-Remaining' => '59', 'X-RateLimit-Reset' => (string) (time() + 60)],
             'body' => ['data' => ['id' => 'res_1', 'name' => 'created once']]],
        ]);
        $client = new Client('sk_test_local', ['base_url' => self::$url]);
        $started = microtime(true);
        $resource = $client->resources->create(['name' => 'created once']);
        $elapsed = microtime(true) - $started;

        self::assertSame('res_1', $resource->id);
        self::assertGreaterThanOrEqual(1.0, $elapsed, 'Retry-After: 1 was honoured');
        self::assertLessThan(3.0, $elapsed);
        $log = $this->log();
        self::assertCount(2, $log);
        self::assertSame('POST', $log[0]['method']);
        self::assertSame('/v1/resources', $log[0]['uri']);
        self::assertSame($log[0]['headers']['idempotency-key'], $log[1]['headers']['idempotency-key']);
        self::assertSame($log[0]['body'], $log[1]['body']);
        self::assertSame('{"name":"created once"}', $log[1]['body']);
        self::assertSame('Bearer sk_test_local', $log[1]['headers']['authorization']);
        self::assertSame('core-php-sdk-php/0.1.0', $log[1]['headers']['user-agent']);
        self::assertSame(59, $client->lastRateLimit()?->remaining);
    }

    public function testARetryAfterAboveTheMaximumWaitRaisesAtOnce(): void
    {
        $this->script([self::rateLimited(30)]);
        $client = new Client('sk_test_local', ['base_url' => self::$url, 'max_retry_wait' => 2]);
        $started = microtime(true);
        try {
            $client->users->me();
            self::fail('no error raised');
        } catch (RateLimitError $error) {
            self::assertSame(30, $error->retryAfter);
            self::assertSame('req_429', $error->requestId);
            self::assertEqualsWithDelta(time() + 30, $error->reset, 2);
        }
        self::assertLessThan(1.0, microtime(true) - $started);
        self::assertCount(1, $this->log());
    }

    public function testServerErrorsThenSuccess(): void
    {
        $error = ['error' => ['code' => 'internal_server_error', 'message' => 'boom', 'details' => [], 'request_id' => 'req_500']];
        $this->script([
            ['status' => 500, 'body' => $error],
            ['status' => 503, 'body' => $error],
            ['status' => 200, 'body' => ['data' => [], 'meta' => ['next_cursor' => null], 'links' => []]],
        ]);
        $client = new Client('sk_test_local', ['base_url' => self::$url, 'backoff_base' => 0.05]);
        self::assertSame([], $client->resources->list()->all());
        self::assertCount(3, $this->log());
    }

    public function testATimeoutIsANetworkErrorAfterTheRetries(): void
    {
        $this->script([['status' => 200, 'delay' => 1.5, 'body' => ['status' => 'ok']], ['status' => 200, 'body' => ['status' => 'ok']]]);
        $client = new Client(null, ['base_url' => self::$url, 'timeout' => 0.5, 'backoff_base' => 0.01]);
        self::assertSame('ok', $client->health->get()->status, 'the timed-out GET was sent again');

        $this->script([['status' => 200, 'delay' => 1.5, 'body' => ['status' => 'ok']]]);
        $this->expectException(NetworkError::class);
        $client->health->get([], ['max_retries' => 0]);
    }

    public function testNothingListening(): void
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);
        $client = new Client(null, ['base_url' => "http://{$name}", 'max_retries' => 1, 'backoff_base' => 0.01]);
        try {
            $client->health->get();
            self::fail('no error raised');
        } catch (NetworkError $error) {
            self::assertSame(0, $error->status);
            self::assertSame('network_error', $error->errorCode);
        }
    }
}
