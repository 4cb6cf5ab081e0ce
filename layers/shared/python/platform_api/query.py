"""The query language of every list route: pagination (page or cursor), filters, search, sort,
sparse fieldsets and includes, with `meta` and absolute `links` in both reference documents' shapes.

    spec = ListSpec(name="webhooks", filters={"is_active": bool}, sorts=("created_at", "url"),
                    fields=("id", "url", "events", "is_active", "created_at"), search=("url", "description"))
    query = parse_list_query(app.current_event, spec, scope=ctx.namespace_id)   # 400 naming any bad name
    page = apply_in_memory(items, query)            # for bounded collections read with one Query
    return list_response(app.current_event, query, page)

Collections too large to read whole use `query.after` (the decoded cursor position) and
`encode_cursor(query, last_item)` with a keyset Query instead of `apply_in_memory`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from platform_api import errors, keys
from platform_api.settings import get_settings
from platform_api.timeutil import parse_iso

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_SEARCH_LENGTH = 200
TIMESTAMP_FILTERS = {
    "created_after": ("created_at", ">"),
    "created_before": ("created_at", "<"),
    "updated_after": ("updated_at", ">"),
    "updated_before": ("updated_at", "<"),
}
CONTROL_PARAMS = ("page", "per_page", "cursor", "sort", "fields", "include", "search")
TENANT_PARAMS = ("workspace_id", "namespace_id")
_FILTER_PARAM = re.compile(r"^filter\[([A-Za-z0-9_.]+)\]$")

FilterType = type | tuple[str, ...]  # str, bool, int, or the tuple of allowed values


@dataclass(frozen=True)
class ListSpec:
    """What one list route accepts. Anything else in the query string is a 400 naming it."""

    name: str
    filters: Mapping[str, FilterType] = field(default_factory=dict)
    sorts: tuple[str, ...] = ("created_at",)
    default_sort: str = "-created_at"
    fields: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    timestamps: bool = True
    extra_params: tuple[str, ...] = TENANT_PARAMS


@dataclass(frozen=True)
class ListQuery:
    spec: ListSpec
    scope: str
    page: int
    per_page: int
    cursor: str | None
    after: dict[str, Any] | None  # the decoded cursor: sort values and id of the last item already seen
    filters: dict[str, tuple[Any, ...]]
    ranges: tuple[tuple[str, str, datetime], ...]  # (field, "<" | ">", moment)
    search: str | None
    sort: tuple[tuple[str, bool], ...]  # (field, descending); always ends with ("id", ...)
    fields: tuple[str, ...] | None
    includes: frozenset[str]
    params: tuple[tuple[str, str], ...]  # the query string as received, for links

    @property
    def fingerprint(self) -> str:
        """What a cursor is bound to: the collection, the tenant and the query's meaning (not page size)."""
        material = json.dumps(
            [
                self.spec.name,
                self.scope,
                sorted((k, list(v)) for k, v in self.filters.items()),
                [(f, o, m.isoformat()) for f, o, m in self.ranges],
                self.search,
                self.sort,
            ],
            default=str,
        )
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    @property
    def uses_cursor(self) -> bool:
        return self.cursor is not None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int | None  # None: exact only with a full read, which no request makes
    next_cursor: str | None = None


# ---------------------------------------------------------------------------------------------- parsing
def _multi_params(event: Any) -> list[tuple[str, str]]:
    if isinstance(event, Mapping):
        multi = event.get("multiValueQueryStringParameters") or {}
        single = event.get("queryStringParameters") or {}
    else:
        multi = event.multi_value_query_string_parameters or {}
        single = event.query_string_parameters or {}
    pairs: list[tuple[str, str]] = []
    for name, values in (multi or {}).items():
        pairs.extend((name, v) for v in values)
    if not pairs:
        pairs = list((single or {}).items())
    return pairs


def _bad(name: str, message: str) -> errors.InvalidRequest:
    return errors.InvalidRequest(message, details={name: [message]})


def _int_param(name: str, raw: str | None, default: int, low: int, high: int | None) -> int:
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw.strip()):
        raise _bad(name, f"{name} must be a whole number.")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _bad(name, f"{name} must be {bound}.")
    return value


def _list_param(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _filter_value(name: str, kind: FilterType, raw: str) -> tuple[Any, ...]:
    values = [v.strip() for v in raw.split(",") if v.strip() != ""] or [raw]
    out: list[Any] = []
    for value in values:
        if isinstance(kind, tuple):
            if value not in kind:
                raise _bad(name, f"{name} must be one of: {', '.join(kind)}.")
            out.append(value)
        elif kind is bool:
            if value.lower() not in ("true", "false", "1", "0"):
                raise _bad(name, f"{name} must be true or false.")
            out.append(value.lower() in ("true", "1"))
        elif kind is int:
            if not re.fullmatch(r"-?[0-9]{1,15}", value):
                raise _bad(name, f"{name} must be a whole number.")
            out.append(int(value))
        else:
            if len(value) > 255:
                raise _bad(name, f"{name} is too long.")
            out.append(value)
    return tuple(out)


def parse_list_query(event: Any, spec: ListSpec, *, scope: str) -> ListQuery:
    """Validate a list route's query string against its spec. Unknown names are a 400 naming them."""
    pairs = _multi_params(event)
    single: dict[str, str] = {}
    filters: dict[str, tuple[Any, ...]] = {}
    ranges: list[tuple[str, str, datetime]] = []
    for name, value in pairs:
        matched = _FILTER_PARAM.match(name)
        key = matched.group(1) if matched else name
        if matched or (key in spec.filters and key not in CONTROL_PARAMS):
            if key not in spec.filters:
                raise _bad(name, f"Unknown filter '{key}'. Filters: {', '.join(sorted(spec.filters)) or 'none'}.")
            filters[key] = filters.get(key, ()) + _filter_value(key, spec.filters[key], value)
        elif spec.timestamps and name in TIMESTAMP_FILTERS:
            try:
                moment = parse_iso(value)
            except ValueError:
                raise _bad(name, f"{name} must be an ISO 8601 date or date-time.") from None
            target, op = TIMESTAMP_FILTERS[name]
            ranges.append((target, op, moment))
        elif name in CONTROL_PARAMS:
            if name in single and single[name] != value:
                raise _bad(name, f"{name} is given more than once.")
            single[name] = value
        elif name in spec.extra_params:
            continue
        else:
            raise _bad(name, f"Unknown query parameter '{name}'.")

    page = _int_param("page", single.get("page"), 1, 1, None)
    per_page = _int_param("per_page", single.get("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    search = single.get("search")
    if search is not None:
        search = search.strip()
        if len(search) > MAX_SEARCH_LENGTH:
            raise _bad("search", f"search must be at most {MAX_SEARCH_LENGTH} characters.")
        if not spec.search:
            raise _bad("search", f"search is not supported on {spec.name}.")
        if search and not search_words(search):
            raise _bad("search", "search must contain a letter or a digit.")
        search = search or None

    sort: list[tuple[str, bool]] = []
    for item in _list_param(single.get("sort") if "sort" in single else spec.default_sort):
        descending = item.startswith("-")
        name = item.lstrip("-+")
        if name not in spec.sorts and name != "id":
            raise _bad("sort", f"Unknown sort field '{name}'. Sortable: {', '.join(spec.sorts)}.")
        if any(existing == name for existing, _ in sort):
            raise _bad("sort", f"Sort field '{name}' is given more than once.")
        sort.append((name, descending))
    if "sort" in single and not sort:
        raise _bad("sort", "sort must name at least one field.")
    if not any(name == "id" for name, _ in sort):
        # ids are unique and creation-ordered: the tie-breaker that makes every order stable
        sort.append(("id", sort[0][1] if sort else True))

    fields: tuple[str, ...] | None = None
    if "fields" in single:
        requested = _list_param(single["fields"])
        if not requested:
            raise _bad("fields", "fields must name at least one field.")
        unknown = [f for f in requested if spec.fields and f not in spec.fields and f != "id"]
        if unknown:
            raise _bad("fields", f"Unknown field '{unknown[0]}'. Fields: {', '.join(spec.fields)}.")
        fields = tuple(dict.fromkeys(["id", *requested]))

    includes = _list_param(single.get("include"))
    unknown_includes = [i for i in includes if i not in spec.includes]
    if unknown_includes:
        allowed = ", ".join(spec.includes) or "none"
        raise _bad("include", f"Unknown include '{unknown_includes[0]}'. Includes: {allowed}.")

    cursor = single.get("cursor") or None
    if cursor is not None and "page" in single:
        raise _bad("cursor", "Use either page or cursor, not both.")

    query = ListQuery(
        spec=spec,
        scope=scope,
        page=page,
        per_page=per_page,
        cursor=cursor,
        after=None,
        filters=filters,
        ranges=tuple(ranges),
        search=search,
        sort=tuple(sort),
        fields=fields,
        includes=frozenset(includes),
        params=tuple(pairs),
    )
    if cursor is not None:
        object.__setattr__(query, "after", _decode_cursor(cursor, query))
    return query


def parse_item_query(event: Any, spec: ListSpec) -> tuple[tuple[str, ...] | None, frozenset[str]]:
    """`fields` and `include` of a single-object route (`GET /things/{id}`); anything else is a 400."""
    single: dict[str, str] = {}
    for name, value in _multi_params(event):
        if name in ("fields", "include"):
            if name in single and single[name] != value:
                raise _bad(name, f"{name} is given more than once.")
            single[name] = value
        elif name not in spec.extra_params:
            raise _bad(name, f"Unknown query parameter '{name}'.")
    fields: tuple[str, ...] | None = None
    if "fields" in single:
        requested = _list_param(single["fields"])
        if not requested:
            raise _bad("fields", "fields must name at least one field.")
        unknown = [f for f in requested if spec.fields and f not in spec.fields and f != "id"]
        if unknown:
            raise _bad("fields", f"Unknown field '{unknown[0]}'. Fields: {', '.join(spec.fields)}.")
        fields = tuple(dict.fromkeys(["id", *requested]))
    includes = _list_param(single.get("include"))
    unknown_includes = [i for i in includes if i not in spec.includes]
    if unknown_includes:
        allowed = ", ".join(spec.includes) or "none"
        raise _bad("include", f"Unknown include '{unknown_includes[0]}'. Includes: {allowed}.")
    return fields, frozenset(includes)


# ---------------------------------------------------------------------------------------------- cursors
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(query: ListQuery, last_item: Mapping[str, Any]) -> str:
    """An opaque, HMAC-signed position after `last_item`, valid only for this tenant and query."""
    return encode_position(query, {name: last_item.get(name) for name, _ in query.sort})


def encode_position(query: ListQuery, position: Mapping[str, Any]) -> str:
    """A signed cursor holding any position (e.g. an index key); `query.after` gives it back, and only to
    the same tenant and query: the signature covers the query's fingerprint."""
    payload = _b64(json.dumps({"f": query.fingerprint, "p": position}, separators=(",", ":"), default=str).encode())
    version = keys.current()
    return f"{version.kid}.{payload}.{_cursor_signature(version, f'{version.kid}.{payload}')}"


def _cursor_signature(version: keys.Version, signed: str) -> str:
    return _b64(hmac.new(version.key("cursor"), signed.encode(), hashlib.sha256).digest()[:16])


def _decode_cursor(cursor: str, query: ListQuery) -> dict[str, Any]:
    invalid = _bad("cursor", "The cursor is invalid or belongs to another query; start again without it.")
    parts = cursor.split(".")
    if len(cursor) > 2048 or not all(parts) or len(parts) not in (2, 3):
        raise invalid
    if len(parts) == 3:  # <kid>.<payload>.<signature>: the secret version that signed it
        kid, payload, signature = parts
        version = keys.version(kid)
        candidates = [(version, f"{kid}.{payload}")] if version is not None else []
    else:  # <payload>.<signature>, from before key ids: any version that still verifies
        payload, signature = parts
        candidates = [(v, payload) for v in keys.verifying()]
    if not any(hmac.compare_digest(_cursor_signature(v, signed), signature) for v, signed in candidates):
        raise invalid
    try:
        decoded = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        raise invalid from None
    if not isinstance(decoded, dict) or decoded.get("f") != query.fingerprint or not isinstance(decoded.get("p"), dict):
        raise invalid
    return decoded["p"]


# ---------------------------------------------------------------------------------------------- in memory
def _compare_values(a: Any, b: Any) -> int:
    if a is None or b is None:
        return (a is not None) - (b is not None)  # None sorts first
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = int(bool(a)), int(bool(b))
    if isinstance(a, str) and isinstance(b, str):
        # Case-insensitive, and nothing more: strings equal but for case are a tie (broken by id), exactly as
        # the resources' name index orders them (it keys the casefolded name).
        la, lb = a.casefold(), b.casefold()
        return (la > lb) - (la < lb)
    if type(a) is not type(b) and not (isinstance(a, int | float) and isinstance(b, int | float)):
        a, b = str(a), str(b)
    return (a > b) - (a < b)


def comparator(sort: Iterable[tuple[str, bool]]) -> Callable[[Mapping[str, Any], Mapping[str, Any]], int]:
    order = tuple(sort)

    def compare(left: Mapping[str, Any], right: Mapping[str, Any]) -> int:
        for name, descending in order:
            result = _compare_values(left.get(name), right.get(name))
            if result:
                return -result if descending else result
        return 0

    return compare


def matches(item: Mapping[str, Any], query: ListQuery) -> bool:
    for name, accepted in query.filters.items():
        value = item.get(name)
        if isinstance(value, list):
            if not any(v in accepted for v in value):
                return False
        elif value not in accepted:
            return False
    for name, op, moment in query.ranges:
        raw = item.get(name)
        if not raw:
            return False
        value = parse_iso(raw) if isinstance(raw, str) else raw
        if (op == ">" and not value > moment) or (op == "<" and not value < moment):
            return False
    if query.search:
        words: set[str] = set()
        for name in query.spec.search:
            value = item.get(name)
            for part in value if isinstance(value, list) else [value]:
                if part is not None:
                    words.update(search_words(str(part)))
        if not all(any(word.startswith(term) for word in words) for term in search_words(query.search)):
            return False
    return True


_WORD = re.compile(r"\w+")


def search_words(text: str) -> list[str]:
    """The words `search` matches on: accents folded (NFKD, marks dropped), case folded, split on anything that
    is not a letter, digit or `_`. A search matches an item when each of its words begins a word of the item's
    searchable fields ("Zèbre cro" matches "zebre crossing"); the resources' search index keys the same words."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    return _WORD.findall(folded)


def apply_in_memory(items: Iterable[Mapping[str, Any]], query: ListQuery) -> Page:
    """Filter, search, sort and paginate a bounded collection already read with one Query."""
    selected = [dict(item) for item in items if matches(item, query)]
    compare = comparator(query.sort)
    selected.sort(key=functools.cmp_to_key(compare))
    total = len(selected)
    if query.after is not None:
        start = next((i for i, item in enumerate(selected) if compare(item, query.after) > 0), total)
    else:
        start = query.offset
    window = selected[start : start + query.per_page]
    has_more = start + query.per_page < total
    next_cursor = encode_cursor(query, window[-1]) if window and has_more else None
    return Page(items=window, total=total, next_cursor=next_cursor)


# ---------------------------------------------------------------------------------------------- response
def project(item: Mapping[str, Any], query: ListQuery) -> dict[str, Any]:
    """Sparse fieldset: `id`, the requested fields, and whatever was asked for with `include`."""
    if query.fields is None:
        return dict(item)
    keep = set(query.fields) | set(query.includes)
    return {k: v for k, v in item.items() if k in keep}


def _base_url(event: Any) -> str:
    raw = event if isinstance(event, Mapping) else event.raw_event
    context = raw.get("requestContext") or {}
    # The origin is configuration (PublicBaseUrl: the local stack's http://127.0.0.1:PORT, a custom domain), else
    # the domain API Gateway itself received the request on. Never `Host` or `X-Forwarded-Proto`: a caller sets
    # those, and a link built from them would send the next client wherever the caller chose.
    configured = get_settings().public_base_url
    origin = configured.rstrip("/") if configured else f"https://{context.get('domainName') or 'localhost'}"
    # requestContext.path is the path as received: with the stage on the execute-api domain, without on a custom
    # domain mapped at an empty base path.
    path = context.get("path") or raw.get("path") or "/"
    return f"{origin}{path}"


def request_base_url(event: Any) -> str:
    """The absolute URL of the current request without its query string (links, Location headers)."""
    return _base_url(event)


def _link(base: str, query: ListQuery, **changes: Any) -> str:
    kept = [(k, v) for k, v in query.params if k not in ("page", "cursor")]
    extra = [(k, str(v)) for k, v in changes.items() if v is not None]
    return f"{base}?{urlencode(kept + extra)}"


def list_response(event: Any, query: ListQuery, page: Page) -> dict[str, Any]:
    """`{"data", "meta", "links"}` with both documents' meta keys and absolute links."""
    # No total (None) where counting would need a full read: no last page to link to either.
    total_pages = max(1, math.ceil(page.total / query.per_page)) if page.total is not None else None
    base = _base_url(event)
    if query.uses_cursor:
        current = None
        prev_link = None
    else:
        current = query.page
        prev_link = _link(base, query, page=min(query.page - 1, total_pages or query.page)) if query.page > 1 else None
    if page.next_cursor is None:
        next_link = None
    elif query.uses_cursor:
        next_link = _link(base, query, cursor=page.next_cursor)
    else:
        next_link = _link(base, query, page=query.page + 1)
    return {
        "data": [project(item, query) for item in page.items],
        "meta": {
            "page": current,
            "current_page": current,
            "per_page": query.per_page,
            "total": page.total,
            "total_pages": total_pages,
            "last_page": total_pages,
            "next_cursor": page.next_cursor,
        },
        "links": {
            "first": _link(base, query, page=1),
            "last": _link(base, query, page=total_pages) if total_pages is not None else None,
            "prev": prev_link,
            "next": next_link,
        },
    }
