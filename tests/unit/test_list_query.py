"""The shared query language, independent of any route."""

import itertools
from urllib.parse import parse_qs, urlsplit

import pytest

from platform_api import errors
from platform_api.query import ListSpec, apply_in_memory, list_response, parse_list_query

SPEC = ListSpec(
    name="things",
    filters={"status": ("active", "inactive"), "is_default": bool, "type": str},
    sorts=("created_at", "name"),
    fields=("id", "name", "status", "type", "created_at"),
    includes=("owner",),
    search=("name", "tags"),
)


def _event(query: str = "", path: str = "/v1/things"):
    pairs: dict[str, list[str]] = {}
    for part in filter(None, query.split("&")):
        key, _, value = part.partition("=")
        pairs.setdefault(key, []).append(value)
    return {
        "path": path,
        "headers": {"Host": "api.example.test", "X-Forwarded-Proto": "https"},
        "multiValueQueryStringParameters": pairs or None,
        "requestContext": {"path": f"/api{path}", "domainName": "api.example.test"},
    }


def _items(count: int = 45):
    return [
        {
            "id": f"thg_{i:04d}",
            "name": f"Item {i % 7}",
            "status": "active" if i % 3 else "inactive",
            "type": "standard",
            "tags": ["even"] if i % 2 == 0 else [],
            "created_at": f"2025-01-{1 + i % 28:02d}T10:00:00Z",
        }
        for i in range(count)
    ]


def _run(query: str, items=None):
    event = _event(query)
    parsed = parse_list_query(event, SPEC, scope="ns_1")
    return list_response(event, parsed, apply_in_memory(items if items is not None else _items(), parsed))


def test_defaults_match_both_documents_meta_and_links():
    body = _run("")
    assert len(body["data"]) == 20
    meta = body["meta"]
    assert meta["page"] == meta["current_page"] == 1
    assert meta["per_page"] == 20
    assert meta["total"] == 45
    assert meta["total_pages"] == meta["last_page"] == 3
    assert body["links"]["prev"] is None
    assert body["links"]["first"].startswith("https://api.example.test/api/v1/things?")
    assert parse_qs(urlsplit(body["links"]["next"]).query)["page"] == ["2"]


def test_links_never_come_from_the_callers_host_or_forwarded_proto():
    event = _event("per_page=2")
    event["headers"] = {"Host": "evil.example", "X-Forwarded-Proto": "javascript"}
    parsed = parse_list_query(event, SPEC, scope="ns_1")
    body = list_response(event, parsed, apply_in_memory(_items(), parsed))
    for link in (body["links"]["first"], body["links"]["next"]):
        assert link.startswith("https://api.example.test/api/v1/things?"), link


def test_links_use_the_configured_base_url(monkeypatch):
    from platform_api.settings import get_settings

    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:3000")
    get_settings.cache_clear()
    try:
        body = _run("per_page=2")
    finally:
        monkeypatch.delenv("PUBLIC_BASE_URL")
        get_settings.cache_clear()
    assert body["links"]["next"].startswith("http://127.0.0.1:3000/api/v1/things?")


def test_links_keep_the_other_parameters():
    body = _run("page=2&per_page=10&status=active&sort=name")
    next_query = parse_qs(urlsplit(body["links"]["next"]).query)
    assert next_query == {"page": ["3"], "per_page": ["10"], "status": ["active"], "sort": ["name"]}
    assert parse_qs(urlsplit(body["links"]["prev"]).query)["page"] == ["1"]


def test_filters_plain_and_bracketed_are_the_same():
    assert _run("status=inactive")["data"] == _run("filter[status]=inactive")["data"]
    assert all(item["status"] == "inactive" for item in _run("filter[status]=inactive")["data"])


def test_sort_is_multi_field_and_stable():
    data = _run("sort=name,-created_at&per_page=100")["data"]
    keys = [(d["name"], d["created_at"]) for d in data]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    for a, b in itertools.pairwise(data):
        if a["name"] == b["name"]:
            assert a["created_at"] >= b["created_at"]
            if a["created_at"] == b["created_at"]:
                assert a["id"] < b["id"]  # the id tie-breaker follows the first sort field's direction


def test_search_is_case_insensitive_over_lists_too():
    assert {d["name"] for d in _run("search=ITEM 3")["data"]} == {"Item 3"}
    assert _run("search=EVEN&per_page=100")["meta"]["total"] == 23


def test_fields_keep_id_and_the_requested_ones():
    data = _run("fields=name")["data"]
    assert set(data[0]) == {"id", "name"}


def test_cursor_walks_every_item_once():
    seen, query = [], "per_page=7&status=active"
    while True:
        body = _run(query)
        seen.extend(d["id"] for d in body["data"])
        if not body["meta"]["next_cursor"]:
            break
        query = f"per_page=7&status=active&cursor={body['meta']['next_cursor']}"
    assert len(seen) == len(set(seen)) == _run("status=active")["meta"]["total"]


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ("filter[colour]=red", "filter[colour]"),
        ("colour=red", "colour"),
        ("sort=colour", "sort"),
        ("fields=secret", "fields"),
        ("include=everything", "include"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("status=deleted", "status"),
        ("created_after=yesterday", "created_after"),
        ("is_default=maybe", "is_default"),
    ],
)
def test_bad_names_and_values_are_400_naming_them(query, bad):
    with pytest.raises(errors.InvalidRequest) as caught:
        _run(query)
    assert bad in caught.value.details


def test_tampered_or_foreign_cursor_is_rejected():
    cursor = _run("per_page=5")["meta"]["next_cursor"]
    payload, _, signature = cursor.partition(".")
    with pytest.raises(errors.InvalidRequest):
        _run(f"cursor={payload[:-2]}xx.{signature}")
    with pytest.raises(errors.InvalidRequest):
        _run(f"status=active&cursor={cursor}")  # bound to the query it came from
    other_scope = parse_list_query(_event(), SPEC, scope="ns_2")
    with pytest.raises(errors.InvalidRequest):
        parse_list_query(_event(f"cursor={cursor}"), SPEC, scope=other_scope.scope)


def test_timestamp_ranges():
    data = _run("created_after=2025-01-20&per_page=100")["data"]
    assert data
    assert all(item["created_at"] > "2025-01-20" for item in data)
