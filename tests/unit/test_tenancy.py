"""Workspaces (= organizations), members, namespaces, packages, entitlements and usage, in process."""

from __future__ import annotations

import uuid

import pytest

from platform_api.domain import operators
from tests.helpers import call
from tests.identity_support import register_user


def _slug(prefix: str = "team") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def alice(aws):
    return register_user()


@pytest.fixture
def bob(aws):
    return register_user()


def _workspace(user, **body):
    reply = call("POST", "/v1/workspaces", body={"name": "Team", "slug": _slug(), **body}, token=user["access_token"])
    assert reply.status == 201, reply
    return reply.json["data"]


def test_create_get_list_update_and_delete_a_workspace(alice):
    token = alice["access_token"]
    workspace = _workspace(alice, settings={"timezone": "Europe/London"})
    assert workspace["id"].startswith("wks_")
    assert workspace["role"] == "owner"
    assert workspace["settings"] == {"timezone": "Europe/London", "locale": "en_GB"}
    same = call("GET", f"/v1/organizations/{workspace['id']}", token=token)  # README: one collection, two names
    assert same.status == 200
    assert same.json["data"]["slug"] == workspace["slug"]
    listed = call("GET", "/v1/workspaces", token=token).json
    assert [w["id"] for w in listed["data"]] == [workspace["id"]]
    assert listed["meta"]["total"] == 1
    patched = call("PATCH", f"/v1/workspaces/{workspace['id']}", body={"settings": {"locale": "fr_FR"}}, token=token)
    assert patched.json["data"]["settings"] == {"timezone": "Europe/London", "locale": "fr_FR"}
    assert call("DELETE", f"/v1/workspaces/{workspace['id']}", token=token).status == 204
    assert call("GET", f"/v1/workspaces/{workspace['id']}", token=token).status == 404
    # the slug is free again
    assert call("POST", "/v1/workspaces", body={"name": "Again", "slug": workspace["slug"]}, token=token).status == 201


def test_slug_clash_is_409_and_bad_settings_are_400(alice, bob):
    workspace = _workspace(alice)
    clash = call("POST", "/v1/workspaces", body={"name": "X", "slug": workspace["slug"]}, token=bob["access_token"])
    assert clash.status == 409
    assert "slug" in clash.json["error"]["details"]
    for bad in ({"slug": "Not A Slug"}, {"settings": {"timezone": "Mars/Olympus"}}, {"settings": {"locale": "xx-"}}):
        reply = call("POST", "/v1/workspaces", body={"name": "X", **bad}, token=alice["access_token"])
        assert reply.status == 400, (bad, reply)
    assert call("POST", "/v1/workspaces", body={"name": "X", "tier": "pro"}, token=alice["access_token"]).status == 403


def test_slug_is_derived_when_omitted(alice):
    reply = call("POST", "/v1/workspaces", body={"name": "Acme Corporation"}, token=alice["access_token"])
    assert reply.status == 201
    assert reply.json["data"]["slug"].startswith("acme-corporation-")


def test_members_roles_and_the_last_owner(alice, bob):
    workspace = _workspace(alice)
    base = f"/v1/workspaces/{workspace['id']}/members"
    owner, other = alice["access_token"], bob["access_token"]
    added = call("POST", base, body={"user_id": bob["user_id"], "role": "member"}, token=owner)
    assert added.status == 201, added
    assert added.json["data"]["status"] == "pending"
    assert call("POST", base, body={"user_id": bob["user_id"]}, token=owner).status == 409  # already invited
    assert call("GET", base, token=other).status == 404  # not a member before accepting
    accepted = call("POST", f"/v1/invitations/{added.json['data']['id']}/accept", token=other)
    assert accepted.status == 201, accepted
    assert call("POST", base, body={"user_id": bob["user_id"]}, token=owner).status == 409  # already a member
    members = call("GET", base, token=other).json["data"]
    assert {m["user_id"]: m["role"] for m in members} == {alice["user_id"]: "owner", bob["user_id"]: "member"}
    assert members[0]["user"]["email"]
    # a member cannot manage members or the workspace
    assert call("DELETE", f"{base}/{alice['user_id']}", token=other).status == 403
    assert call("PATCH", f"/v1/workspaces/{workspace['id']}", body={"name": "x"}, token=other).status == 403
    # the last owner can neither be demoted nor leave
    assert call("PATCH", f"{base}/{alice['user_id']}", body={"role": "admin"}, token=owner).status == 409
    assert call("DELETE", f"{base}/{alice['user_id']}", token=owner).status == 409
    # with a second owner, the first may step down
    assert call("PATCH", f"{base}/{bob['user_id']}", body={"role": "owner"}, token=owner).status == 200
    assert call("PATCH", f"{base}/{alice['user_id']}", body={"role": "member"}, token=owner).status == 200
    assert call("DELETE", f"{base}/{alice['user_id']}", token=owner).status == 204  # leaving
    assert call("GET", f"/v1/workspaces/{workspace['id']}", token=owner).status == 404


def test_member_limit_comes_from_the_package(alice, aws):
    workspace = _workspace(alice)
    base = f"/v1/workspaces/{workspace['id']}/members"
    limit = 5  # pkg_free: members
    for _ in range(limit - 1):
        user = register_user()
        invited = call("POST", base, body={"user_id": user["user_id"]}, token=alice["access_token"])
        assert invited.status == 201
        accept = f"/v1/invitations/{invited.json['data']['id']}/accept"
        assert call("POST", accept, token=user["access_token"]).status == 201
    late = register_user()
    invited = call("POST", base, body={"user_id": late["user_id"]}, token=alice["access_token"])
    refused = call("POST", f"/v1/invitations/{invited.json['data']['id']}/accept", token=late["access_token"])
    assert refused.status == 403
    assert refused.json["error"]["code"] == "limit_exceeded"
    assert "members" in refused.json["error"]["details"]


def test_adding_an_unknown_user_is_404(alice):
    workspace = _workspace(alice)
    reply = call(
        "POST",
        f"/v1/workspaces/{workspace['id']}/members",
        body={"user_id": "usr_01JD0000000000000000000000"},
        token=alice["access_token"],
    )
    assert reply.status == 404


def test_workspace_delete_refuses_while_it_owns_resources(alice):
    token = alice["access_token"]
    workspace = _workspace(alice)
    headers = {"X-Workspace-ID": workspace["id"]}
    created = call("POST", "/v1/resources", body={"name": "kept"}, headers=headers, token=token)
    assert created.status == 201
    refused = call("DELETE", f"/v1/workspaces/{workspace['id']}", token=token)
    assert refused.status == 409
    assert refused.json["error"]["details"] == {"resources": ["1 remaining."]}
    call("DELETE", f"/v1/resources/{created.json['data']['id']}", headers=headers, token=token)
    assert call("DELETE", f"/v1/workspaces/{workspace['id']}", token=token).status == 204


def test_namespaces_personal_and_workspace(alice, bob):
    token = alice["access_token"]
    workspace = _workspace(alice)
    listed = call("GET", "/v1/namespaces", token=token).json["data"]
    assert {n["owner_type"] for n in listed} == {"User", "Workspace"}
    only_ws = call("GET", "/v1/namespaces", query={"workspace_id": workspace["id"]}, token=token).json["data"]
    assert [n["id"] for n in only_ws] == [workspace["default_namespace_id"]]
    assert call("GET", "/v1/namespaces", query={"owner_type": "User"}, token=token).json["meta"]["total"] == 1
    created = call(
        "POST",
        "/v1/namespaces",
        body={"name": "Client: Acme", "slug": "client-acme", "workspace_id": workspace["id"]},
        token=token,
    )
    assert created.status == 201, created
    namespace = created.json["data"]
    assert (namespace["owner_type"], namespace["workspace_id"], namespace["is_default"]) == (
        "Workspace",
        workspace["id"],
        False,
    )
    dup = call(
        "POST",
        "/v1/namespaces",
        body={"name": "again", "slug": "client-acme"},
        headers={"X-Workspace-ID": workspace["id"]},
        token=token,
    )
    assert dup.status == 409
    detail = call("GET", f"/v1/namespaces/{namespace['id']}", token=token).json["data"]
    assert detail["packages"] == [{"id": "pkg_free", "name": "Free Package", "expires_at": None}]
    assert detail["entitlements"]["storage"]["unit"] == "bytes"
    assert "reset_at" in detail["entitlements"]["api_calls"]
    # bob is not a member: every namespace route is a 404
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/packages"), ("GET", "/entitlements")):
        body = {"name": "x"} if method == "PATCH" else None
        assert (
            call(method, f"/v1/namespaces/{namespace['id']}{path}", body=body, token=bob["access_token"]).status == 404
        )
    renamed = call("PATCH", f"/v1/namespaces/{namespace['id']}", body={"slug": "client-acme-2"}, token=token)
    assert renamed.json["data"]["slug"] == "client-acme-2"
    assert call("DELETE", f"/v1/namespaces/{namespace['id']}", token=token).status == 204
    assert call("DELETE", f"/v1/namespaces/{workspace['default_namespace_id']}", token=token).status == 409


def test_namespace_limit_and_packages_change_entitlements(alice):
    token = alice["access_token"]
    for index in range(3):  # pkg_free: 3 namespaces besides the default one
        assert (
            call("POST", "/v1/namespaces", body={"name": f"n{index}", "slug": f"n{index}"}, token=token).status == 201
        )
    refused = call("POST", "/v1/namespaces", body={"name": "n3", "slug": "n3"}, token=token)
    assert refused.status == 403
    assert refused.json["error"]["code"] == "limit_exceeded"
    personal = alice["namespace_id"]
    before = call("GET", f"/v1/namespaces/{personal}/entitlements", token=token).json["data"]["storage"]["limit"]
    # packages are the operators' to grant (issue 14): the owner's own request is refused
    mine = call("POST", f"/v1/namespaces/{personal}/packages", body={"package_id": "pkg_starter"}, token=token)
    assert (mine.status, mine.json["error"]["code"]) == (403, "insufficient_permissions")
    operator = {"token": operators.create_key("support", created_by="tests")["key"]}
    grants = f"/v1/admin/namespaces/{personal}/packages"
    assigned = call("POST", grants, body={"package_id": "pkg_starter"}, **operator)
    assert assigned.status == 201, assigned
    assert [p["id"] for p in assigned.json["data"]["packages"]] == ["pkg_free", "pkg_starter"]
    after = call("GET", f"/v1/namespaces/{personal}/entitlements", token=token).json["data"]["storage"]["limit"]
    assert after == before + 5 * 1024**3
    assert call("POST", "/v1/namespaces", body={"name": "n3", "slug": "n3"}, token=token).status == 201
    again = call("POST", grants, body={"package_id": "pkg_starter"}, **operator)
    assert again.status == 409
    unknown = call("POST", grants, body={"package_id": "pkg_nope"}, **operator)
    assert unknown.status == 400
    assert call("DELETE", f"{grants}/pkg_starter", **operator).status == 409  # 4 namespaces in use
    assert call("DELETE", f"{grants}/pkg_pro", **operator).status == 404
    nowhere = call(
        "POST",
        "/v1/admin/namespaces/ns_01JD0000000000000000000000/packages",
        body={"package_id": "pkg_pro"},
        **operator,
    )
    assert nowhere.status == 404
    catalogue = call("GET", "/v1/packages", token=token).json["data"]
    assert {"pkg_free", "pkg_starter", "pkg_pro", "pkg_business"} <= {p["id"] for p in catalogue}


def test_entitlement_check_shape(alice):
    token = alice["access_token"]
    personal = alice["namespace_id"]
    reply = call(
        "POST",
        f"/v1/namespaces/{personal}/entitlements/check",
        body={"feature": "storage", "quantity": 2 * 1024**3},
        token=token,
    )
    assert reply.status == 200
    assert reply.json == {
        "allowed": False,
        "reason": "LIMIT_EXCEEDED",
        "message": "Storage limit exceeded. Used: 0.00 GB, Available: 1.00 GB, Requested: 2.00 GB",
        "current_usage": 0,
        "limit": 1024**3,
        "available": 1024**3,
    }
    ok = call("POST", f"/v1/namespaces/{personal}/entitlements/check", body={"feature": "resources"}, token=token)
    assert ok.json["allowed"] is True
    assert ok.json["reason"] is None
    bad = call("POST", f"/v1/namespaces/{personal}/entitlements/check", body={"feature": "unicorns"}, token=token)
    assert bad.status == 400


def test_usage_reports_windows_calls_and_entitlements(alice):
    token = alice["access_token"]
    call("GET", "/v1/users/me", token=token)
    reply = call("GET", "/v1/usage", token=token)
    assert reply.status == 200, reply
    usage = reply.json["data"]
    assert usage["rate_limit"]["minute"]["limit"] == 60
    assert usage["api_calls"]["this_month"] >= 2
    assert usage["api_calls"]["sessions"] == usage["api_calls"]["this_month"]
    assert [n["id"] for n in usage["namespaces"]] == [alice["namespace_id"]]
    assert usage["namespaces"][0]["entitlements"]["resources"]["limit"] == 1000


def test_a_namespace_with_its_packages_and_usage_is_one_query(alice, dynamodb_calls):
    """GET /v1/namespaces/{id} and its /entitlements read the namespace's head in one Query, whatever it holds."""
    for index in range(30):  # resources share the partition; the Query must not read them
        call("POST", "/v1/resources", body={"name": f"r{index}"}, token=alice["access_token"])
    seen = dynamodb_calls
    seen.clear()
    namespace = alice["namespace_id"]
    detail = call("GET", f"/v1/namespaces/{namespace}", token=alice["access_token"])
    assert detail.status == 200
    assert detail.json["data"]["entitlements"]["resources"]["used"] == 30
    assert [p["id"] for p in detail.json["data"]["packages"]] == ["pkg_free"]
    assert seen == ["UpdateItem", "Query"]  # authentication + rate limit, then the namespace's head
    seen.clear()
    usage = call("GET", f"/v1/namespaces/{namespace}/entitlements", token=alice["access_token"])
    assert usage.status == 200
    assert seen == ["UpdateItem", "Query"]
