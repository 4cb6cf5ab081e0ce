<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * A JSON object from the API with attribute access (`$workspace->id`) and array access (`$workspace['id']`).
 *
 * Nested objects are ApiObjects too (typed where the OpenAPI document names their schema, see the generated
 * classes in Models/), lists stay PHP lists. `toArray()` returns the decoded JSON exactly as received. Objects are
 * read-only: send changes with the matching `update` method.
 *
 * @implements \ArrayAccess<string, mixed>
 * @implements \IteratorAggregate<string, mixed>
 */
class ApiObject implements \ArrayAccess, \IteratorAggregate, \JsonSerializable, \Countable
{
    /** @var array<string, class-string<ApiObject>> property name => class of its nested object(s) */
    public const NESTED = [];

    /** @var array<string, mixed> */
    private array $values = [];

    /** @param array<string, mixed> $raw the decoded JSON object */
    final public function __construct(private readonly array $raw = [])
    {
        foreach ($raw as $key => $value) {
            $this->values[(string) $key] = self::hydrate($value, static::NESTED[$key] ?? self::class);
        }
    }

    /**
     * @param array<string, mixed> $raw
     */
    public static function from(array $raw): static
    {
        return new static($raw);
    }

    /**
     * @param class-string<ApiObject> $class
     */
    private static function hydrate(mixed $value, string $class): mixed
    {
        if (!is_array($value)) {
            return $value;
        }
        if ($value === [] || array_is_list($value)) {
            return array_map(static fn (mixed $item): mixed => self::hydrate($item, $class), $value);
        }
        return new $class($value);
    }

    public function __get(string $name): mixed
    {
        return $this->values[$name] ?? null;
    }

    public function __isset(string $name): bool
    {
        return isset($this->values[$name]);
    }

    public function __set(string $name, mixed $value): void
    {
        throw new \LogicException(static::class . ' is read-only');
    }

    /** Whether the API sent this field (even as null); absent fields read as null. */
    public function has(string $name): bool
    {
        return array_key_exists($name, $this->values);
    }

    /** @return array<string, mixed> the object as the API sent it (decoded JSON) */
    public function toArray(): array
    {
        return $this->raw;
    }

    /** @return list<string> */
    public function keys(): array
    {
        return array_keys($this->values);
    }

    public function offsetExists(mixed $offset): bool
    {
        return isset($this->values[$offset]);
    }

    public function offsetGet(mixed $offset): mixed
    {
        return $this->values[$offset] ?? null;
    }

    public function offsetSet(mixed $offset, mixed $value): void
    {
        throw new \LogicException(static::class . ' is read-only');
    }

    public function offsetUnset(mixed $offset): void
    {
        throw new \LogicException(static::class . ' is read-only');
    }

    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->values);
    }

    public function count(): int
    {
        return count($this->values);
    }

    public function jsonSerialize(): mixed
    {
        return $this->raw === [] ? new \stdClass() : $this->raw;
    }

    public function __toString(): string
    {
        return (string) json_encode($this, JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT);
    }
}
