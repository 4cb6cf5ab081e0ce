"""Idempotency under real concurrency: 50 threads, one key, over HTTP (one process per function)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.e2e.test_resources_http import new_caller, pytestmark  # noqa: F401  (same preconditions)


def test_forty_threads_one_key_create_exactly_one_resource(http):
    """Forty: with the list and the replay after, the race stays inside a free user's burst (50 per 10 s)."""
    import requests

    auth = new_caller(http)
    headers = {**auth, "Idempotency-Key": "concurrent-key-1"}
    url = f"{http.base_url}/v1/resources"

    def send(_):
        reply = requests.post(url, json={"name": "only once"}, headers=headers, timeout=60)
        return reply.status_code, reply.json(), reply.headers.get("Idempotent-Replayed")

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(send, range(40)))
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {201, 409}, statuses
    created = [body for status, body, replayed in results if status == 201 and replayed is None]
    replays = [body for status, body, replayed in results if status == 201 and replayed == "true"]
    assert len(created) == 1
    assert all(body == created[0] for body in replays)
    assert all(body["error"]["code"] == "idempotency_key_in_use" for status, body, _ in results if status == 409)
    listed = http.get(url, headers=auth).json()
    assert listed["meta"]["total"] == 1
    assert listed["data"][0]["id"] == created[0]["data"]["id"]
    # after the race, the key replays
    again = requests.post(url, json={"name": "only once"}, headers=headers, timeout=60)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == created[0]


def test_two_callers_same_key_get_two_resources_and_a_changed_body_is_422(http):
    first, second = new_caller(http), new_caller(http)
    url = f"{http.base_url}/v1/resources"
    a = http.post(url, json={"name": "mine"}, headers={**first, "Idempotency-Key": "same"})
    b = http.post(url, json={"name": "mine"}, headers={**second, "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json()["data"]["id"] != b.json()["data"]["id"]
    mismatch = http.post(url, json={"name": "other"}, headers={**first, "Idempotency-Key": "same"})
    assert mismatch.status_code == 422
    assert mismatch.json()["error"]["code"] == "idempotency_key_mismatch"
