"""The embedded local stack (`python -m local run`) under load, over HTTP: cost against table size, a mixed
concurrent load, and a soak with webhook receivers. Each part starts its own stack in a temporary folder.

Reports figures, never asserts them: a slow machine gives slower numbers, not a failure.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from local import launcher
from local.webhook_receiver import WebhookReceiver

UNLIMITED = {"RATE_LIMITS_JSON": json.dumps({"free": {"burst": 1_000_000, "minute": 1_000_000, "hour": 10_000_000}})}
PASSWORD = "bench-Password-123456!"  # noqa: S105 - a throwaway user in a throwaway stack
TABLE = "local-Table"
SIZES = (100, 1_000, 10_000)
FILL_PREFIX = "BENCHFILL#"
BATCH = 23  # the most creates one batch takes (domain.resources.MAX_BATCH_OPERATIONS)
CLIENTS = 16
LOAD_USERS = 8
LOAD_SEED = 20
MIX = (("list", 0.60), ("get", 0.20), ("create", 0.15), ("patch", 0.05))
SOAK_USERS = 4
SOAK_LIVE_CAP = 900  # the free package's 1,000 resources per namespace, with room to spare
DRAIN_SECONDS = 120
RSS_EVERY = 5.0
SETTLE = 2.0  # seconds for the event pipeline to drain before a timed series (stream batching window: 1 s)
GAP = 0.5  # ... and after a single request
BEFORE = "before this change: 2.4 req/s, p50 4.8 s, p99 24 s (issue 18; quoted, not measured here)"


# ---------------------------------------------------------------- helpers


@contextlib.contextmanager
def _fresh_stack() -> Iterator[tuple[launcher.RunningStack, Path]]:
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        folder = Path(tmp)
        with launcher.running(folder / "data", folder / "stack.log", UNLIMITED) as stack:
            yield stack, folder


class User:
    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        suffix = uuid.uuid4().hex[:16]
        body = {"email": f"bench-{suffix}@example.com", "username": f"bench_{suffix}", "password": PASSWORD}
        reply = (session or requests).post(f"{url}/v1/auth/register", json=body, timeout=60)
        if reply.status_code != 201:
            raise RuntimeError(f"register: {reply.status_code} {reply.text[:300]}")
        self.auth = {"Authorization": f"Bearer {reply.json()['access_token']}"}
        self.ids: list[str] = []  # live resources
        self.lock = threading.Lock()

    def add(self, *ids: str) -> None:
        with self.lock:
            self.ids.extend(ids)

    def pick(self, rng: random.Random, remove: bool = False) -> str | None:
        with self.lock:
            if not self.ids:
                return None
            index = rng.randrange(len(self.ids))
            return self.ids.pop(index) if remove else self.ids[index]


def _create(http: Any, url: str, user: User, name: str) -> requests.Response:
    reply = http.post(f"{url}/v1/resources", json={"name": name}, headers=user.auth, timeout=120)
    if reply.status_code == 201:
        user.add(reply.json()["data"]["id"])
    return reply


def _batch(http: Any, url: str, user: User, count: int, tag: str) -> list[str]:
    operations = [{"action": "create", "data": {"name": f"{tag} {i}"}} for i in range(count)]
    reply = http.post(f"{url}/v1/resources/batch", json={"operations": operations}, headers=user.auth, timeout=120)
    if reply.status_code not in (200, 201):
        raise RuntimeError(f"batch: {reply.status_code} {reply.text[:300]}")
    ids = [result["data"]["id"] for result in reply.json()["data"] if result.get("data")]
    user.add(*ids)
    return ids


def _timed(do: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = do()
    return time.perf_counter() - started, result


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _dynamodb(stack: launcher.RunningStack) -> Any:
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=stack.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )


def _count_items(client: Any) -> int:
    total, kwargs = 0, {"TableName": TABLE, "Select": "COUNT"}
    while True:
        page = client.scan(**kwargs)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _fill(client: Any, start: int, count: int) -> None:
    """`count` filler items, 25 per BatchWriteItem, under their own partitions (never read by the API)."""
    pad = "x" * 200  # about the size of a resource item
    for first in range(start, start + count, 25):
        requests_ = [
            {
                "PutRequest": {
                    "Item": {
                        "PK": {"S": f"{FILL_PREFIX}{n % 200}"},
                        "SK": {"S": f"ITEM#{n:07d}"},
                        "entity": {"S": "bench_filler"},
                        "name": {"S": f"filler {n}"},
                        "payload": {"S": pad},
                    }
                }
            }
            for n in range(first, min(first + 25, start + count))
        ]
        pending: dict[str, Any] = {TABLE: requests_}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# ---------------------------------------------------------------- 1. cost against table size


def table_size(log: Callable[[str], None]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    with _fresh_stack() as (stack, folder):
        client, http = _dynamodb(stack), requests.Session()
        user = User(stack.url, http)
        # Untimed warm-up: one worker per route is started, so the smallest size does not pay cold starts.
        _create(http, stack.url, user, "warm-up")
        _batch(http, stack.url, user, BATCH, "warm-up")
        http.get(f"{stack.url}/v1/resources?per_page=20", headers=user.auth, timeout=60)
        filled = 0
        for target in SIZES:
            items = _count_items(client)
            if items < target:
                log(f"  filling the table to {target:,} items ({target - items:,} BatchWriteItem puts)")
                _fill(client, filled, target - items)
                filled += target - items
                items = _count_items(client)
                time.sleep(5)  # the stream poller reads (and filters out) every filler record, and a snapshot runs
            # Timed with pauses (2 s before each batch, 0.5 s after each single request): back to back, every
            # request on this stack, reads included, takes several times longer (the "back to back" list column),
            # which would hide the table size. The pauses also let the events of earlier writes (stream ->
            # forwarder -> fanout, in the same process as moto) through before the next write.
            batches = []
            for i in range(3):
                time.sleep(SETTLE)
                batches.append(_timed(lambda i=i, t=target: _batch(http, stack.url, user, BATCH, f"{t} batch {i}"))[0])
            time.sleep(SETTLE)
            singles = []
            for i in range(10):
                singles.append(_timed(lambda i=i, t=target: _create(http, stack.url, user, f"{t} single {i}"))[0])
                time.sleep(GAP)
            time.sleep(SETTLE)

            def page() -> Any:
                return http.get(f"{stack.url}/v1/resources?per_page=20", headers=user.auth, timeout=60)

            lists = []
            for _ in range(10):
                lists.append(_timed(page)[0])
                time.sleep(GAP)
            back_to_back = [_timed(page)[0] for _ in range(10)]
            state = folder / "data" / "state.json"
            rows.append(
                {
                    "target": target,
                    "items": items,
                    "batch": statistics.median(batches),
                    "single": statistics.median(singles),
                    "list": statistics.median(lists),
                    "list_back_to_back": statistics.median(back_to_back),
                    "single_max": max(singles),
                    "list_max": max(lists),
                    "rss": stack.rss_bytes(),
                    "snapshot_bytes": state.stat().st_size if state.exists() else None,
                }
            )
            log(
                f"  {items:,} items: batch {rows[-1]['batch'] * 1000:.0f} ms, single {rows[-1]['single'] * 1000:.0f}"
                f" ms, list {rows[-1]['list'] * 1000:.0f} ms, rss {rows[-1]['rss'] / 2**20:.0f} MiB"
            )
    return {"rows": rows}


# ---------------------------------------------------------------- profile (py-spy dump of the stack process)

_IDLE = "idle (accept loop, keep-alive read, SQS long poll, timers, idle worker)"
_Frames = list[tuple[str, str]]  # (function, file), innermost first


def _has(frames: _Frames, text: str, depth: int = 1000) -> bool:
    return any(text in name or text in path for name, path in frames[:depth])


_RULES: list[tuple[str, Callable[[_Frames], bool]]] = [
    ("waiting for the emulator lock", lambda f: f[0] == ("_locked.<locals>.call", "local/emulator.py")),
    ("moto DynamoDB/SQS work under the emulator lock", lambda f: _has(f, "local/emulator.py")),
    ("API request: waiting for a free function worker (pool at its limit)", lambda f: _has(f, "FunctionPool._acquire")),
    (
        "event sources: blocked on moto (mostly SQS long polls)",
        lambda f: _has(f, "local/event_sources.py") and f[0][0] == "SocketIO.readinto",
    ),
    (
        "event sources: a function running (stream forwarder, fanout, delivery)",
        lambda f: _has(f, "local/event_sources.py") and _has(f, "Worker.wait"),
    ),
    ("event sources: polling, filtering, batching", lambda f: _has(f, "local/event_sources.py")),
    ("API request: hand-off to a function worker (pipe wait while it runs)", lambda f: _has(f, "Worker.wait")),
    ("JSON encode/decode", lambda f: _has(f, "json/", 4)),
    ("snapshot of the tables", lambda f: _has(f, "local/snapshot.py")),
    ("moto HTTP front (werkzeug, flask, dispatch, response)", lambda f: _has(f, "werkzeug") or _has(f, "moto/")),
    ("API HTTP server (local/server.py: parse, event, reply)", lambda f: _has(f, "local/server.py")),
]
_WORKER_RULES: list[tuple[str, Callable[[_Frames], bool]]] = [
    ("waiting for moto's reply", lambda f: f[0][0] == "SocketIO.readinto" and _has(f, "botocore/")),
    ("outbound webhook HTTP (delivery)", lambda f: _has(f, "http/client.py") and not _has(f, "botocore/")),
    ("botocore: sign, serialise, parse, connect", lambda f: _has(f, "botocore/", 14) or _has(f, "urllib3/", 6)),
    ("JSON encode/decode", lambda f: _has(f, "json/", 4)),
    ("pydantic validation / serialisation", lambda f: _has(f, "pydantic", 6)),
    ("Powertools (logger, router, batch)", lambda f: _has(f, "aws_lambda_powertools", 6)),
    ("pynamodb models", lambda f: _has(f, "pynamodb", 6)),
    ("handler code (platform_api, app.py)", lambda f: _has(f, "platform_api", 8) or _has(f, "app.py", 8)),
]


def _is_idle(main_process: bool, frames: _Frames) -> bool:
    top = frames[0][0]
    if not main_process:  # a worker waiting for its next invocation; the resource tracker
        return (frames[0][1].startswith("multiprocessing/connection.py") and _has(frames, "_serve")) or _has(
            frames, "resource_tracker"
        )
    if _has(frames, "Queue.wait_for_messages"):  # moto's side of an SQS long poll
        return True
    busy = ("Worker.wait", "FunctionPool._acquire", "botocore/", "local/emulator.py")
    waiting = ("_PollLikeSelector.select", "SocketIO.readinto", "Condition.wait", "Event.wait")
    return top in waiting and not any(_has(frames, text) for text in busy)


def _parse_dump(text: str) -> list[tuple[bool, _Frames]]:
    """(is the stack process itself, frames) per thread of one `py-spy dump --subprocesses`."""
    threads: list[tuple[bool, _Frames]] = []
    main_process = True
    frames: _Frames | None = None
    for line in text.splitlines():
        if line.startswith("Process "):
            main_process = "-m local run" in line
        elif line.startswith("Thread "):
            frames = []
            threads.append((main_process, frames))
        elif line.startswith("    ") and frames is not None and line.endswith(")") and " (" in line:
            name, _, where = line.strip().rpartition(" (")
            frames.append((name, where[:-1].rsplit(":", 1)[0]))
    return threads


def _classify(main_process: bool, frames: _Frames) -> str:
    if not frames:
        return "other"
    if _is_idle(main_process, frames):
        return _IDLE
    for label, rule in _RULES if main_process else _WORKER_RULES:
        if rule(frames):
            return label
    return f"other: {frames[0][0]} ({frames[0][1]})"


def _first_party(frames: _Frames) -> tuple[str, str]:
    """The innermost frame outside the standard library (where a wait or a call comes from)."""
    for name, path in frames:
        if path.split("/")[0].removesuffix(".py") not in sys.stdlib_module_names and not path.startswith("<"):
            return name, path
    return frames[0]


class Profiler:
    """A few `py-spy dump --subprocesses` of the stack while the load runs."""

    def __init__(self, pid: int, every: float = 3.0, most: int = 12) -> None:
        self.pid, self.every, self.most = pid, every, most
        self.dumps: list[str] = []
        self.error = ""
        self.failed = 0
        self.binary = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Profiler:
        if not Path(self.binary).exists():
            self.error = "py-spy is not installed (pip install py-spy): no profile"
        else:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def _run(self) -> None:
        while len(self.dumps) < self.most and self.failed < 10 and not self._stop.wait(self.every):
            done = subprocess.run(
                [self.binary, "dump", "--pid", str(self.pid), "--subprocesses"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if done.returncode != 0:
                message = " ".join(line.strip() for line in done.stderr.strip().splitlines()[:3])[:240] or "no message"
                if not self.dumps and ("ermission" in message or "ptrace" in message or "not permitted" in message):
                    self.error = f"py-spy could not attach (ptrace not permitted): {message}"
                    return
                self.failed += 1  # e.g. a worker process exiting mid-dump: try again at the next tick
                self.error = f"{self.failed} dump(s) failed, last: {message}"
                continue
            self.dumps.append(done.stdout)

    def summary(self) -> dict[str, Any]:
        stack_counts: Counter[str] = Counter()
        worker_counts: Counter[str] = Counter()
        tops: Counter[str] = Counter()
        for text in self.dumps:
            for main_process, frames in _parse_dump(text):
                label = _classify(main_process, frames)
                (stack_counts if main_process else worker_counts)[label] += 1
                if label != _IDLE and frames:
                    name, path = _first_party(frames)
                    tops[f"{'' if main_process else 'worker: '}{name} ({path})"] += 1
        return {
            "dumps": len(self.dumps),
            "stack": stack_counts.most_common(),
            "workers": worker_counts.most_common(),
            "top_frames": tops.most_common(8),
            "error": self.error,
        }


# ---------------------------------------------------------------- 2. mixed concurrent load


def mixed_load(log: Callable[[str], None], total: int) -> dict[str, Any]:
    rng = random.Random(18)
    kinds: list[str] = []
    for kind, share in MIX:
        kinds += [kind] * round(total * share)
    kinds = (kinds + ["list"] * total)[:total]
    rng.shuffle(kinds)
    plan = [(kind, i % LOAD_USERS) for i, kind in enumerate(kinds)]
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    position = iter(range(len(plan)))

    with _fresh_stack() as (stack, _):
        users = [User(stack.url) for _ in range(LOAD_USERS)]
        for index, user in enumerate(users):
            _batch(requests, stack.url, user, LOAD_SEED, f"seed {index}")
        for user in users:  # each route once per worker kind, untimed
            requests.get(f"{stack.url}/v1/resources?per_page=20", headers=user.auth, timeout=60)
        rss_before = stack.rss_bytes()

        def client(seed: int) -> None:
            local_rng, http = random.Random(seed), requests.Session()
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                kind, who = plan[index]
                user = users[who]
                url = stack.url
                started = time.perf_counter()
                try:
                    if kind == "list":
                        status = http.get(f"{url}/v1/resources?per_page=20", headers=user.auth, timeout=120).status_code
                    elif kind == "create":
                        status = _create(http, url, user, f"load {index}").status_code
                    else:
                        rid = user.pick(local_rng)
                        if kind == "get":
                            status = http.get(f"{url}/v1/resources/{rid}", headers=user.auth, timeout=120).status_code
                        else:
                            body = {"description": f"patched by request {index}"}
                            reply = http.patch(f"{url}/v1/resources/{rid}", json=body, headers=user.auth, timeout=120)
                            status = reply.status_code
                except requests.RequestException:
                    status = 0
                with lock:
                    results.append((kind, time.perf_counter() - started, status))

        log(f"  {total} requests from {CLIENTS} clients over {LOAD_USERS} users")
        with Profiler(stack.process.pid) as profiler:
            started = time.perf_counter()
            threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        rss_after = stack.rss_bytes()

    def figures(rows: list[tuple[str, float, int]]) -> dict[str, Any]:
        seconds = [r[1] for r in rows]
        return {
            "n": len(rows),
            "p50": _percentile(seconds, 50),
            "p99": _percentile(seconds, 99),
            "max": max(seconds) if seconds else None,
            "errors": sum(1 for r in rows if not 200 <= r[2] < 300),
        }

    statuses = Counter(r[2] for r in results if not 200 <= r[2] < 300)
    return {
        "total": total,
        "clients": CLIENTS,
        "users": LOAD_USERS,
        "wall": wall,
        "rps": len(results) / wall if wall else None,
        "all": figures(results),
        "kinds": {kind: figures([r for r in results if r[0] == kind]) for kind, _ in MIX},
        "error_statuses": dict(statuses),
        "rss_before": rss_before,
        "rss_after": rss_after,
        "profile": profiler.summary(),
    }


# ---------------------------------------------------------------- 3. soak with webhook receivers


def soak(log: Callable[[str], None], seconds: float) -> dict[str, Any]:
    inbox = WebhookReceiver()
    created: set[str] = set()
    deleted: set[str] = set()
    ops: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    samples: list[tuple[float, int, int]] = []
    lock = threading.Lock()
    try:
        with _fresh_stack() as (stack, _):
            users = [User(stack.url) for _ in range(SOAK_USERS)]
            for user in users:
                hook = requests.post(
                    f"{stack.url}/v1/webhooks",
                    json={"url": inbox.url, "events": ["resource.created"]},
                    headers=user.auth,
                    timeout=60,
                )
                if hook.status_code != 201:
                    raise RuntimeError(f"webhook: {hook.status_code} {hook.text[:300]}")
            warm = set()
            for index, user in enumerate(users):  # warm the event pipeline: stream, fanout, delivery
                reply = _create(requests, stack.url, user, f"warm-up {index}")
                warm.add(reply.json()["data"]["id"])
            created |= warm
            inbox.wait_for(warm, 60, "resource.created")
            client = _dynamodb(stack)
            items_start, rss_start, live_start = _count_items(client), stack.rss_bytes(), len(created)
            started = time.monotonic()
            deadline = started + seconds

            def sampler() -> None:
                while time.monotonic() < deadline:
                    with lock:
                        live = len(created) - len(deleted)
                    samples.append((time.monotonic() - started, stack.rss_bytes(), live))
                    time.sleep(min(RSS_EVERY, max(0.0, deadline - time.monotonic())))

            def worker(seed: int) -> None:
                rng, http, user = random.Random(seed), requests.Session(), users[seed % len(users)]
                while time.monotonic() < deadline:
                    kind = rng.choices(("create", "patch", "delete", "list"), (35, 20, 15, 30))[0]
                    if kind == "create" and len(user.ids) >= SOAK_LIVE_CAP:
                        kind = "delete"
                    if kind in ("patch", "delete") and not user.ids:
                        kind = "create"
                    t0 = time.perf_counter()
                    try:
                        if kind == "create":
                            reply = _create(http, stack.url, user, f"soak {seed}")
                            if reply.status_code == 201:
                                with lock:
                                    created.add(reply.json()["data"]["id"])
                        elif kind == "list":
                            reply = http.get(f"{stack.url}/v1/resources?per_page=20", headers=user.auth, timeout=120)
                        elif kind == "patch":
                            rid = user.pick(rng)
                            body = {"description": f"soak {rng.random()}"}
                            reply = http.patch(
                                f"{stack.url}/v1/resources/{rid}", json=body, headers=user.auth, timeout=120
                            )
                        else:
                            rid = user.pick(rng, remove=True)
                            reply = http.delete(f"{stack.url}/v1/resources/{rid}", headers=user.auth, timeout=120)
                            if 200 <= reply.status_code < 300:
                                with lock:
                                    deleted.add(rid)
                        status = reply.status_code
                    except requests.RequestException:
                        status = 0
                    with lock:
                        ops[kind] += 1
                        latencies.append(time.perf_counter() - t0)
                        if not 200 <= status < 300:
                            errors[f"{kind} {status}"] += 1

            log(f"  soaking for {seconds:.0f} s ({SOAK_USERS} users, {SOAK_USERS} clients, webhook receivers)")
            threads = [threading.Thread(target=sampler)] + [
                threading.Thread(target=worker, args=(seed,)) for seed in range(SOAK_USERS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            soaked = time.monotonic() - started
            rss_loop_end = stack.rss_bytes()
            log(f"  waiting (at most {DRAIN_SECONDS} s) for {len(created)} resource.created events")
            drain = inbox.wait_for(set(created), DRAIN_SECONDS, "resource.created")
            time.sleep(2)  # late duplicates, if any, arrive too
            rss_end, items_end = stack.rss_bytes(), _count_items(client)
    finally:
        inbox.close()

    events = [d for d in inbox.deliveries if d.payload.get("type") == "resource.created"]
    unique = {d.headers.get("webhook-id", "") for d in events}
    live_end = len(created) - len(deleted)
    growth = rss_end - rss_start
    return {
        "seconds": soaked,
        "users": SOAK_USERS,
        "ops": dict(ops),
        "requests": sum(ops.values()),
        "p50": _percentile(latencies, 50),
        "p99": _percentile(latencies, 99),
        "errors": dict(errors),
        "expected": len(created),
        "deliveries": len(events),
        "unique": len(unique),
        "duplicates": len(events) - len(unique),
        "missing": len(created - {d.object_id for d in events}),
        "drain": drain,
        "live_start": live_start,
        "live_end": live_end,
        "deleted": len(deleted),
        "items_start": items_start,
        "items_end": items_end,
        "rss_start": rss_start,
        "rss_loop_end": rss_loop_end,
        "rss_end": rss_end,
        "rss_peak": max([s[1] for s in samples] + [rss_end]),
        "growth_per_1000_live": growth / max(1, live_end - live_start) * 1000 if live_end > live_start else None,
        "growth_per_1000_items": growth / max(1, items_end - items_start) * 1000 if items_end > items_start else None,
        "samples": samples,
    }


# ---------------------------------------------------------------- entry point


def run(log: Callable[[str], None], soak_seconds: float = 120, load_requests: int = 1500) -> dict[str, Any]:
    soak_seconds = max(10.0, min(float(soak_seconds), 1800.0))  # bounded: the loop always ends by itself
    results: dict[str, Any] = {"notes": [], "before": BEFORE}
    for key, label, do in (
        ("sizes", "cost against table size", lambda: table_size(log)),
        ("load", "mixed concurrent load", lambda: mixed_load(log, max(CLIENTS, load_requests))),
        ("soak", "soak with webhook receivers", lambda: soak(log, soak_seconds)),
    ):
        log(f" {label}")
        try:
            results[key] = do()
        except Exception:
            results["notes"].append(f"{label} failed: " + traceback.format_exc().strip().splitlines()[-1])
            log(traceback.format_exc())
    return results
