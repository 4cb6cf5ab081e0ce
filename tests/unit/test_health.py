import pytest

from tests.helpers import FakeContext, Reply, api_event, call, function_module

# Every response counts a rate window (an anonymous caller's is its address's): a table is needed.
pytestmark = pytest.mark.usefixtures("aws")


def test_health_answers_status_and_version():
    reply = call("GET", "/v1/health")
    assert reply.status == 200
    assert reply.json["status"] == "ok"
    assert reply.json["version"]
    assert reply.headers["x-request-id"].startswith("req_")
    assert reply.headers["cache-control"] == "no-store"


def test_unknown_method_inside_a_function_is_405_in_the_envelope():
    event = api_event("GET", "/v1/health")
    event["httpMethod"] = "DELETE"
    reply = Reply(function_module("HealthFunction").handler(event, FakeContext()))
    assert reply.status == 405
    assert reply.json["error"]["code"] == "method_not_allowed"
    assert reply.headers["allow"] == "GET"


def test_unknown_path_inside_a_function_is_404_in_the_envelope():
    event = api_event("GET", "/v1/health")
    event["path"] = "/v1/healthz"
    reply = Reply(function_module("HealthFunction").handler(event, FakeContext()))
    assert reply.status == 404
    assert reply.json["error"]["code"] == "resource_not_found"
    assert reply.json["error"]["request_id"] == reply.headers["x-request-id"]
