"""CORS: AllowedOrigins (template parameter, default none) answered alike by API Gateway's preflight mock and by
`make run`, and the functions' Access-Control-Allow-Origin only for an allowed origin."""

from __future__ import annotations

import pytest
import requests

from local import launcher
from tests.identity_support import register_user_http

pytestmark = pytest.mark.e2e

APP = "https://app.example.com"
PREFLIGHT = {
    "Origin": APP,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
}


def test_by_default_no_origin_may_read_an_answer(base_url):
    preflight = requests.options(f"{base_url}/v1/resources", headers=PREFLIGHT, timeout=30)
    assert preflight.status_code == 200  # answered, as API Gateway's mock does, but allowing no origin
    assert "Access-Control-Allow-Origin" not in preflight.headers
    health = requests.get(f"{base_url}/v1/health", headers={"Origin": APP}, timeout=30)
    assert "Access-Control-Allow-Origin" not in health.headers


def test_allowed_origins_preflight_and_read_answers(tmp_path):
    environment = {"ALLOWED_ORIGINS": f"{APP},https://admin.example.com"}
    with launcher.running(tmp_path / "data", tmp_path / "stack.log", environment) as stack:
        preflight = requests.options(f"{stack.url}/api/v1/resources/res_1", headers=PREFLIGHT, timeout=30)
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"  # the mock's one static value
        assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
        assert "idempotency-key" in preflight.headers["Access-Control-Allow-Headers"].lower()
        token = register_user_http(stack.url)["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        created = requests.post(
            f"{stack.url}/v1/resources", json={"name": "x"}, headers={**auth, "Origin": APP}, timeout=30
        )
        assert created.status_code == 201
        assert created.headers["Access-Control-Allow-Origin"] == APP
        assert "Location" in created.headers["Access-Control-Expose-Headers"]
        assert "Origin" in created.headers["Vary"]
        foreign = requests.get(
            f"{stack.url}/v1/resources", headers={**auth, "Origin": "https://evil.example"}, timeout=30
        )
        assert foreign.status_code == 200  # the bearer token is the credential; the browser withholds the answer
        assert "Access-Control-Allow-Origin" not in foreign.headers
