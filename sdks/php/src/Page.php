<?php

declare(strict_types=1);

namespace CorePhp\SDK;

use CorePhp\SDK\Models\ListMeta;

/**
 * One page of a list: its items (`data`), `meta` (`page`, `per_page`, `total`, `next_cursor`, ...) and `links`.
 *
 * @template T of ApiObject
 * @implements \IteratorAggregate<int, T>
 */
final class Page implements \IteratorAggregate, \Countable
{
    /** @var list<T> */
    public readonly array $data;
    public readonly ApiObject $meta;
    public readonly ApiObject $links;

    /**
     * @param array<string, mixed> $raw the decoded body `{data, meta, links}`
     * @param class-string<T> $itemClass
     */
    public function __construct(public readonly array $raw, string $itemClass = ApiObject::class)
    {
        $items = is_array($raw['data'] ?? null) ? $raw['data'] : [];
        $this->data = array_values(array_map(
            static fn (mixed $item): mixed => is_array($item) ? new $itemClass($item) : $item,
            $items,
        ));
        $this->meta = new ListMeta(is_array($raw['meta'] ?? null) ? $raw['meta'] : []);
        $this->links = new ApiObject(is_array($raw['links'] ?? null) ? $raw['links'] : []);
    }

    /** The cursor of the next page, null on the last one. */
    public function nextCursor(): ?string
    {
        $cursor = $this->meta->next_cursor;
        return is_string($cursor) && $cursor !== '' ? $cursor : null;
    }

    public function hasMore(): bool
    {
        return $this->nextCursor() !== null;
    }

    /** @return \ArrayIterator<int, T> */
    public function getIterator(): \ArrayIterator
    {
        return new \ArrayIterator($this->data);
    }

    public function count(): int
    {
        return count($this->data);
    }
}
