"""Red-team findings F1 and F2 (issue 19), black-box over HTTP against the local stack.

Named by OWASP API Security Top 10 2023 category, so a regression names what it reopens:
- API1 (broken object level authorization): a user's account is reachable by nobody else;
- API3 (broken object property level authorization): nobody rewrites another user's login identity;
- API5 (broken function level authorization): joining needs consent; administration needs `admin:workspace`;
  the owner role moves only in a signed-in session.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.identity_support import DEFAULT_PASSWORD, create_api_key_http, register_user_http

pytestmark = pytest.mark.e2e


def _auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def _workspace(base_url: str, token: str) -> dict:
    reply = requests.post(
        f"{base_url}/v1/workspaces",
        json={"name": "Team", "slug": f"team-{uuid.uuid4().hex[:10]}"},
        headers=_auth(token),
        timeout=30,
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["data"]


def _invite(base_url: str, token: str, workspace_id: str, user_id: str, role: str = "member") -> requests.Response:
    return requests.post(
        f"{base_url}/v1/workspaces/{workspace_id}/members",
        json={"user_id": user_id, "role": role},
        headers=_auth(token),
        timeout=30,
    )


def _join(base_url: str, inviter_token: str, workspace_id: str, user: dict, role: str = "member") -> None:
    invited = _invite(base_url, inviter_token, workspace_id, user["user_id"], role)
    assert invited.status_code == 201, invited.text
    accepted = requests.post(
        f"{base_url}/v1/invitations/{invited.json()['data']['id']}/accept",
        headers=_auth(user["access_token"]),
        timeout=30,
    )
    assert accepted.status_code == 201, accepted.text


def _login(base_url: str, email: str) -> int:
    return requests.post(
        f"{base_url}/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}, timeout=30
    ).status_code


def test_api5_nobody_is_added_to_a_workspace_without_accepting(base_url):
    attacker, victim = register_user_http(base_url), register_user_http(base_url)
    workspace = _workspace(base_url, attacker["access_token"])

    invited = _invite(base_url, attacker["access_token"], workspace["id"], victim["user_id"])
    assert invited.status_code == 201
    assert invited.json()["data"]["status"] == "pending"
    assert victim["email"] not in invited.text  # no email before the user accepts
    members = requests.get(
        f"{base_url}/v1/workspaces/{workspace['id']}/members", headers=_auth(attacker["access_token"]), timeout=30
    )
    assert victim["user_id"] not in {m["user_id"] for m in members.json()["data"]}
    assert victim["email"] not in members.text

    # F1 as reproduced: the attacker rewrites the "member's" email through the shared workspace
    hijack = requests.patch(
        f"{base_url}/v1/users/{victim['user_id']}",
        json={"email": f"taken-{uuid.uuid4().hex[:8]}@example.com"},
        headers=_auth(attacker["access_token"], **{"X-Workspace-ID": workspace["id"]}),
        timeout=30,
    )
    assert hijack.status_code == 404
    assert _login(base_url, victim["email"]) == 200

    # the invitation is the victim's to see and to decline; nobody else's
    mine = requests.get(f"{base_url}/v1/invitations", headers=_auth(victim["access_token"]), timeout=30).json()
    assert [i["workspace"]["name"] for i in mine["data"]] == ["Team"]
    invitation_id = invited.json()["data"]["id"]
    stolen = requests.post(
        f"{base_url}/v1/invitations/{invitation_id}/accept", headers=_auth(attacker["access_token"]), timeout=30
    )
    assert stolen.status_code == 404
    declined = requests.delete(
        f"{base_url}/v1/invitations/{invitation_id}", headers=_auth(victim["access_token"]), timeout=30
    )
    assert declined.status_code == 204
    assert (
        requests.get(f"{base_url}/v1/invitations", headers=_auth(victim["access_token"]), timeout=30).json()["data"]
        == []
    )


@pytest.mark.parametrize("field", ["email", "username"])
def test_api3_a_workspace_admin_cannot_change_another_users_login_identity(base_url, field):
    owner, admin = register_user_http(base_url), register_user_http(base_url)
    workspace = _workspace(base_url, owner["access_token"])
    _join(base_url, owner["access_token"], workspace["id"], admin, role="admin")
    value = f"x{uuid.uuid4().hex[:10]}" + ("@example.com" if field == "email" else "")
    reply = requests.patch(
        f"{base_url}/v1/users/{owner['user_id']}",
        json={field: value},
        headers=_auth(admin["access_token"], **{"X-Workspace-ID": workspace["id"]}),
        timeout=30,
    )
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "insufficient_permissions"
    assert _login(base_url, owner["email"]) == 200
    me = requests.get(f"{base_url}/v1/users/me", headers=_auth(owner["access_token"]), timeout=30).json()["data"]
    assert me[field] != value


def test_api1_an_admin_of_one_workspace_cannot_reach_the_owner_of_another(base_url):
    admin, stranger = register_user_http(base_url), register_user_http(base_url)
    mine = _workspace(base_url, admin["access_token"])
    _workspace(base_url, stranger["access_token"])
    reply = requests.patch(
        f"{base_url}/v1/users/{stranger['user_id']}",
        json={"name": "renamed"},
        headers=_auth(admin["access_token"], **{"X-Workspace-ID": mine["id"]}),
        timeout=30,
    )
    assert reply.status_code == 404


def test_api3_a_user_still_edits_their_own_account_by_id(base_url):
    user = register_user_http(base_url)
    reply = requests.patch(
        f"{base_url}/v1/users/{user['user_id']}",
        json={"name": "Jane Doe"},
        headers=_auth(user["access_token"]),
        timeout=30,
    )
    assert reply.status_code == 200
    assert reply.json()["data"]["name"] == "Jane Doe"


@pytest.fixture
def team(base_url):
    """An owner in a session, a member, and the owner's API keys with and without `admin:workspace`."""
    owner, member = register_user_http(base_url), register_user_http(base_url)
    workspace = _workspace(base_url, owner["access_token"])
    _join(base_url, owner["access_token"], workspace["id"], member)
    write_only = create_api_key_http(base_url, owner["access_token"], scopes=["write:workspaces"])["key"]
    admin = create_api_key_http(base_url, owner["access_token"], scopes=["write:workspaces", "admin:workspace"])["key"]
    return {"owner": owner, "member": member, "workspace": workspace, "write_only": write_only, "admin": admin}


def _as(base_url: str, key: str, method: str, path: str, body: dict | None = None) -> int:
    return requests.request(method, f"{base_url}{path}", json=body, headers=_auth(key), timeout=30).status_code


def test_api5_a_write_workspaces_key_cannot_administer_the_workspace(base_url, team):
    key, wks, member = team["write_only"], team["workspace"]["id"], team["member"]["user_id"]
    outsider = register_user_http(base_url)["user_id"]
    namespace = team["workspace"]["default_namespace_id"]
    refused = {
        "invite": _as(base_url, key, "POST", f"/v1/workspaces/{wks}/members", {"user_id": outsider, "role": "owner"}),
        "invite member": _as(base_url, key, "POST", f"/v1/workspaces/{wks}/members", {"user_id": outsider}),
        "change role": _as(base_url, key, "PATCH", f"/v1/workspaces/{wks}/members/{member}", {"role": "admin"}),
        "remove": _as(base_url, key, "DELETE", f"/v1/workspaces/{wks}/members/{member}"),
        "remove owner": _as(base_url, key, "DELETE", f"/v1/workspaces/{wks}/members/{team['owner']['user_id']}"),
        "slug": _as(base_url, key, "PATCH", f"/v1/workspaces/{wks}", {"slug": f"s-{uuid.uuid4().hex[:10]}"}),
        "delete": _as(base_url, key, "DELETE", f"/v1/workspaces/{wks}"),
        "grant package": _as(base_url, key, "POST", f"/v1/namespaces/{namespace}/packages", {"package_id": "pkg_pro"}),
        "remove package": _as(base_url, key, "DELETE", f"/v1/namespaces/{namespace}/packages/pkg_free"),
    }
    assert refused == dict.fromkeys(refused, 403)
    assert _as(base_url, key, "PATCH", f"/v1/workspaces/{wks}", {"name": "Renamed"}) == 200  # not administration
    workspace = requests.get(
        f"{base_url}/v1/workspaces/{wks}", headers=_auth(team["owner"]["access_token"]), timeout=30
    ).json()["data"]
    assert workspace["slug"] == team["workspace"]["slug"]


def test_api5_the_owner_role_moves_only_in_a_signed_in_session(base_url, team):
    key, wks, member = team["admin"], team["workspace"]["id"], team["member"]["user_id"]
    outsider = register_user_http(base_url)["user_id"]
    assert _as(base_url, key, "POST", f"/v1/workspaces/{wks}/members", {"user_id": outsider, "role": "owner"}) == 403
    assert _as(base_url, key, "PATCH", f"/v1/workspaces/{wks}/members/{member}", {"role": "owner"}) == 403
    assert _as(base_url, key, "PATCH", f"/v1/workspaces/{wks}/members/{member}", {"role": "admin"}) == 200
    assert _as(base_url, key, "POST", f"/v1/workspaces/{wks}/members", {"user_id": outsider}) == 201
    session = team["owner"]["access_token"]
    assert _as(base_url, session, "PATCH", f"/v1/workspaces/{wks}/members/{member}", {"role": "owner"}) == 200


def _confirmation_token(email: str) -> str:
    """The local stack writes the confirmation token to its log (no mail is sent anywhere)."""
    import re
    import time

    from local.template import ROOT

    pattern = re.compile(rf"Email confirmation for {re.escape(email)}: .* with token ([A-Za-z0-9_-]+)")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = pattern.findall((ROOT / ".pytest-local-stack.log").read_text(errors="replace"))
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no confirmation logged for {email}")


def test_api2_changing_the_email_or_password_proves_the_current_password(base_url):
    user = register_user_http(base_url)
    me = f"{base_url}/v1/users/me"
    auth = _auth(user["access_token"])
    new_email = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    missing = requests.patch(me, json={"email": new_email}, headers=auth, timeout=30)
    assert missing.status_code == 400
    wrong = requests.patch(me, json={"email": new_email, "current_password": "guess"}, headers=auth, timeout=30)
    assert wrong.status_code == 403
    assert _login(base_url, user["email"]) == 200  # nothing changed

    moved = requests.patch(
        me, json={"email": new_email, "current_password": DEFAULT_PASSWORD}, headers=auth, timeout=30
    )
    assert moved.status_code == 200
    assert moved.json()["data"]["email_verified_at"] is None
    confirm = f"{base_url}/v1/users/me/email/confirm"
    forged = requests.post(confirm, json={"token": "x" * 43}, headers=auth, timeout=30)
    assert forged.status_code == 400
    confirmed = requests.post(confirm, json={"token": _confirmation_token(new_email)}, headers=auth, timeout=30)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["email_verified_at"]

    new_password = "a brand new passphrase 42"
    no_proof = requests.patch(me, json={"password": new_password}, headers=auth, timeout=30)
    assert no_proof.status_code == 400
    changed = requests.patch(
        me, json={"password": new_password, "current_password": DEFAULT_PASSWORD}, headers=auth, timeout=30
    )
    assert changed.status_code == 200
    assert _login(base_url, new_email) == 401  # the old password no longer works
    login = requests.post(f"{base_url}/v1/auth/login", json={"email": new_email, "password": new_password}, timeout=30)
    assert login.status_code == 200
