"""An Idempotency-Key survives a crash: workers killed at random points of keyed creates, batches and deletes,
every request retried with its key until it answers, and then: exactly one effect per key, the same answer
to every retry (docs/idempotency.md, "Exactly once"), and one webhook event per effect, delivered once even
after the pipeline's own workers were killed while idle (the local stream source re-reads from its checkpoint).

The stack runs with ResourcesFunction's Timeout capped at 3 s (LOCAL_TIMEOUT_CAPS), so a key held by a
killed invocation frees itself in seconds, as it would after a Lambda timeout of 3 s. Each round warms one
ResourcesFunction container per request, sends the keyed requests with a random stagger, and kill -9s every
ResourcesFunction container at a random instant; rounds go on until at least KILLS requests were cut off
mid-flight (the gateway answered 502 for them).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from local import launcher
from local.webhook_receiver import WebhookReceiver
from tests.identity_support import register_user_http

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KILLS = 50
PER_ROUND = 8
MAX_ROUNDS = 40
PIPELINE = ("StreamForwarderFunction", "WebhookFanoutFunction", "WebhookDeliveryFunction")
ENVIRONMENT = {
    "LOCAL_TIMEOUT_CAPS": "ResourcesFunction=3",
    "LOCAL_FUNCTION_CONCURRENCY": str(PER_ROUND),
    "RATE_LIMITS_JSON": json.dumps({"free": {"burst": 1_000_000, "minute": 1_000_000, "hour": 10_000_000}}),
}


@dataclass
class Keyed:
    kind: str  # create | batch | delete
    method: str
    path: str
    body: Any
    key: str = field(default_factory=lambda: f"crash-{uuid.uuid4()}")
    answers: list[tuple[int, Any]] = field(default_factory=list)  # every final answer, in order
    cut_off: bool = False  # the first attempt died with its worker
    failure: str | None = None  # what went wrong in its thread


def _workers(stack: launcher.RunningStack, function: str = "ResourcesFunction") -> list[int]:
    pids = []
    for pid in launcher._children(stack.process.pid):
        try:  # Linux keeps 15 characters of the name a local worker gives itself
            if Path(f"/proc/{pid}/comm").read_text().strip() == function[:15]:
                pids.append(pid)
        except OSError:
            continue
    return pids


def _send(session: requests.Session, url: str, auth: dict[str, str], request: Keyed) -> requests.Response:
    headers = {**auth, "Idempotency-Key": request.key}
    return session.request(request.method, f"{url}{request.path}", json=request.body, headers=headers, timeout=30)


def _answer(response: requests.Response) -> tuple[int, Any]:
    body = response.json() if response.content else None
    return response.status_code, (body or {}).get("data") if isinstance(body, dict) else body


def _final(response: requests.Response) -> bool:
    """An answer the key stands for: not the gateway's 502, not 'still in progress'."""
    if response.status_code >= 500:
        return False
    return not (response.status_code == 409 and response.json()["error"]["code"] == "idempotency_key_in_use")


def _run(url: str, auth: dict[str, str], request: Keyed, stagger: float) -> None:
    try:
        _retry_until_answered(url, auth, request, stagger)
    except Exception as exc:
        request.failure = f"{request.kind} {request.key}: {exc!r}"


def _retry_until_answered(url: str, auth: dict[str, str], request: Keyed, stagger: float) -> None:
    session = requests.Session()
    time.sleep(stagger)
    first = _send(session, url, auth, request)
    request.cut_off = first.status_code == 502
    request.answers.append(_answer(_until_final(session, url, auth, request, first)))
    for _ in range(2):  # and the key keeps that answer (a replay can be cut off too, if it is the one in flight)
        again = _until_final(session, url, auth, request, _send(session, url, auth, request))
        assert again.headers.get("Idempotent-Replayed") == "true", again.text
        request.answers.append(_answer(again))


def _until_final(
    session: requests.Session, url: str, auth: dict[str, str], request: Keyed, response: requests.Response
) -> requests.Response:
    deadline = time.monotonic() + 60
    while not _final(response):
        assert time.monotonic() < deadline, f"never answered: {response.text}"
        time.sleep(0.25)
        response = _send(session, url, auth, request)
    return response


def _warm(url: str, auth: dict[str, str], stack: launcher.RunningStack) -> None:
    """One warm container per request of the round, so each keyed request lands on its own."""
    for _ in range(20):
        if len(_workers(stack)) >= PER_ROUND:
            return
        with ThreadPoolExecutor(PER_ROUND) as pool:
            list(
                pool.map(
                    lambda _: requests.get(f"{url}/v1/resources?per_page=1", headers=auth, timeout=30), range(PER_ROUND)
                )
            )
    raise AssertionError(f"only {len(_workers(stack))} ResourcesFunction containers came up")


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _create(url: str, auth: dict[str, str], name: str) -> str:
    reply = requests.post(f"{url}/v1/resources", json={"name": name}, headers=auth, timeout=30)
    assert reply.status_code == 201, reply.text
    return reply.json()["data"]["id"]


def _round(url: str, auth: dict[str, str], stack: launcher.RunningStack, number: int) -> list[Keyed]:
    targets = [_create(url, auth, f"target {number}.{i}") for i in range(2)]
    requests_ = (
        [Keyed("create", "POST", "/v1/resources", {"name": f"created {number}.{i}"}) for i in range(3)]
        + [
            Keyed(
                "batch",
                "POST",
                "/v1/resources/batch",
                {"operations": [{"action": "create", "data": {"name": f"batched {number}.{i}.{j}"}} for j in range(3)]},
            )
            for i in range(3)
        ]
        + [Keyed("delete", "DELETE", f"/v1/resources/{target}", None) for target in targets]
    )
    _warm(url, auth, stack)
    threads = [
        threading.Thread(target=_run, args=(url, auth, r, random.uniform(0, 0.08)), daemon=True) for r in requests_
    ]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(0.01, 0.25))
    _kill(_workers(stack))
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive()
    return requests_


def test_a_killed_worker_never_turns_one_key_into_two_effects_or_two_answers(tmp_path):
    with WebhookReceiver() as inbox, launcher.running(tmp_path / "data", tmp_path / "stack.log", ENVIRONMENT) as stack:
        user = register_user_http(stack.url)
        auth = {"Authorization": f"Bearer {user['access_token']}"}
        hook = {"url": inbox.url, "events": ["resource.created", "resource.deleted"]}
        assert requests.post(f"{stack.url}/v1/webhooks", json=hook, headers=auth, timeout=30).status_code == 201
        done: list[Keyed] = []
        rounds = 0
        while sum(r.cut_off for r in done) < KILLS and rounds < MAX_ROUNDS:
            rounds += 1
            done += _round(stack.url, auth, stack, rounds)
        assert [r.failure for r in done if r.failure] == []
        cut_off = Counter(r.kind for r in done if r.cut_off)
        print(f"{rounds} rounds, {len(done)} keyed requests, cut off mid-flight: {dict(cut_off)}")  # -s shows it
        assert sum(cut_off.values()) >= KILLS, f"only {sum(cut_off.values())} requests were cut off"

        for request in done:  # the same answer every time, and the right one
            assert len({json.dumps(a, sort_keys=True) for a in request.answers}) == 1, (request.kind, request.answers)
            status, data = request.answers[0]
            assert status == {"create": 201, "batch": 200, "delete": 204}[request.kind], (request.kind, status, data)

        # Exactly one effect per key: every name written once, every delete done, the counters agree.
        expected = Counter()
        for request in done:
            if request.kind == "create":
                expected[request.body["name"]] += 1
            elif request.kind == "batch":
                expected.update(op["data"]["name"] for op in request.body["operations"])
        stored: Counter[str] = Counter()
        cursor = None
        while True:
            query = {"per_page": 100, **({"cursor": cursor} if cursor else {})}
            page = requests.get(f"{stack.url}/v1/resources", params=query, headers=auth, timeout=30).json()
            stored.update(r["name"] for r in page["data"])
            cursor = (page.get("meta") or {}).get("next_cursor")
            if not cursor:
                break
        targets_left = {name for name in stored if name.startswith("target ")}
        deleted = {
            requests.get(f"{stack.url}{r.path}", headers=auth, timeout=30).status_code
            for r in done
            if r.kind == "delete"
        }
        assert deleted == {404}
        created = Counter({name: count for name, count in stored.items() if not name.startswith("target ")})
        assert created == expected, f"duplicated: {created - expected}, missing: {expected - created}"
        assert not targets_left, targets_left
        namespace = requests.get(f"{stack.url}/v1/namespaces/{user['namespace_id']}", headers=auth, timeout=30).json()
        assert namespace["data"]["entitlements"]["resources"]["used"] == sum(stored.values())

        # One event per effect, each delivered once: the pipeline's workers killed while idle change nothing.
        _kill([pid for function in PIPELINE for pid in _workers(stack, function)])
        last = _create(stack.url, auth, "after the pipeline was killed")
        created_ids = {last} | {r.path.rsplit("/", 1)[1] for r in done if r.kind == "delete"}
        for request in done:
            _, data = request.answers[0]
            if request.kind == "create":
                created_ids.add(data["id"])
            elif request.kind == "batch":
                created_ids.update(result["id"] for result in data)
        deleted_ids = {r.path.rsplit("/", 1)[1] for r in done if r.kind == "delete"}
        inbox.wait_for(created_ids, 120, "resource.created")
        inbox.wait_for(deleted_ids, 60, "resource.deleted")
        events: dict[tuple[str, str], set[str]] = {}  # (type, object id) -> the webhook-ids it came with
        for delivery in inbox.deliveries:
            events.setdefault((delivery.payload["type"], delivery.object_id), set()).add(delivery.headers["webhook-id"])
        assert {i for kind, i in events if kind == "resource.created"} == created_ids
        assert {i for kind, i in events if kind == "resource.deleted"} == deleted_ids
        assert {effect: ids for effect, ids in events.items() if len(ids) > 1} == {}  # one event per effect
        print(f"events delivered: {dict(Counter(kind for kind, _ in events))}")
