"""template.yaml is the single source of truth: every route it declares is served by its function's code."""

import re

import pytest

from local.template import ROOT, load_template, resources_of_type
from tests.helpers import function_module, template_routes

FUNCTIONS = resources_of_type(load_template(), "AWS::Serverless::Function")


def _code_routes(logical_id: str) -> set[tuple[str, str]]:
    app = function_module(logical_id).app
    routes = list(app._static_routes) + list(app._dynamic_routes)
    return {(r.method, re.sub(r"<(\w+)>", r"{\1}", r.path)) for r in routes}


API_FUNCTIONS = sorted({logical_id for _, _, logical_id in template_routes()})


@pytest.mark.parametrize("logical_id", API_FUNCTIONS)
def test_template_routes_match_the_functions_routes(logical_id):
    declared = {(m, p) for m, p, fn in template_routes() if fn == logical_id}
    assert declared == _code_routes(logical_id)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_its_code_and_handler(logical_id):
    props = FUNCTIONS[logical_id]["Properties"]
    module_name, _attribute = props["Handler"].rsplit(".", 1)
    assert (ROOT / props["CodeUri"] / f"{module_name}.py").is_file()


def test_every_route_is_versioned_and_unique():
    routes = [(m, p) for m, p, _ in template_routes()]
    assert all(p.startswith("/v1/") for _, p in routes)
    assert len(routes) == len(set(routes))


def test_table_has_streams_ttl_pitr_and_encryption():
    (table,) = resources_of_type(load_template(), "AWS::DynamoDB::Table").values()
    props = table["Properties"]
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["TimeToLiveSpecification"]["Enabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["BillingMode"] == "PAY_PER_REQUEST"
