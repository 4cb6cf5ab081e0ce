"""The world the resources tests run in: the real modules on moto (identity, tenancy, entitlements, users).

Alice and Bob register through the auth function; scoped credentials are real API keys; a shared namespace is
a real workspace Bob was invited to and joined; a limit is the namespace's real entitlement counter, lowered.
Nothing is replaced in `sys.modules`: breaking production's `consume` fails these tests (issue 16).

Tests take the `env` fixture (their own file defines it over `world`) and call `alice()`, `bob()`,
`key_with(scopes)` for tokens; helper functions default to Alice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.helpers import call
from tests.identity_support import create_api_key, register_user


@dataclass
class World:
    alice: dict
    bob: dict
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def alice_id(self) -> str:
        return self.alice["user_id"]

    @property
    def alice_ns(self) -> str:
        return self.alice["namespace_id"]

    def usage(self, namespace_id: str, feature: str) -> int:
        from platform_api.domain import entitlements

        return entitlements.usage(namespace_id, feature)

    def set_limit(self, feature: str, limit: int, namespace_id: str | None = None) -> None:
        """Lower (or raise) a namespace's limit for `feature`: its counter's `remaining` becomes limit - used."""
        from platform_api.dal import entitlements as dal

        counter = dal.get_counter(namespace_id or self.alice_ns, feature)
        assert counter is not None, feature
        counter.update(actions=[dal.CounterItem.remaining.set(max(0, limit - int(counter.used)))])

    def share_with_bob(self) -> str:
        """A workspace of Alice's that Bob joined as a member; returns its default namespace id."""
        workspace = call("POST", "/v1/workspaces", body={"name": "Team"}, token=self.alice["access_token"])
        assert workspace.status == 201, workspace
        invited = call(
            "POST",
            f"/v1/workspaces/{workspace.json['data']['id']}/members",
            body={"user_id": self.bob["user_id"]},
            token=self.alice["access_token"],
        )
        accepted = call("POST", f"/v1/invitations/{invited.json['data']['id']}/accept", token=self.bob["access_token"])
        assert accepted.status == 201, accepted
        return workspace.json["data"]["default_namespace_id"]


WORLD: World | None = None


def _world() -> World:
    assert WORLD is not None, "use the `world` fixture"
    return WORLD


def alice() -> str:
    return _world().alice["access_token"]


def bob() -> str:
    return _world().bob["access_token"]


def key_with(scopes: str) -> str:
    """An API key of Alice's holding exactly these comma-separated scopes (one per distinct set)."""
    world = _world()
    if scopes not in world.keys:
        world.keys[scopes] = create_api_key(alice(), scopes=scopes.split(","))["key"]
    return world.keys[scopes]


@pytest.fixture
def world(aws):
    global WORLD
    WORLD = World(alice=register_user(name="Alice"), bob=register_user(name="Bob"))
    yield WORLD
    WORLD = None
