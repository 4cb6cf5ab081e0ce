"""Resources end to end over real HTTP (one process per function, as on Lambda): CRUD and the list."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.e2e


def new_caller(http) -> dict[str, str]:
    """Register and log in a fresh user through the contract's auth routes; returns the auth header."""
    suffix = uuid.uuid4().hex[:10]
    credentials = {
        "email": f"res-{suffix}@example.com",
        "username": f"res{suffix}",
        "password": "correct horse battery 9",
    }
    registered = http.post(f"{http.base_url}/v1/auth/register", json=credentials)
    assert registered.status_code in (200, 201), registered.text
    login = http.post(
        f"{http.base_url}/v1/auth/login", json={"email": credentials["email"], "password": credentials["password"]}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_crud_over_http(http):
    auth = new_caller(http)
    base = f"{http.base_url}/v1/resources"
    created = http.post(
        base, json={"name": "New Resource", "type": "standard", "metadata": {"key": "value"}}, headers=auth
    )
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["status"] == "active"
    assert created.headers["Location"].endswith(f"/v1/resources/{data['id']}")

    fetched = http.get(f"{base}/{data['id']}", headers=auth)
    assert fetched.status_code == 200
    assert fetched.json()["data"]["metadata"] == {"key": "value"}

    listed = http.get(base, params={"page": 1, "per_page": 50, "sort": "-created_at"}, headers=auth).json()
    assert [d["id"] for d in listed["data"]] == [data["id"]]
    assert listed["meta"]["total"] == 1
    assert listed["links"]["first"].startswith("http")

    patched = http.patch(f"{base}/{data['id']}", json={"name": "Updated Name"}, headers=auth)
    assert patched.status_code == 200
    assert patched.json()["data"]["name"] == "Updated Name"

    other = new_caller(http)
    assert http.get(f"{base}/{data['id']}", headers=other).status_code == 404

    deleted = http.delete(f"{base}/{data['id']}", headers=auth)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert http.get(f"{base}/{data['id']}", headers=auth).status_code == 404
    assert http.get(base, headers=auth).json()["meta"]["total"] == 0


def test_api_prefix_and_cursor_over_http(http):
    auth = new_caller(http)
    for i in range(5):
        assert http.post(f"{http.base_url}/api/v1/resources", json={"name": f"r{i}"}, headers=auth).status_code == 201
    page = http.get(f"{http.base_url}/v1/resources", params={"per_page": 2}, headers=auth).json()
    seen = [d["id"] for d in page["data"]]
    while page["meta"]["next_cursor"]:
        page = http.get(
            f"{http.base_url}/v1/resources", params={"per_page": 2, "cursor": page["meta"]["next_cursor"]}, headers=auth
        ).json()
        seen.extend(d["id"] for d in page["data"])
    assert len(seen) == len(set(seen)) == 5


def test_search_follows_writes_through_the_stacks_own_indexer(http):
    """The search index is kept by the SearchIndexerFunction from the table stream, as on AWS: a write is
    searchable once the stream has carried it (about a second here), and a rename moves it."""
    import time

    auth = new_caller(http)
    base = f"{http.base_url}/v1/resources"
    created = http.post(base, json={"name": "Okapi habitat"}, headers=auth).json()["data"]

    def found(term: str) -> list[str]:
        return [d["id"] for d in http.get(base, params={"search": term}, headers=auth).json()["data"]]

    deadline = time.monotonic() + 30
    while found("okap") != [created["id"]] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found("okap") == [created["id"]]
    assert http.patch(f"{base}/{created['id']}", json={"name": "Quagga"}, headers=auth).status_code == 200
    assert found("okap") == []  # at once: every page re-checks its items, whatever the index still holds
    deadline = time.monotonic() + 30
    while found("quag") != [created["id"]] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found("quag") == [created["id"]]
