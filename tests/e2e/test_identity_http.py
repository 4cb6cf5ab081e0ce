"""Identity over real HTTP: the user routes, API keys by id, and the public docs routes."""

import pytest
import requests

from tests.identity_support import auth_headers, create_api_key_http, register_user_http

pytestmark = pytest.mark.e2e


def test_user_routes(base_url):
    alice = register_user_http(base_url)
    headers = auth_headers(alice["access_token"])
    me = requests.get(f"{base_url}/v1/user", headers=headers, timeout=30)
    assert me.status_code == 200
    assert me.json()["data"]["id"] == alice["user_id"]
    by_id = requests.get(f"{base_url}/v1/users/{alice['user_id']}", headers=headers, timeout=30)
    assert by_id.json()["data"]["email"] == alice["email"]
    renamed = requests.patch(
        f"{base_url}/v1/users/{alice['user_id']}", json={"name": "Jane Doe"}, headers=headers, timeout=30
    )
    assert renamed.status_code == 200
    assert renamed.json()["data"]["name"] == "Jane Doe"
    # README (tenancy): without a workspace the personal namespace is the context, whose one user is the caller
    no_context = requests.get(f"{base_url}/v1/users", headers=headers, timeout=30)
    assert no_context.status_code == 200
    assert [u["id"] for u in no_context.json()["data"]] == [alice["user_id"]]


def test_api_key_by_id_and_as_credential(base_url):
    alice = register_user_http(base_url)
    key = create_api_key_http(base_url, alice["access_token"], scopes=["read:all"])
    fetched = requests.get(
        f"{base_url}/v1/api-keys/{key['id']}", headers=auth_headers(alice["access_token"]), timeout=30
    )
    assert fetched.status_code == 200
    assert "key" not in fetched.json()["data"]
    with_key = requests.get(f"{base_url}/v1/resources", headers=auth_headers(key["key"]), timeout=30)
    assert with_key.status_code == 200
    assert with_key.headers["X-RateLimit-Limit"] == "50"  # the owner's 10-second burst: the tightest window


def test_docs_routes_are_public(base_url):
    document = requests.get(f"{base_url}/v1/openapi.json", timeout=30)
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.1")
    page = requests.get(f"{base_url}/v1/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.text
