"""Generate the Python SDK's per-route surface from the route table and the OpenAPI document's schemas.

    python sdks/python/generate.py            # write src/core_php_sdk/_generated/{models,resources,async_resources}.py
    python sdks/python/generate.py --check    # exit 1 when the written files are out of date (the drift test)

Inputs: sdks/routes.json (written by `python -m sdks.routes --write`; one entry per operation: group path,
method name, path/query parameters, body properties, response kind) and functions/docs/openapi.json's
components/schemas (the models). Nothing here is hand-tuned per route: a route added to the table gets its
method on the next run. The output is formatted with ruff (requirements-dev.txt pins it), so the check
compares like with like.
"""

from __future__ import annotations

import argparse
import json
import keyword
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ROUTES = ROOT / "sdks" / "routes.json"
DOCUMENT = ROOT / "functions" / "docs" / "openapi.json"
OUT = HERE / "src" / "core_php_sdk" / "_generated"

# Models every client needs besides those the routes reach: list pages and the webhook payload.
EXTRA_MODELS = ("ListMeta", "ListLinks", "WebhookEvent")
# Attributes of the model base class a field must not shadow (such a field gets a trailing underscore and an alias).
RESERVED_FIELDS = {"to_dict", "get", "from_api", "copy", "dict", "json", "schema", "construct", "validate"}
# Keyword arguments every method has; a route's own name that collides is renamed.
COMMON_KWARGS = {"self", "idempotency_key", "extra_headers", "timeout"}
TENANT = {"workspace_id": "X-Workspace-ID", "namespace_id": "X-Namespace-ID"}
# Names the generated modules use themselves; a schema of the same name fails the run (it would shadow one).
INTERNAL_NAMES = {"Any", "Mapping", "Sequence", "date", "datetime", "builtins", "Field", "ApiModel", "NotGiven"}
INTERNAL_NAMES |= {"NOT_GIVEN", "BaseClient", "ListIterator", "Route", "Resource", "ClientGroups", "OPERATIONS"}
SEQUENCE_QUERY = {"fields", "sort", "include"}  # comma-separated lists: a list is accepted too

HEADER = '"""GENERATED from {source} by sdks/python/generate.py: do not edit, run `make sdks`."""\n\n'


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def camel(parts: list[str]) -> str:
    return "".join(word.capitalize() for part in parts for word in part.split("_"))


def identifier(name: str) -> str:
    text = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name).strip("_") or "value"
    if text[0].isdigit():
        text = "_" + text
    return text + "_" if keyword.iskeyword(text) else text


def docstring(text: str, indent: int) -> str:
    """A docstring body wrapped to the line length, with nothing that could end it early."""
    text = text.replace("\\", "\\\\").replace('"""', "'''").strip()
    width = 116 - indent
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width) or [""]
    pad = " " * indent
    if len(lines) == 1 and len(lines[0]) <= width - 6:
        return f'{pad}"""{lines[0]}"""\n'
    return f'{pad}"""' + ("\n" + pad).join(lines).lstrip() + f"\n{pad}" + '"""\n'


class Types:
    """JSON Schema to Python annotations, for response models (``model=True``) or request arguments."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas

    def annotation(self, schema: dict[str, Any], *, model: bool) -> str:
        options = self._union(schema, model=model)
        out: list[str] = []
        for option in options:
            if option not in out:
                out.append(option)
        if "Any" in out:
            return "Any"
        if "None" in out:  # None last reads best
            out = [o for o in out if o != "None"] + ["None"]
        return " | ".join(out)

    def _union(self, schema: dict[str, Any], *, model: bool) -> list[str]:
        name = ref_name(schema)
        if name:
            return [name] if model else [name, "dict[str, Any]"]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [t for option in schema[key] for t in self._union(option, model=model)]
        kind = schema.get("type")
        if isinstance(kind, list):
            return [t for k in kind for t in self._union({**schema, "type": k}, model=model)]
        if kind == "string":
            fmt = schema.get("format")
            if fmt == "date-time":
                return ["datetime"] if model else ["str", "datetime"]
            if fmt == "date":
                return ["date"] if model else ["str", "date"]
            return ["str"]
        if kind == "integer":
            return ["int"]
        if kind == "number":
            return ["float"]
        if kind == "boolean":
            return ["bool"]
        if kind == "null":
            return ["None"]
        if kind == "array":
            item = self.annotation(schema.get("items") or {}, model=model)
            # builtins.list in the resources module, where a method named `list` shadows the builtin
            return [f"list[{item}]" if model else f"builtins.list[{item}]"]
        if kind == "object" or "properties" in schema:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return [f"dict[str, {self.annotation(extra, model=model)}]"]
            return ["dict[str, Any]"]
        if "enum" in schema:
            return ["str"]
        return ["Any"]

    def refs(self, schema: Any) -> set[str]:
        """Every component a schema names, directly or nested."""
        found: set[str] = set()
        if isinstance(schema, dict):
            name = ref_name(schema)
            if name:
                found.add(name)
            for value in schema.values():
                found |= self.refs(value)
        elif isinstance(schema, list):
            for value in schema:
                found |= self.refs(value)
        return found


def fill_body(route: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The route's body properties; where the table has none for a body whose schema is `anyOf [ref, null]`
    (an optional body), they are read from the document's component."""
    body = route["body"]
    if body is None or body["properties"]:
        return route
    operation = document["paths"][route["path"]][route["http_method"].lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    names = [ref_name(option) for option in schema.get("anyOf") or schema.get("oneOf") or [schema]]
    name = next((n for n in names if n), None)
    if name is None:
        return route
    component = document["components"]["schemas"][name]
    required = set(component.get("required") or [])
    properties = [
        {"name": prop, "required": prop in required, "schema": spec, "description": spec.get("description", "")}
        for prop, spec in (component.get("properties") or {}).items()
    ]
    return {**route, "body": {**body, "schema": name, "properties": properties}}


def response_shape(route: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """How a route's answer becomes Python: the model, whether to take the envelope's data, a list of them."""
    response = route["response"]
    name = response.get("schema")
    if response["kind"] == "none":
        return {"kind": "none", "model": None}
    if not name:
        return {"kind": "object", "model": None, "unwrap": False, "many": False}
    props = schemas[name].get("properties") or {}
    if response["kind"] == "list":
        item = ref_name((props.get("data") or {}).get("items") or {})
        return {
            "kind": "list",
            "model": item,
            "meta": ref_name(props.get("meta") or {}) or "ListMeta",
            "links": ref_name(props.get("links") or {}) or "ListLinks",
        }
    if set(props) == {"data"}:
        data = props["data"]
        if data.get("type") == "array":
            return {"kind": "object", "model": ref_name(data.get("items") or {}), "unwrap": True, "many": True}
        return {"kind": "object", "model": ref_name(data), "unwrap": True, "many": False}
    return {"kind": "object", "model": name, "unwrap": False, "many": False}


# ------------------------------------------------------------------------------------------------------- models
def models_module(routes: list[dict[str, Any]], schemas: dict[str, Any]) -> tuple[str, list[str]]:
    types = Types(schemas)
    wanted: set[str] = set(EXTRA_MODELS)
    for route in routes:
        shape = response_shape(route, schemas)
        wanted |= {shape[k] for k in ("model", "meta", "links") if shape.get(k)}
        if route["body"] and route["body"].get("schema"):
            wanted.add(route["body"]["schema"])
        for prop in (route["body"] or {}).get("properties") or []:
            wanted |= types.refs(prop["schema"])
    todo = sorted(wanted)
    while todo:
        name = todo.pop()
        for ref in sorted(types.refs(schemas[name])):
            if ref not in wanted:
                wanted.add(ref)
                todo.append(ref)
    names = sorted(wanted)
    out = [
        HEADER.format(source="the OpenAPI components"),
        "from __future__ import annotations\n\n",
        "from datetime import date, datetime\n",
        "from typing import Any\n\n",
        "from pydantic import Field\n\n",
        "from core_php_sdk._base import ApiModel\n\n",
        "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n",
    ]
    for name in names:
        schema = schemas[name]
        out.append(f"\n\nclass {name}(ApiModel):\n")
        out.append(docstring(schema.get("description") or schema.get("title") or name, 4))
        required = set(schema.get("required") or [])
        props = schema.get("properties") or {}
        if not props:
            out.append("\n    pass\n")
            continue
        out.append("\n")
        for prop, spec in props.items():
            field = identifier(prop)
            if field in RESERVED_FIELDS or field.startswith("model_"):
                field += "_"
            ann = types.annotation(spec, model=True)
            optional = prop not in required or ann == "Any" or ann.endswith("None")
            if optional and ann != "Any" and not ann.endswith("None"):
                ann += " | None"
            args = []
            if optional:
                args.append("default=None")
            if field != prop:
                args.append(f'alias="{prop}"')
            if args and (field != prop):
                out.append(f"    {field}: {ann} = Field({', '.join(args)})\n")
            elif optional:
                out.append(f"    {field}: {ann} = None\n")
            else:
                out.append(f"    {field}: {ann}\n")
    out.append("\n\n")
    out += [f"{name}.model_rebuild()\n" for name in names]
    return "".join(out), names


# ---------------------------------------------------------------------------------------------------- resources
def tenant_of(route: dict[str, Any]) -> tuple[str, ...]:
    """The tenant headers a route takes, less the one its path already names."""
    return tuple(
        name for name, header in TENANT.items() if header in route["headers"] and name not in route["path_params"]
    )


def method_source(
    route: dict[str, Any], schemas: dict[str, Any], types: Types, asynchronous: bool = False
) -> tuple[str, set[str]]:
    shape = response_shape(route, schemas)
    used: set[str] = set()
    path_params = [(identifier(p), p) for p in route["path_params"]]
    taken = {py for py, _ in path_params} | COMMON_KWARGS
    body_props = []
    for prop in (route["body"] or {}).get("properties") or []:
        py = identifier(prop["name"])
        if py in taken:
            py = f"body_{py}"
        taken.add(py)
        body_props.append((py, prop))
    tenant: list[str] = []
    query = []
    wire_names = {q["name"] for q in route["query_params"]}
    for param in route["query_params"]:
        wire = param["name"]
        if wire in TENANT and TENANT[wire] in route["headers"]:
            if wire not in taken:  # else the path or the body already says which one
                tenant.append(wire)
                taken.add(wire)
            continue
        if wire.startswith("filter[") and wire.endswith("]") and wire[7:-1] in wire_names:
            continue  # `status=` is the same filter as `filter[status]=`
        py = identifier(wire)
        if py in taken:
            py = f"query_{py}"
        taken.add(py)
        query.append((py, param))

    params = ["self"] + [f"{py}: str" for py, _ in path_params]
    keyword_only: list[str] = []
    optional: list[str] = []
    doc_args: list[tuple[str, str]] = []
    for py, prop in body_props:
        ann = types.annotation(prop["schema"], model=False)
        used |= types.refs(prop["schema"])
        if prop["required"]:
            keyword_only.append(f"{py}: {ann}")
        else:
            ann = ann[: -len(" | None")] + " | NotGiven | None" if ann.endswith(" | None") else ann + " | NotGiven"
            optional.append(f"{py}: {ann} = NOT_GIVEN")
        doc_args.append((py, prop.get("description") or ""))
    for py, param in query:
        ann = types.annotation(param["schema"], model=False)
        if param["name"] in SEQUENCE_QUERY and ann == "str":
            ann = "str | Sequence[str]"
        if param["required"]:
            keyword_only.append(f"{py}: {ann}")
        else:
            optional.append(f"{py}: {ann} | None = None")
        doc_args.append((py, param.get("description") or ""))
    for name in tenant:
        optional.append(f"{name}: str | None = None")
        doc_args.append((name, f"Tenant context for this call ({TENANT[name]} header); the client's default else."))
    if route["replayable"]:
        optional.append("idempotency_key: str | None = None")
    optional += ["extra_headers: Mapping[str, str] | None = None", "timeout: float | None = None"]
    params += ["*", *keyword_only, *optional]

    if shape["kind"] == "none":
        returns = "None"
    elif shape["kind"] == "list":
        returns = f"{'AsyncListIterator' if asynchronous else 'ListIterator'}[{shape['model']}]"
        used |= {shape["model"], shape["meta"], shape["links"]}
    elif shape["model"] is None:
        returns = "Any"
    else:
        used.add(shape["model"])
        returns = f"builtins.list[{shape['model']}]" if shape["many"] else shape["model"]

    doc = route.get("summary") or route["operation_id"]
    doc += f"\n\n{route['http_method']} {route['path']}"
    if shape["kind"] == "list" and asynchronous:
        doc += " (`async for` follows meta.next_cursor through every page; `await` gives the first page)"
    elif shape["kind"] == "list":
        doc += " (iterating the result follows meta.next_cursor through every page)"
    described = [(py, text) for py, text in doc_args if text]
    if described:
        doc += "\n\nArgs:\n" + "\n".join(f"    {py}: {' '.join(text.split())}" for py, text in described)

    coroutine = asynchronous and shape["kind"] != "list"  # an async list is awaitable and async-iterable itself
    definition = "async def" if coroutine else "def"
    signature = f"    {definition} {identifier(route['method'])}(" + ", ".join(params) + f") -> {returns}:\n"
    lines = [signature, docstring(doc, 8)]
    path_args = "(" + "".join(f"{py}, " for py, _ in path_params) + ")"
    call_args = [f"_R_{route['operation_id']}", path_args]
    if shape["kind"] == "list":
        call_args += [f"model={shape['model']}", f"meta_model={shape['meta']}", f"links_model={shape['links']}"]
    elif shape["kind"] == "object":
        if shape["model"]:
            call_args.append(f"model={shape['model']}")
        if shape["unwrap"]:
            call_args.append("unwrap=True")
    if query:
        call_args.append("query=query_of({" + ", ".join(f'"{p["name"]}": {py}' for py, p in query) + "})")
    if route["body"] is not None:
        call_args.append("body=body_of({" + ", ".join(f'"{p["name"]}": {py}' for py, p in body_props) + "})")
    if tenant:
        call_args.append("tenant={" + ", ".join(f'"{t}": {t}' for t in tenant) + "}")
    if route["replayable"]:
        call_args.append("idempotency_key=idempotency_key")
    call_args += ["extra_headers=extra_headers", "timeout=timeout"]
    target = "_list" if shape["kind"] == "list" else "_request"
    statement = "" if shape["kind"] == "none" else "return "
    if coroutine:
        statement += "await "
    lines.append(f"        {statement}self._client.{target}(" + ", ".join(call_args) + ")\n")
    return "".join(lines), used


def resources_module(
    routes: list[dict[str, Any]], schemas: dict[str, Any], model_names: list[str], asynchronous: bool = False
) -> str:
    """The group classes: ``XResource`` for Client, or ``AsyncXResource`` (coroutines) for AsyncClient."""
    types = Types(schemas)
    prefix = "Async" if asynchronous else ""
    client_type = "AsyncBaseClient" if asynchronous else "BaseClient"
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for route in routes:
        path = tuple(route["group"])
        for depth in range(1, len(path) + 1):
            groups.setdefault(path[:depth], [])
        groups[path].append(route)
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {g: [] for g in groups}
    for group in groups:
        if len(group) > 1:
            children[group[:-1]].append(group)

    clashes = sorted(set(model_names) & (INTERNAL_NAMES | {prefix + camel(list(g)) + "Resource" for g in groups}))
    if clashes:
        raise SystemExit(f"schema names {clashes} clash with the SDK's own names: add them to a rename in generate.py")
    used: set[str] = set()
    body: list[str] = []
    for route in routes:
        body.append(
            f"_R_{route['operation_id']} = Route("
            f'"{route["operation_id"]}", "{route["http_method"]}", "{route["path"]}", '
            f"replayable={route['replayable']}, auth={route['auth'] != 'none'}, "
            f"tenant={tenant_of(route)!r})\n"
        )
    for group in sorted(groups, key=lambda g: (-len(g), g)):  # nested groups first
        name = prefix + camel(list(group)) + "Resource"
        body.append(f"\n\nclass {name}({prefix}Resource):\n")
        body.append(docstring(f"{'async_client' if asynchronous else 'client'}.{'.'.join(group)}", 4))
        subgroups = sorted(children[group])
        if subgroups:
            body.append(f"\n    def __init__(self, client: {client_type}) -> None:\n")
            body.append("        super().__init__(client)\n")
            for sub in subgroups:
                body.append(f"        self.{identifier(sub[-1])} = {prefix}{camel(list(sub))}Resource(client)\n")
        for route in sorted(groups[group], key=lambda r: r["method"]):
            source, refs = method_source(route, schemas, types, asynchronous)
            used |= refs
            body.append("\n" + source)
    top = sorted(g for g in groups if len(g) == 1)
    body.append(f"\n\nclass {prefix}ClientGroups:\n")
    body.append(docstring(f"The endpoint groups of the API, one attribute each (mixed into {prefix}Client).", 4))
    body.append("\n")
    body += [f"    {identifier(g[0])}: {prefix}{camel(list(g))}Resource\n" for g in top]
    body.append(f"\n    def _init_groups(self, client: {client_type}) -> None:\n")
    body += [f"        self.{identifier(g[0])} = {prefix}{camel(list(g))}Resource(client)\n" for g in top]
    if asynchronous:
        imported = sorted(used & set(model_names))
        return "".join(
            [
                HEADER.format(source="sdks/routes.json"),
                "from __future__ import annotations\n\n",
                "import builtins\n",
                "from collections.abc import Mapping, Sequence\n",
                "from datetime import date, datetime\n",
                "from typing import Any\n\n",
                "from core_php_sdk._async import AsyncBaseClient, AsyncListIterator\n",
                "from core_php_sdk._base import NOT_GIVEN, NotGiven\n",
                "from core_php_sdk._core import Route, body_of, query_of\n",
                "from .models import " + ", ".join(imported) + "\n\n",
                '__all__ = ["AsyncClientGroups"]\n\n\n',
                "class AsyncResource:\n",
                "    def __init__(self, client: AsyncBaseClient) -> None:\n",
                "        self._client = client\n\n\n",
                *body,
            ]
        )
    body.append(
        "\n\n# operation_id -> the attribute path of its method on Client (tests check every route has one)\n"
        "OPERATIONS: dict[str, tuple[str, ...]] = {\n"
    )
    body += [
        f'    "{r["operation_id"]}": (' + ", ".join(f'"{identifier(p)}"' for p in [*r["group"], r["method"]]) + "),\n"
        for r in routes
    ]
    body.append("}\n")

    imported = sorted(used & set(model_names))
    head = [
        HEADER.format(source="sdks/routes.json"),
        "from __future__ import annotations\n\n",
        "import builtins\n",
        "from collections.abc import Mapping, Sequence\n",
        "from datetime import date, datetime\n",
        "from typing import Any\n\n",
        "from core_php_sdk._base import NOT_GIVEN, NotGiven\n",
        "from core_php_sdk._core import BaseClient, ListIterator, Route, body_of, query_of\n",
        "from .models import " + ", ".join(imported) + "\n\n",
        '__all__ = ["OPERATIONS", "ClientGroups"]\n\n\n',
        "class Resource:\n",
        "    def __init__(self, client: BaseClient) -> None:\n",
        "        self._client = client\n\n\n",
    ]
    return "".join(head + body)


# ------------------------------------------------------------------------------------------------------ output
def ruff_format(source: str, path: Path) -> str:
    ruff = Path(sys.executable).parent / "ruff"
    command = str(ruff) if ruff.exists() else shutil.which("ruff")
    if not command:
        raise SystemExit("ruff is needed to format the generated code (pip install -r requirements-dev.txt)")
    fixed = subprocess.run(  # noqa: S603 - our own pinned formatter
        [command, "check", "--fix-only", "--select", "I,F401,UP", "--stdin-filename", str(path), "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return subprocess.run(  # noqa: S603
        [command, "format", "--stdin-filename", str(path), "-"],
        input=fixed,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout


def render(routes: list[dict[str, Any]] | None = None, document: dict[str, Any] | None = None) -> dict[Path, str]:
    routes = routes if routes is not None else json.loads(ROUTES.read_text())
    document = document if document is not None else json.loads(DOCUMENT.read_text())
    schemas = document["components"]["schemas"]
    routes = [fill_body(route, document) for route in routes]
    models, names = models_module(routes, schemas)
    files = {
        OUT / "models.py": models,
        OUT / "resources.py": resources_module(routes, schemas, names),
        OUT / "async_resources.py": resources_module(routes, schemas, names, asynchronous=True),
        OUT / "__init__.py": HEADER.format(source="sdks/routes.json").rstrip() + "\n",
    }
    return {path: ruff_format(text, path) for path, text in files.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the generated files are out of date")
    args = parser.parse_args()
    stale = []
    for path, text in render().items():
        current = path.read_text() if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date (run make sdks): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
