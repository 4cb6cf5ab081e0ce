"""The committed OpenAPI document is what the code generates, is valid, and lists exactly the template's routes."""

import json

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
