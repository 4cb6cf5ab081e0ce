"""One page of a list, read through a key-ordered stream: never the whole collection (docs/query-language.md).

A route's domain names the streams its keys and indexes offer (`dal.keyset`) and picks one for the query:

    stream = deliveries_by_status(webhook_id, "failed", descending=True)   # yields API dicts in key order
    if listing.serves(query, by_time):                                    # the query's sort IS the key order
        page = listing.ordered_page(query, stream, exact=True)            # ~per_page + 1 items read
    else:
        page = listing.sorted_page(query, stream)                         # an order no key offers: in memory,
                                                                          # at most SORT_CAP items, else a 400
    return listing.response(event, query, page)

- `ordered_page` reads in key order from the cursor's position until the page is full (`per_page + 1`
  matches: the extra one proves there is a next page) or SCAN_CAP items were read; what the index did not
  filter (`exact=False`) is filtered in memory, so a sparse filter may return a short page that still carries
  `meta.next_cursor` (continue from where the read stopped). `page=N` skips `(N - 1) * per_page` matches first,
  so its cost grows with N; the cursor is the constant-cost path.
- `sorted_page` serves an order no key offers for a collection of at most SORT_CAP items (a larger one is a 400
  naming `sort`), exactly as `query.apply_in_memory` does.
- Totals are exact or null: a caller passes a counter kept in the writes' transaction; otherwise the total is
  known only when the read reached the end of the result from its first item (page mode, nothing left), and is
  `null` (with `total_pages`, `last_page` and `links.last`) everywhere else.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from platform_api import errors
from platform_api.ids import has_prefix
from platform_api.query import (
    ListQuery,
    Page,
    apply_in_memory,
    comparator,
    encode_cursor,
    list_response,
    matches,
    request_base_url,
)

SCAN_CAP = 1000  # items one ordered page may read while it filters in memory; then it returns what it has
SORT_CAP = 1000  # items an order no key offers may sort in memory; a larger collection is a 400

Item = dict[str, Any]
Demand = Callable[[], int]
Stream = Callable[[dict[str, Any] | None, Demand], Iterator[Item]]
"""stream(after, demand): API-shaped items strictly after the cursor position `after` (the sort fields and id
of the last item already returned; None from the start), in the stream's key order; before each round trip it
asks `demand()` how many items to read."""

Order = tuple[tuple[str, bool], ...]


@dataclass
class Listing:
    items: list[Item]
    next_cursor: str | None
    total: int | None  # None: not known without reading everything
    truncated: bool = False  # the read stopped at SCAN_CAP: a short page, continue with next_cursor


def by(*fields: str, descending: bool) -> Order:
    """The order a key sorts by: `by("created_at", "id", descending=True)`."""
    return tuple((field, descending) for field in fields)


def serves(query: ListQuery, *orders: Order) -> bool:
    """Does one of these key orders give the query's sort (with its id tie-breaker)?"""
    return any(tuple(query.sort) == order for order in orders)


def descending(query: ListQuery) -> bool:
    return bool(query.sort[0][1])


def id_orders() -> tuple[Order, ...]:
    """The orders a key ending in `<id>` gives (either way): `id`, and `created_at` where the id is a ULID minted
    in the same instant as `created_at` (users, workspaces, namespaces, invitations)."""
    return tuple(
        order
        for desc in (True, False)
        for order in (by("created_at", "id", descending=desc), by("id", descending=desc))
    )


def position_id(after: dict[str, Any] | None, prefix: str) -> str | None:
    """The id of a cursor's position. Cursors are signed, so a bad one here is a bug; still a 400, never a key."""
    if after is None:
        return None
    value = after.get("id")
    if not isinstance(value, str) or not has_prefix(value, prefix) or len(value) > 64:
        message = "The cursor is invalid; start again without it."
        raise errors.InvalidRequest(message, details={"cursor": [message]})
    return value


# ---------------------------------------------------------------------------------------------- pages
def ordered_page(
    query: ListQuery,
    stream: Stream,
    *,
    exact: bool,
    total: int | None = None,
    hydrate: Callable[[list[Item]], list[Item]] | None = None,
    keep: Callable[[Item], bool] | None = None,
) -> Listing:
    """One page of a stream that yields items in the query's order.

    `exact`: every item the stream yields matches the query (its key condition did the filtering), so each
    round trip asks for exactly what the page still needs. `total`: an exact count the caller knows (a counter),
    or None. `hydrate`: completes the returned items only (e.g. one BatchGetItem of their users). `keep`: a rule
    of the collection itself on top of the query's filters (e.g. "not expired").
    """
    offset = 0 if query.uses_cursor else query.offset
    want = offset + query.per_page + 1
    cap = SCAN_CAP + offset
    matched: list[Item] = []
    scanned = 0
    rounds = 0

    def demand() -> int:
        # exact: what the page still needs. Filtering in memory: twice that, doubling every round trip, so a
        # dense filter fills the page in one round trip and a sparse one reaches SCAN_CAP in a few.
        nonlocal rounds
        need = want - len(matched)
        rounds += 1
        return max(0, min(cap - scanned, need if exact else need * 2 ** min(rounds, 10)))

    last: Item | None = None
    truncated = False
    for item in stream(query.after, demand):
        scanned += 1
        last = item
        if matches(item, query) and (keep is None or keep(item)):
            matched.append(item)
            if len(matched) >= want:
                break
        if scanned >= cap:
            truncated = True
            break
    read = matched[offset : offset + query.per_page]
    more = len(matched) > offset + query.per_page
    window = hydrate(read) if hydrate is not None and read else read  # may drop an item that went meanwhile
    if more:
        next_cursor: str | None = encode_cursor(query, read[-1])  # the position is the key read, not the hydration
    elif truncated and last is not None:
        next_cursor = encode_cursor(query, last)  # continue after the last item read, matched or not
    else:
        next_cursor = None
    if total is None and not query.uses_cursor and not more and not truncated:
        total = len(matched)  # read from the first match to the last one: exact
    return Listing(window, next_cursor, total, truncated and not more)


def sorted_page(
    query: ListQuery,
    stream: Stream,
    *,
    served: str,
    hydrate: Callable[[list[Item]], list[Item]] | None = None,
) -> Listing:
    """An order no key offers: the stream's items (at most SORT_CAP of them) sorted and paged in memory.
    `served` names the orders that do not need this, for the 400 a larger collection gets."""
    items: list[Item] = []

    def demand() -> int:
        return SORT_CAP + 1 - len(items)

    for item in stream(None, demand):
        items.append(item)
        if len(items) > SORT_CAP:
            field = query.sort[0][0]
            message = (
                f"Sorting by {field} here would read more than {SORT_CAP:,} items; sort by {served} "
                "(a cursor walks any number of items) or narrow the list with a filter."
            )
            raise errors.InvalidRequest(message, details={"sort": [message]})
    page = apply_in_memory(items, query)
    window = hydrate(page.items) if hydrate is not None and page.items else page.items
    return Listing(window, page.next_cursor, page.total)


# ---------------------------------------------------------------------------------------------- streams
def merged(streams: list[Stream], order: Order) -> Stream:
    """Several streams in the same key order (one partition each) as one, merged lazily by `order`.

    Each partition's first round trip reads its share of what the page needs (plus one); a partition the page
    keeps drawing from then reads what the page still needs. So k partitions read at most about twice the page
    plus 2k items, instead of k pages."""
    if len(streams) == 1:
        return streams[0]
    key = functools.cmp_to_key(comparator(order))
    share = len(streams)

    def stream(after: dict[str, Any] | None, demand: Demand) -> Iterator[Item]:
        def partition_demand() -> Demand:
            first = True

            def ask() -> int:
                nonlocal first
                wanted = demand()
                if first:
                    first = False
                    return min(wanted, -(-wanted // share) + 1)
                return wanted

            return ask

        return heapq.merge(*(s(after, partition_demand()) for s in streams), key=key)

    return stream


def flatten(pages: Iterable[list[Item]]) -> Iterator[Item]:
    for page in pages:
        yield from page


# ---------------------------------------------------------------------------------------------- response
def _link(base: str, query: ListQuery, **changes: Any) -> str:
    kept = [(k, v) for k, v in query.params if k not in ("page", "cursor")]
    return f"{base}?{urlencode(kept + [(k, str(v)) for k, v in changes.items()])}"


def response(event: Any, query: ListQuery, listing: Listing) -> dict[str, Any]:
    """`query.list_response` (an unknown total is null there, with `total_pages`, `last_page` and `links.last`);
    a page cut short by SCAN_CAP links its next page by cursor, not by page number."""
    body = list_response(event, query, Page(items=listing.items, total=listing.total, next_cursor=listing.next_cursor))
    if listing.truncated and listing.next_cursor and not query.uses_cursor:
        body["links"]["next"] = _link(request_base_url(event), query, cursor=listing.next_cursor)
    return body
