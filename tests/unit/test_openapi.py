"""The committed OpenAPI document is what the code generates, is valid, and lists exactly the template's routes."""

import json
import re

import pytest

from local import openapi
from local.template import api_routes, load_template

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def generated():
    return openapi.generate()


def test_committed_documents_match_the_code(generated):
    text = openapi.render(generated)
    for output in openapi.OUTPUTS:
        assert output.read_text() == text, f"{output} is stale: run `make openapi`"


def test_document_is_valid_openapi_3_1(generated):
    from openapi_spec_validator import validate

    assert generated["openapi"].startswith("3.1")
    validate(json.loads(openapi.render(generated)))


def test_document_lists_exactly_the_template_routes(generated):
    documented = {
        (method.upper(), path) for path, item in generated["paths"].items() for method in item if method in HTTP_METHODS
    }
    assert documented == {(m, p) for m, p, _ in api_routes(load_template())}


def test_every_operation_documents_the_error_envelope_and_auth(generated):
    for path, item in generated["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorEnvelope"
            }, (method, path)
            public = (method, path) in openapi.PUBLIC
            assert bool(operation["security"]) is not public, (method, path)
            if not public:
                assert "429" in operation["responses"]
                assert "X-RateLimit-Remaining" in operation["responses"]["401"]["headers"]
            if method in ("post", "patch", "delete") and not public:
                assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), (method, path)


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _untyped(schema) -> bool:
    """A bare object (no properties, anything allowed): what an untyped `dict` return documents."""
    return schema.get("type") == "object" and not schema.get("properties") and not schema.get("anyOf")


def test_every_success_response_documents_its_body(generated):
    """Every 2xx of every operation has a typed schema (or is a 204 without a body), and so has its `data`."""
    untyped = []
    for path, item in generated["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or (method, path) in openapi.SUCCESS_CONTENT:
                continue
            successes = {status: r for status, r in operation["responses"].items() if status.startswith("2")}
            # only a deprecated operation that refuses every caller (a tenant's package grant) has none
            assert successes or operation.get("deprecated"), (method, path)
            for status, response in successes.items():
                if status == "204":
                    assert "content" not in response, (method, path)
                    continue
                schema = _resolve(generated, response["content"]["application/json"]["schema"])
                data = schema.get("properties", {}).get("data")
                data = _resolve(generated, data.get("items", data)) if data else None
                if _untyped(schema) or (data is not None and _untyped(data)):
                    untyped.append((method, path, status))
    assert not untyped, untyped


def test_operation_ids_are_explicit_unique_and_camel_case(generated):
    ids = [
        operation.get("operationId")
        for item in generated["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    # Powertools' generated ids read `list_resources_v1_resources_get`: every route names its own.
    assert all(i and re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+|[a-z]+", i) for i in ids), ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    by_route = {
        (method, path): operation["operationId"]
        for path, item in generated["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    # The names SDK methods are generated from (document 004: `workspaces->create`, `namespaces->list`).
    assert by_route[("post", "/v1/workspaces")] == "createWorkspace"
    assert by_route[("get", "/v1/namespaces")] == "listNamespaces"
    assert by_route[("get", "/v1/organizations/{workspace_id}/members")] == "listOrganizationMembers"


# ---------------------------------------------------------------------------------------------- spec vs validators
def _sample(param: dict) -> str:
    """A value the document says is valid for the parameter."""
    schema = param["schema"]
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("type") == "integer":
        return str(schema.get("maximum", schema.get("minimum", 1)))
    if schema.get("format") == "date-time":
        return "2024-01-01T00:00:00Z"
    if "pattern" in schema:
        return re.match(r"\^(?:\[-\+\]\?)?\(([^|)]+)", schema["pattern"]).group(1).replace("\\", "")
    return "abc"


def _parse(spec, pairs: list[tuple[str, str]]):
    from platform_api.query import parse_list_query

    event = {"multiValueQueryStringParameters": {k: [v] for k, v in pairs} or None}
    return parse_list_query(event, spec, scope="test")


def test_list_parameters_and_limits_are_exactly_what_the_parser_accepts(generated):
    from platform_api import errors
    from platform_api.query import CONTROL_PARAMS, TENANT_PARAMS, TIMESTAMP_FILTERS

    specs = openapi.list_specs()
    assert specs, "no list route found"
    all_filters = {name for spec in specs.values() for name in spec.filters}
    candidates = {*CONTROL_PARAMS, *TENANT_PARAMS, *TIMESTAMP_FILTERS, *all_filters}
    candidates |= {f"filter[{name}]" for name in all_filters}
    for path, spec in specs.items():
        params = {p["name"]: p for p in generated["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert "default" not in params["page"]["schema"], "a default page would be sent beside every cursor"
        for name, param in params.items():
            if name == "cursor":
                continue  # only a cursor the server wrote is valid
            _parse(spec, [(name, _sample(param))])  # documented: accepted (a 400 fails the test)
            schema = param["schema"]
            if "maximum" in schema:
                with pytest.raises(errors.InvalidRequest):
                    _parse(spec, [(name, str(schema["maximum"] + 1))])
            if "maxLength" in schema and name == "search":
                with pytest.raises(errors.InvalidRequest):
                    _parse(spec, [(name, "a" * (schema["maxLength"] + 1))])
        for name in candidates - set(params):
            with pytest.raises(errors.InvalidRequest):  # not documented: refused
                _parse(spec, [(name, "1")])


def test_batch_limit_in_the_document_is_the_servers(generated):
    from platform_api.models.resources import MAX_BATCH_OPERATIONS

    schema = generated["components"]["schemas"]["BatchRequest"]["properties"]["operations"]
    assert (schema["minItems"], schema["maxItems"]) == (1, MAX_BATCH_OPERATIONS)


def test_swagger_ui_links_to_the_document_and_every_answer_is_typed(aws, generated):
    from tests.helpers import FakeContext, api_event, call, function_module

    raw = function_module("DocsFunction").handler(api_event("GET", "/v1/docs"), FakeContext())
    assert raw["statusCode"] == 200
    body = raw["body"]
    assert "?format=json" not in body  # that URL answers the page itself, not the document
    assert 'currentUrl.pathname.replace(/docs$/, "openapi.json")' in body
    assert call("GET", "/v1/openapi.json").status == 200
    # An untyped object is what Swagger UI shows as {"additionalProp1": {}}: every JSON 2xx names its model.
    for path, item in generated["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and schema is not None and path != "/v1/openapi.json":
                    assert "$ref" in schema, (method, path, status, schema)
