"""The local stack answers like the deployed API: both base paths, envelope errors, real HTTP."""

import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_health_on_both_base_paths(base_url, prefix):
    reply = requests.get(f"{base_url}{prefix}/v1/health", timeout=10)
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"
    assert reply.headers["X-Request-Id"].startswith("req_")


def test_unknown_route_is_404_in_the_envelope(base_url):
    reply = requests.get(f"{base_url}/v1/does-not-exist", timeout=10)
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["code"] == "resource_not_found"
    assert error["request_id"] == reply.headers["X-Request-Id"]


def test_wrong_method_is_405_with_allow(base_url):
    reply = requests.delete(f"{base_url}/v1/health", timeout=10)
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET"
    assert reply.json()["error"]["code"] == "method_not_allowed"
