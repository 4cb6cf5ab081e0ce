<?php

declare(strict_types=1);

namespace CorePhp\SDK;

/**
 * What a `list(...)` method returns: the first page, fetched at once, and an iterator over EVERY item of the list,
 * fetching the next pages as it goes by passing `meta.next_cursor` as `cursor` (never with `page`).
 *
 *     $resources = $client->resources->list(['per_page' => 50]);
 *     $resources->meta->total;            // the first page's meta (also ->data, ->links, ->firstPage)
 *     foreach ($resources as $resource) { // every resource, page after page
 *         echo $resource->name;
 *     }
 *     foreach ($resources->pages() as $page) { ... } // page by page
 *
 * @template T of ApiObject
 * @implements \IteratorAggregate<int, T>
 */
final class Paginator implements \IteratorAggregate
{
    /** @var Page<T> */
    public readonly Page $firstPage;
    /** @var list<T> the first page's items */
    public readonly array $data;
    public readonly ApiObject $meta;
    public readonly ApiObject $links;

    /**
     * @param \Closure(array<string, mixed>): Page<T> $fetch fetches one page for a query
     * @param array<string, mixed> $query the first page's query
     */
    public function __construct(private readonly \Closure $fetch, private readonly array $query)
    {
        $this->firstPage = ($this->fetch)($query);
        $this->data = $this->firstPage->data;
        $this->meta = $this->firstPage->meta;
        $this->links = $this->firstPage->links;
    }

    /** @return \Generator<int, Page<T>> the first page, then each following one as it is fetched */
    public function pages(): \Generator
    {
        $page = $this->firstPage;
        $seen = [];
        yield $page;
        while (($cursor = $page->nextCursor()) !== null && !isset($seen[$cursor])) {
            $seen[$cursor] = true;
            $query = $this->query;
            unset($query['page'], $query['cursor']);
            $query['cursor'] = $cursor;
            $page = ($this->fetch)($query);
            yield $page;
        }
    }

    /** @return \Generator<int, T> every item of every page */
    public function getIterator(): \Generator
    {
        foreach ($this->pages() as $page) {
            foreach ($page->data as $item) {
                yield $item;
            }
        }
    }

    /**
     * Every item of the list in one array (fetches every page: mind the size of the list and your rate limit).
     *
     * @return list<T>
     */
    public function all(): array
    {
        return iterator_to_array($this->getIterator(), false);
    }
}
