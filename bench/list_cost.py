"""List cost vs collection size: `python -m bench.list_cost [--sizes 1000,10000,100000] [--output FILE]`.

One namespace in moto (in process) grows to each size; at each, every documented resources query is made once
untimed and once counted (bench/counters.py: items DynamoDB returned, round trips). The table it writes shows
the figures and the ratio to the smallest size. Counted, never timed: the figures are what DynamoDB would bill.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from ulid import ULID

from bench.counters import counting, uncounted
from bench.env import ROOT, configure_in_process

PER_PAGE = 20
SEARCHABLE_UP_TO = 10_000  # beyond, writing ~12 search entries per resource into moto in process takes too long
QUERIES = [
    ("default order", ""),
    ("one status", "status=archived"),
    ("one type", "filter[type]=premium"),
    ("one owner", "owner=OWNER"),
    ("one tag", "tags=red"),
    ("sort=name", "sort=name"),
    ("sort=-updated_at", "sort=-updated_at"),
    ("sort=type", "sort=type"),
    ("sort=-status", "sort=-status"),
    ("created_after", "created_after=2000-01-01T00:00:00Z"),
    ("updated range, sort=updated_at", "sort=updated_at&updated_after=2000-01-01T00:00:00Z"),
    ("status=active, sort=-updated_at (combination)", "status=active&sort=-updated_at"),
    ("search=zebra (search index)", "search=zebra"),
    ("search=clone zebra (two words: the longer word's run, checked)", "search=clone%20zebra"),
    ("search=zebra, sort=name (combination)", "search=zebra&sort=name"),
]
TYPES = ("standard", "premium", "basic")
STATUSES = ("active", "inactive", "archived")


def grow_resources(namespace_id: str, owner_id: str, count: int, start: int = 0, *, searchable: bool = True) -> None:
    """`count` more resources in the namespace, written as the API writes them (the item with its index keys,
    its entry items; the tallies and the `resources` counter moved to match) and, when `searchable`, with the
    search entries the stream's indexer would write, all with BatchWriteItem: how the scale tests and this
    benchmark reach sizes the API would take minutes to create."""
    from platform_api.dal import entitlements as entitlements_dal
    from platform_api.dal import resources as dal
    from platform_api.timeutil import isoformat

    tallies: Counter[tuple[str, str]] = Counter()
    with dal.ResourceItem.batch_write() as batch:
        for i in range(start, start + count):
            resource_id = f"res_{ULID()}"
            stamp = isoformat(ULID.from_str(resource_id[4:]).datetime)
            status, kind = STATUSES[i % 3], TYPES[i % 3]
            name = f"Clone {i:06d} zebra" if i % 50 == 0 else f"Clone {i:06d}"
            item = dal.build_item(
                resource_id=resource_id,
                namespace_id=namespace_id,
                workspace_id=None,
                owner_id=owner_id,
                fields={"name": name, "type": kind, "status": status, "tags": ["red"] if i % 7 == 0 else ["blue"]},
                created_at=stamp,
                updated_at=stamp,
                version=1,
            )
            batch.save(item)
            for key in dal.entries_of(item):
                batch.save(dal.entry(*key))
            if searchable:
                for term in dal.search_terms(item):
                    batch.save(
                        dal.IndexEntry(
                            dal.search_partition(namespace_id, term), dal.sk(resource_id), resource_id=resource_id
                        )
                    )
            tallies[("status", status)] += 1
            tallies[("type", kind)] += 1
    for (field, value), n in tallies.items():
        dal.TallyItem(*dal.tally_key(namespace_id, field, value)).update(actions=[dal.TallyItem.n.add(n)])
    counter = entitlements_dal.CounterItem(*entitlements_dal.counter_key(namespace_id, "resources"))
    counter.update(actions=[entitlements_dal.CounterItem.used.add(count)])


def measure(sizes: list[int], log=print) -> dict[str, list[tuple[int, int]]]:
    from bench.env import moto_aws
    from bench.tenant import sign_up
    from tests.helpers import call

    figures: dict[str, list[tuple[int, int]]] = {label: [] for label, _ in QUERIES}
    with moto_aws():
        caller = sign_up(call, "lists")
        if not caller.namespace_id or not caller.user_id:
            raise SystemExit("sign-up did not give a user and a namespace")
        grown = 0
        for size in sizes:
            log(f"  growing to {size}")
            with uncounted():
                grow_resources(
                    caller.namespace_id, caller.user_id, size - grown, grown, searchable=size <= SEARCHABLE_UP_TO
                )
            grown = size
            for label, query in QUERIES:
                if "search" in query and size > SEARCHABLE_UP_TO:
                    figures[label].append((-1, -1))
                    continue
                params = f"per_page={PER_PAGE}&{query}".rstrip("&").replace("OWNER", caller.user_id)
                with uncounted():
                    call("GET", "/v1/users/me", token=caller.token)
                with counting() as tally:
                    reply = call("GET", "/v1/resources", token=caller.token, query=params)
                assert reply.status == 200, (query, reply.status)
                # minus what authentication costs every request (one UpdateItem, no item read)
                figures[label].append((tally.items_read, tally.round_trips - 1))
    return figures


def render(sizes: list[int], figures: dict[str, list[tuple[int, int]]]) -> str:
    head = " | ".join(f"{size:,}: items read / round trips" for size in sizes)
    lines = [
        "# List cost vs collection size (resources)",
        "",
        "`python -m bench.list_cost` (`make bench` runs it): one namespace grown to each size in moto, in",
        f"process; `GET /v1/resources?per_page={PER_PAGE}&…` counted at botocore (bench/counters.py). Items",
        "read are the items DynamoDB returned (Query `ScannedCount`, BatchGetItem responses, GetItem hits);",
        "round trips exclude authentication's one UpdateItem. Ratio: largest size over smallest.",
        "",
        f"| query | {head} | ratio |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    for label, values in figures.items():
        cells = " | ".join(f"{items} / {trips}" if items >= 0 else "not measured" for items, trips in values)
        measured = [items for items, _ in values if items >= 0]
        ratio = f"{measured[-1] / measured[0]:.2f}x" if measured and measured[0] else "-"
        lines.append(f"| {label} | {cells} | {ratio} |")
    lines += [
        "",
        "The combination rows read the first sort field's index and check each item as read: bounded by the",
        "1,000-items-read cap, not by the page (docs/query-language.md). Search rows are measured up to",
        f"{SEARCHABLE_UP_TO:,} resources: beyond, writing the ~12 search entries of each clone into moto in",
        "process takes too long (the read does not depend on the size: one run of one word's entries).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.list_cost", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--output", default=str(ROOT / "docs" / "list-cost.md"), help="'-' for stdout only")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    configure_in_process()
    figures = measure(sizes, log=lambda m: print(m, file=sys.stderr, flush=True))
    text = render(sizes, figures)
    print(text)
    if args.output != "-":
        Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
