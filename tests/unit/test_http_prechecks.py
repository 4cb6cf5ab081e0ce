"""The shared front door rejects malformed requests before any route runs."""

import pytest

from tests.helpers import FakeContext, Reply, api_event, function_module

# Every response counts a rate window (an anonymous caller's is its address's): a table is needed.
pytestmark = pytest.mark.usefixtures("aws")


def _send(**kwargs):
    event = api_event("GET", "/v1/health")
    event.update(kwargs.pop("event", {}))
    event["headers"].update(kwargs.pop("headers", {}))
    return Reply(function_module("HealthFunction").handler(event, FakeContext()))


def test_body_that_is_not_json_is_400():
    reply = _send(event={"body": "{not json"}, headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.json["error"]["code"] == "invalid_request"
    assert "JSON" in reply.json["error"]["message"]


def test_oversized_body_is_413():
    reply = _send(event={"body": '{"a":"' + "x" * 300_000 + '"}'}, headers={"Content-Type": "application/json"})
    assert reply.status == 413
    assert reply.json["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_415(content_type):
    reply = _send(event={"body": "a=b"}, headers={"Content-Type": content_type})
    assert reply.status == 415
    assert reply.json["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("headers", [{"Content-Type": "text/plain;charset=UTF-8"}, {}])
def test_a_json_body_sent_as_text_plain_or_without_a_type_is_json(headers):
    # document 004's fetch example: a string body, so the browser sends text/plain
    event = api_event("POST", "/v1/auth/register", body={"email": "x"})
    for key in ("headers", "multiValueHeaders"):
        event[key] = {k: v for k, v in event[key].items() if k.lower() != "content-type"}
    event["headers"].update(headers)
    reply = Reply(function_module("AuthFunction").handler(event, FakeContext()))
    assert reply.status == 400  # validated as JSON: the missing username and password, not 415
    assert {"username", "password"} <= set(reply.json["error"]["details"])


def test_every_error_carries_the_request_id_of_the_response_header():
    reply = _send(event={"body": "[", "requestContext": {"requestId": "abc-123"}})
    assert reply.json["error"]["request_id"] == "req_abc-123" == reply.headers["x-request-id"]
