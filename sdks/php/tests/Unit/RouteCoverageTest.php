<?php

declare(strict_types=1);

namespace CorePhp\SDK\Tests\Unit;

use CorePhp\SDK\ApiObject;
use CorePhp\SDK\Client;
use CorePhp\SDK\RouteTable;
use CorePhp\SDK\Tests\Support\FakeTransport;
use PHPUnit\Framework\TestCase;

/**
 * Every route of sdks/routes.json (every operation of the OpenAPI document) has a method, with the route's
 * path, HTTP method and parameters. The table is read here, at test time, so a route added to the API without
 * `make sdks` fails this test (tests/sdks/test_php_sdk.py also checks the generated files byte for byte).
 */
final class RouteCoverageTest extends TestCase
{
    /** @return list<array<string, mixed>> */
    private static function routes(): array
    {
        $routes = json_decode((string) file_get_contents(__DIR__ . '/../../../routes.json'), true, 512, JSON_THROW_ON_ERROR);
        self::assertNotEmpty($routes);
        return $routes;
    }

    private static function camel(string $name): string
    {
        return lcfirst(str_replace(' ', '', ucwords(str_replace(['_', '-'], ' ', $name))));
    }

    public function testEveryRouteHasAMethodThatSendsIt(): void
    {
        $transport = new FakeTransport();
        $client = new Client('sk_test_x', ['base_url' => 'http://api.test', 'transport' => $transport, 'max_retries' => 0]);
        foreach (self::routes() as $route) {
            $label = $route['operation_id'];
            $target = $client;
            foreach ($route['group'] as $group) {
                $property = self::camel($group);
                self::assertTrue(property_exists($target, $property), "{$label}: no group {$property}");
                $target = $target->{$property};
            }
            $method = self::camel($route['method']);
            self::assertTrue(method_exists($target, $method), "{$label}: no method {$method} on " . $target::class);
            $reflection = new \ReflectionMethod($target, $method);
            $names = array_map(static fn (\ReflectionParameter $p): string => $p->getName(), $reflection->getParameters());
            self::assertSame(
                [...array_map(self::camel(...), $route['path_params']), 'params', 'options'],
                $names,
                "{$label}: path parameters in path order, then \$params and \$options",
            );

            // Call it: the request must be the route's.
            $kind = $route['response']['kind'];
            $transport->push($kind === 'none'
                ? new \CorePhp\SDK\HttpResponse($route['response']['status'] ?? 204, [], '')
                : FakeTransport::json($route['response']['status'], $kind === 'list'
                    ? ['data' => [['id' => 'x_1']], 'meta' => ['next_cursor' => null], 'links' => []]
                    : ['data' => ['id' => 'x_1'], 'id' => 'x_1']));
            $args = array_map(static fn (string $p): string => "{$p}_value", $route['path_params']);
            $result = $target->{$method}(...$args);
            $request = end($transport->requests);
            $path = $route['path'];
            foreach ($route['path_params'] as $param) {
                $path = str_replace('{' . $param . '}', "{$param}_value", $path);
            }
            self::assertSame($route['http_method'], $request['method'], $label);
            self::assertSame("http://api.test{$path}", $request['url'], $label);
            self::assertSame(
                $route['mutating'] && $route['replayable'],
                isset($request['headers']['Idempotency-Key']),
                "{$label}: Idempotency-Key exactly on the replayable writes",
            );
            self::assertSame($route['auth'] !== 'none', isset($request['headers']['Authorization']), $label);
            if ($kind === 'none') {
                self::assertNull($result, $label);
            } elseif ($kind === 'list') {
                self::assertSame('x_1', $result->data[0]->id, $label);
            } elseif (is_array($result)) {
                self::assertTrue(array_is_list($result), "{$label}: an array envelope is a list"); // of models
            } else {
                self::assertInstanceOf(ApiObject::class, $result, $label);
                self::assertSame('x_1', $result->id, $label);
            }
        }
    }

    public function testTheRouteTableIsTheGeneratedOne(): void
    {
        $expected = [];
        foreach (self::routes() as $route) {
            $expected[$route['operation_id']] = [
                'group' => array_map(self::camel(...), $route['group']),
                'method' => self::camel($route['method']),
                'http_method' => $route['http_method'],
                'path' => $route['path'],
            ];
        }
        ksort($expected);
        self::assertSame($expected, RouteTable::ROUTES);
    }

    public function testTheBodyAndQueryOfEveryRouteAreItsOwn(): void
    {
        $services = [];
        foreach (glob(__DIR__ . '/../../src/Services/*.php') ?: [] as $file) {
            $class = 'CorePhp\\SDK\\Services\\' . basename($file, '.php');
            if (defined("{$class}::ROUTES")) {
                foreach ($class::ROUTES as $description) {
                    $services[$description['operation_id']] = $description;
                }
            }
        }
        foreach (self::routes() as $route) {
            $description = $services[$route['operation_id']] ?? null;
            self::assertNotNull($description, $route['operation_id']);
            self::assertSame(array_column($route['query_params'], 'name'), $description['query'], $route['operation_id']);
            if ($route['body'] === null || $route['body']['properties'] !== []) {
                self::assertSame($route['body'] === null ? null : array_column($route['body']['properties'], 'name'), $description['body']);
            } else {
                // A body the table leaves unnamed (anyOf [Schema, null]) takes its properties from the document.
                self::assertIsArray($description['body'], $route['operation_id']);
            }
            self::assertSame($route['headers'], $description['headers']);
            if ($description['model'] !== null) {
                self::assertTrue(is_subclass_of($description['model'], ApiObject::class), $description['model']);
            }
        }
        self::assertCount(count(self::routes()), $services, 'no method for a route that is gone');
    }

    public function testEveryModelLoads(): void
    {
        foreach (glob(__DIR__ . '/../../src/Models/*.php') ?: [] as $file) {
            $class = 'CorePhp\\SDK\\Models\\' . basename($file, '.php');
            self::assertTrue(is_subclass_of($class, ApiObject::class), $class);
            foreach ($class::NESTED as $nested) {
                self::assertTrue(class_exists($nested), "{$class}: {$nested}");
            }
        }
    }
}
