/**
 * Lists: `await client.resources.list()` is the first page; `for await (const r of client.resources.list())`
 * is every item, page after page, following `meta.next_cursor` (whose cost does not grow with depth).
 */
import type { ResponseInfo } from './core.js';
import type { ListLinks, ListMeta } from './generated.js';

/** The body of every list route. */
export interface ListResponse<T> {
  data: T[];
  meta: ListMeta;
  links: ListLinks;
}

/** One page of a list: `data`, `meta` (with `next_cursor`) and `links`, plus `$response`. */
export class Page<T> implements ListResponse<T> {
  readonly data: T[];
  readonly meta: ListMeta;
  readonly links: ListLinks;
  declare readonly $response: ResponseInfo;
  declare private readonly fetchNext: (cursor: string) => Promise<Page<T>>;

  constructor(body: ListResponse<T>, info: ResponseInfo, fetchNext: (cursor: string) => Promise<Page<T>>) {
    this.data = Array.isArray(body?.data) ? body.data : [];
    this.meta = body?.meta ?? ({} as ListMeta);
    this.links = body?.links ?? ({} as ListLinks);
    Object.defineProperty(this, '$response', { value: info, enumerable: false });
    Object.defineProperty(this, 'fetchNext', { value: fetchNext, enumerable: false });
  }

  /** `meta.next_cursor`: null on the last page. */
  get nextCursor(): string | null {
    return this.meta?.next_cursor ?? null;
  }

  hasNextPage(): boolean {
    return Boolean(this.nextCursor);
  }

  /** The next page (the same query from `meta.next_cursor`), or null after the last. */
  async nextPage(): Promise<Page<T> | null> {
    const cursor = this.nextCursor;
    return cursor ? this.fetchNext(cursor) : null;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.data[Symbol.iterator]();
  }
}

/**
 * What a list method returns: a promise of the first page that is also an async iterator over every item.
 * Nothing is sent until it is awaited or iterated; the first page is fetched once and shared.
 */
export class PageIterator<T> implements AsyncIterable<T>, PromiseLike<Page<T>> {
  private first: Promise<Page<T>> | null = null;
  private readonly load: () => Promise<Page<T>>;

  constructor(load: () => Promise<Page<T>>) {
    this.load = load;
  }

  /** The first page (with `meta` and `links`). */
  firstPage(): Promise<Page<T>> {
    this.first ??= this.load();
    return this.first;
  }

  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((value: Page<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T> | R> {
    return this.firstPage().catch(onrejected);
  }

  /** Every page, the first one first. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let page: Page<T> | null = await this.firstPage();
    while (page) {
      yield page;
      page = await page.nextPage();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item in an array (at most `limit` of them, default 10,000: a guard against unbounded reads). */
  async toArray(limit = 10_000): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) {
      if (items.length >= limit) break;
      items.push(item);
    }
    return items;
  }
}
