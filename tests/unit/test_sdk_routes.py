"""The SDKs follow the API: their route table (sdks/routes.json, `make sdks`) is what the OpenAPI document says,
and every operation of the document has a method on a client group."""

from __future__ import annotations

import json

from sdks import routes


def test_the_route_table_is_up_to_date_with_the_document():
    built = routes.build(json.loads(routes.DOCUMENT.read_text()))
    assert json.loads(routes.TABLE.read_text()) == built, "sdks/routes.json is out of date: run `make sdks`"


def test_every_operation_of_the_document_has_a_method():
    document = json.loads(routes.DOCUMENT.read_text())
    operations = {
        operation["operationId"]
        for methods in document["paths"].values()
        for verb, operation in methods.items()
        if verb in ("get", "post", "put", "patch", "delete")
    }
    named = {route["operation_id"] for route in routes.build(document)}
    assert operations - named == set(routes.EXCLUDED)
    assert all(route["method"].isidentifier() for route in routes.build(document))
