"""Sections 2-5, in one process against moto: DynamoDB cost per request, warm latency, fanout and
pagination depth. Every figure comes from `bench.counters` (botocore level: boto3 and pynamodb alike).
"""

from __future__ import annotations

import contextlib
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.counters import Tally, counting, uncounted
from bench.env import call, route_built
from bench.tenant import PASSWORD, Caller, NotBuilt, create_resource, sign_up


@dataclass
class CostRow:
    label: str
    route: str
    budget: str = ""
    budget_trips: int | None = None
    status: Any = None
    tally: Tally | None = None
    note: str = ""
    rate_wcu: float | None = None


@dataclass
class LatencyRow:
    label: str
    p50: float | None = None
    p99: float | None = None
    n: int = 0
    note: str = ""
    aws_p50: float | None = None  # of each request: the time inside botocore calls (moto answering, here)
    own_p50: float | None = None  # of each request: the rest (our code, Powertools, pydantic, botocore's own work)
    calls: float | None = None  # AWS calls per request


@dataclass
class InProcessResults:
    cost: list[CostRow] = field(default_factory=list)
    latency: list[LatencyRow] = field(default_factory=list)
    pagination: list[CostRow] = field(default_factory=list)
    fanout: list[CostRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _not_built(row: CostRow, method: str, path: str) -> CostRow:
    row.note = f"not measured: {method} {path} not built"
    return row


def _measure(row: CostRow, do: Callable[[], Any], warmups: int = 2) -> CostRow:
    """Steady state: the same request twice untimed (warm containers, caches), then counted once."""
    for _ in range(warmups):
        do()
    with counting() as tally:
        reply = do()
    row.status = getattr(reply, "status", None)
    row.tally = tally
    row.rate_wcu = tally.wcu_on("RATE#")
    return row


def get_caller(tag: str) -> Caller:
    """A user registered through the API."""
    return sign_up(call, tag)


# ------------------------------------------------------------------------------------ section 2: cost
def dynamodb_cost(caller: Caller | None) -> list[CostRow]:
    rows: list[CostRow] = []
    token = caller.token if caller else None
    resource_id = None
    if caller and route_built("POST", "/v1/resources"):
        try:
            resource_id = create_resource(call, caller, name="cost")["id"]
        except NotBuilt as exc:
            rows.append(CostRow("seed", "POST /v1/resources", note=f"not measured: {exc}"))

    def plan() -> list[tuple[str, str, str, str, int | None, Callable[[], Any]]]:
        rid = resource_id or "res_missing"
        return [
            ("health (public)", "GET", "/v1/health", "", None, lambda: call("GET", "/v1/health")),
            (
                "login",
                "POST",
                "/v1/auth/login",
                "",
                None,
                lambda: call(
                    "POST",
                    "/v1/auth/login",
                    body={"email": caller.email if caller else "x@example.com", "password": PASSWORD},
                ),
            ),
            ("current user", "GET", "/v1/users/me", "", None, lambda: call("GET", "/v1/users/me", token=token)),
            (
                "get resource",
                "GET",
                f"/v1/resources/{rid}",
                "<= 2",
                2,
                lambda: call("GET", f"/v1/resources/{rid}", token=token),
            ),
            (
                "list resources (page 1)",
                "GET",
                "/v1/resources",
                "<= 3",
                3,
                lambda: call("GET", "/v1/resources", token=token),
            ),
            (
                "create resource",
                "POST",
                "/v1/resources",
                "<= 2",
                2,
                lambda: call("POST", "/v1/resources", token=token, body={"name": f"c-{uuid.uuid4().hex[:8]}"}),
            ),
            (
                "create resource, new Idempotency-Key",
                "POST",
                "/v1/resources",
                "<= 4",
                4,
                lambda: call(
                    "POST",
                    "/v1/resources",
                    token=token,
                    body={"name": "idem"},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                ),
            ),
            (
                "update resource",
                "PATCH",
                f"/v1/resources/{rid}",
                "",
                None,
                lambda: call("PATCH", f"/v1/resources/{rid}", token=token, body={"description": uuid.uuid4().hex}),
            ),
            ("list API keys", "GET", "/v1/api-keys", "", None, lambda: call("GET", "/v1/api-keys", token=token)),
            ("list workspaces", "GET", "/v1/workspaces", "", None, lambda: call("GET", "/v1/workspaces", token=token)),
            ("list namespaces", "GET", "/v1/namespaces", "", None, lambda: call("GET", "/v1/namespaces", token=token)),
            ("list webhooks", "GET", "/v1/webhooks", "", None, lambda: call("GET", "/v1/webhooks", token=token)),
            ("usage", "GET", "/v1/usage", "", None, lambda: call("GET", "/v1/usage", token=token)),
        ]

    for label, method, path, budget, trips, do in plan():
        row = CostRow(label, f"{method} {path.replace(resource_id or 'res_missing', '{id}')}", budget, trips)
        if not route_built(method, path):
            rows.append(_not_built(row, method, row.route.split(" ", 1)[1]))
            continue
        if label == "login" and caller is not None and caller.token.startswith("bench:"):
            row.note = "not measured: identity stubbed"
            rows.append(row)
            continue
        if caller is None and label not in ("health (public)",):
            row.note = "not measured: no authenticated caller (POST /v1/auth/register not built)"
            rows.append(row)
            continue
        if "{id}" in row.route and resource_id is None:
            row.note = "not measured: no resource to address"
            rows.append(row)
            continue
        try:
            rows.append(_measure(row, do))
        except Exception as exc:  # a route under construction: report, never fail the run
            row.note = f"failed: {type(exc).__name__}: {str(exc)[:120]}"
            rows.append(row)

    # The idempotent replay: the same key and body again answers from the stored response.
    if caller and route_built("POST", "/v1/resources"):
        key = uuid.uuid4().hex
        row = CostRow("create resource, replayed Idempotency-Key", "POST /v1/resources", "<= 4", 4)

        def replay() -> Any:
            return call("POST", "/v1/resources", token=token, body={"name": "replay"}, headers={"Idempotency-Key": key})

        try:
            rows.append(_measure(row, replay, warmups=1))
        except Exception as exc:
            row.note = f"failed: {type(exc).__name__}: {str(exc)[:120]}"
            rows.append(row)
    return rows


# --------------------------------------------------------------------------------- section 5: latency
def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


class _AwsClock:
    """Time spent inside botocore's `_make_api_call` (request building, the round trip, parsing) while on."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call

        def timed(client: Any, operation: str, params: dict[str, Any]) -> Any:
            started = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        botocore.client.BaseClient._make_api_call = timed  # type: ignore[method-assign]
        try:
            yield
        finally:
            botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def _time(label: str, do: Callable[[], Any], n: int, warmups: int = 5) -> LatencyRow:
    """p50/p99 of `do`, and where each request's time went: inside AWS calls, or the handler's own work."""
    for _ in range(warmups):
        do()
    totals, aws, own = [], [], []
    clock = _AwsClock()
    with clock.on():
        for _ in range(n):
            before = clock.seconds
            started = time.perf_counter()
            do()
            total = (time.perf_counter() - started) * 1000
            in_aws = (clock.seconds - before) * 1000
            totals.append(total)
            aws.append(in_aws)
            own.append(total - in_aws)
    p50, p99 = _percentiles(totals)
    return LatencyRow(
        label, p50, p99, n, aws_p50=statistics.median(aws), own_p50=statistics.median(own), calls=clock.calls / n
    )


def latency(caller: Caller | None, n: int) -> list[LatencyRow]:
    import importlib.util

    from bench.coldstart import BASELINES
    from tests.helpers import FakeContext, api_event

    spec = importlib.util.spec_from_file_location("bench_bare_app", BASELINES / "bare" / "app.py")
    assert spec
    assert spec.loader
    bare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bare)
    rows: list[LatencyRow] = []
    event = api_event("GET", "/v1/health")
    rows.append(
        _time("bare Powertools resolver, constant (baseline)", lambda: bare.handler(dict(event), FakeContext()), n)
    )
    if route_built("GET", "/v1/health"):
        rows.append(_time("GET /v1/health (platform front door, public)", lambda: call("GET", "/v1/health"), n))

    token = caller.token if caller else None
    resource_id = None
    if caller and route_built("POST", "/v1/resources"):
        try:
            with uncounted():
                for i in range(20):
                    resource_id = create_resource(call, caller, name=f"lat-{i}")["id"]
        except NotBuilt:
            resource_id = None
    hot: list[tuple[str, str, str, Callable[[], Any]]] = [
        (
            "GET /v1/resources/{id}",
            "GET",
            "/v1/resources/x",
            lambda: call("GET", f"/v1/resources/{resource_id}", token=token),
        ),
        ("GET /v1/resources (20 items)", "GET", "/v1/resources", lambda: call("GET", "/v1/resources", token=token)),
        (
            "POST /v1/resources",
            "POST",
            "/v1/resources",
            lambda: call("POST", "/v1/resources", token=token, body={"name": "latency"}),
        ),
        ("GET /v1/users/me", "GET", "/v1/users/me", lambda: call("GET", "/v1/users/me", token=token)),
    ]
    for label, method, path, do in hot:
        if not route_built(method, path):
            rows.append(LatencyRow(label, note=f"not measured: {method} {label.split(' ', 1)[1]} not built"))
        elif caller is None or ("{id}" in label and resource_id is None):
            rows.append(LatencyRow(label, note="not measured: no authenticated caller (auth routes not built)"))
        else:
            try:
                first = do()
                if getattr(first, "status", 500) >= 400:
                    rows.append(LatencyRow(label, note=f"not measured: answers {first.status}"))
                    continue
                rows.append(_time(label, do, n if method == "GET" else max(50, n // 2)))
            except Exception as exc:
                rows.append(LatencyRow(label, note=f"failed: {type(exc).__name__}: {str(exc)[:100]}"))
    return rows


# ----------------------------------------------------------------------------- section 3: pagination
def seed_resources(caller: Caller, total: int) -> int:
    """`total` resources in the caller's default namespace: ONE created through the API, the rest cloned
    from the items that create wrote (same shape, a new id each), with BatchWriteItem (25 per call)."""
    import boto3

    from platform_api.ids import new_id
    from platform_api.settings import get_settings

    original = create_resource(call, caller, name="seed-0000")
    resource_id = original["id"]
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = get_settings().table_name
    with uncounted():
        items = client.scan(TableName=table)["Items"]  # the table holds one tenant's handful of items here
    templates = [
        item
        for item in items
        if resource_id in str(item) and not item["PK"]["S"].startswith(("EVENT#", "IDEMPOTENCY#", "RATE#"))
    ]
    if not templates:
        raise NotBuilt("could not find the items a resource create writes")

    def clone(value: Any, old: str, new: str) -> Any:
        if isinstance(value, dict):
            return {k: clone(v, old, new) for k, v in value.items()}
        if isinstance(value, list):
            return [clone(v, old, new) for v in value]
        if isinstance(value, str):
            return value.replace(old, new)
        return value

    batch: list[dict[str, Any]] = []
    written = 1

    def flush() -> None:
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    with uncounted():
        for _ in range(1, total):
            new = new_id("res")
            if len(batch) + len(templates) > 25:
                flush()
                batch = []
            batch.extend({"PutRequest": {"Item": clone(item, resource_id, new)}} for item in templates)
            written += 1
        if batch:
            flush()
        # The clones bypassed the API, so move the namespace's resources counter (what `total` reads) too.
        counter = next(
            (i for i in items if i["SK"]["S"] == "ENTITLEMENT#resources" and i["PK"]["S"] == templates[0]["PK"]["S"]),
            None,
        )
        if counter is not None:
            client.update_item(
                TableName=table,
                Key={"PK": counter["PK"], "SK": counter["SK"]},
                UpdateExpression="SET used = :n, remaining = :r",
                ExpressionAttributeValues={":n": {"N": str(written)}, ":r": {"N": "1000000"}},
            )
    return written


def pagination(per_page: int, depth: int, total: int) -> tuple[list[CostRow], list[str]]:
    notes: list[str] = []
    rows: list[CostRow] = []
    labels = [
        ("cursor page 1", "<= 1.1x cursor page 1 (reference)"),
        (f"cursor page {depth}", "<= 1.1x cursor page 1"),
        ("page=1", ""),
        (f"page={depth}", ""),
    ]
    if not (route_built("GET", "/v1/resources") and route_built("POST", "/v1/resources")):
        return [
            CostRow(label, "GET /v1/resources", note="not measured: GET /v1/resources not built") for label, _ in labels
        ], notes
    try:
        caller = get_caller("page")
    except NotBuilt as exc:
        return [
            CostRow(label, "GET /v1/resources", note=f"not measured: {str(exc)[:100]}") for label, _ in labels
        ], notes
    started = time.monotonic()
    seeded = seed_resources(caller, total)
    notes.append(
        f"seeded {seeded} resources in {time.monotonic() - started:.1f}s (BatchWriteItem clones of one API create)"
    )

    def page(query: dict[str, str]) -> Any:
        return call("GET", "/v1/resources", token=caller.token, query={"per_page": str(per_page), **query})

    with counting() as first:
        reply = page({})
    if reply.status != 200:
        return [
            CostRow(label, "GET /v1/resources", note=f"not measured: list answers {reply.status}")
            for label, _ in labels
        ], notes
    rows.append(
        CostRow(labels[0][0], f"GET /v1/resources?per_page={per_page}", labels[0][1], status=reply.status, tally=first)
    )
    cursor = (reply.json.get("meta") or {}).get("next_cursor")
    if not cursor:
        rows.append(CostRow(labels[1][0], "GET /v1/resources?cursor=...", note="not measured: no meta.next_cursor"))
    else:
        seen = len(reply.json["data"])
        for _ in range(depth - 2):
            with uncounted():
                reply = page({"cursor": cursor})
            cursor = (reply.json.get("meta") or {}).get("next_cursor")
            seen += len(reply.json["data"])
            if not cursor:
                break
        if cursor:
            with counting() as deep:
                reply = page({"cursor": cursor})
            seen += len(reply.json["data"])
            rows.append(
                CostRow(
                    labels[1][0],
                    f"GET /v1/resources?per_page={per_page}&cursor=...",
                    labels[1][1],
                    status=reply.status,
                    tally=deep,
                    note=f"{len(reply.json['data'])} items on the page; {seen} seen in all",
                )
            )
        else:
            rows.append(
                CostRow(
                    labels[1][0], "GET /v1/resources?cursor=...", note=f"not measured: cursors ended after {seen} items"
                )
            )
    for label, number in ((labels[2][0], 1), (labels[3][0], depth)):
        with counting() as tally:
            reply = page({"page": str(number)})
        rows.append(
            CostRow(
                label,
                f"GET /v1/resources?per_page={per_page}&page={number}",
                status=reply.status,
                tally=tally,
                note=f"{len(reply.json.get('data') or [])} items on the page" if reply.status == 200 else "",
            )
        )
    return rows, notes


# --------------------------------------------------------------------------------- section 4: fanout
def fanout(subscriptions: int) -> tuple[list[CostRow], list[str]]:
    """Fan one outbox event out to `subscriptions` webhooks via functions/webhook_fanout/app.py."""
    from bench.env import ROOT

    path = ROOT / "functions" / "webhook_fanout" / "app.py"
    if not path.is_file():
        return [
            CostRow(
                f"fan one event out to {subscriptions} subscriptions",
                "webhook fanout",
                "<= 11 calls",
                note="not measured: functions/webhook_fanout/app.py not built",
            )
        ], []
    from bench import fanout_driver

    return fanout_driver.run(subscriptions)


def run(
    *, latency_n: int, per_page: int, depth: int, total: int, subscriptions: int, log: Any = print
) -> InProcessResults:
    from bench.env import moto_aws

    results = InProcessResults()
    with moto_aws():
        caller = None
        try:
            caller = get_caller("cost")
        except NotBuilt as exc:
            results.notes.append(f"no authenticated caller: {str(exc)[:160]}")
        except Exception as exc:
            results.notes.append(f"sign-up failed: {type(exc).__name__}: {str(exc)[:160]}")
        log("  DynamoDB cost per request")
        results.cost = dynamodb_cost(caller)
        log("  warm latency")
        results.latency = latency(caller, latency_n)
        log("  fanout")
        try:
            results.fanout, notes = fanout(subscriptions)
            results.notes.extend(notes)
        except Exception as exc:
            results.fanout = [
                CostRow(
                    f"fan one event out to {subscriptions} subscriptions",
                    "webhook fanout",
                    "<= 11 calls",
                    note=f"failed: {type(exc).__name__}: {str(exc)[:160]}",
                )
            ]
    with moto_aws():
        log("  pagination depth (seeding)")
        try:
            results.pagination, notes = pagination(per_page, depth, total)
            results.notes.extend(notes)
        except Exception as exc:
            results.pagination = [
                CostRow("pagination", "GET /v1/resources", note=f"failed: {type(exc).__name__}: {str(exc)[:160]}")
            ]
    return results
