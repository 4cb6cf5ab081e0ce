"""SnapStart (issue 13): a restore is simulated by putting back the state a snapshot held and calling the hooks.

Many environments resume one snapshot, so each test restores the same state twice ("environment A", "environment
B") and checks that what must be unique differs; a control without the hook shows the simulation would catch it.
"""

from __future__ import annotations

import copy
import random
import sys
import types

import pytest

from platform_api import ids, keys, sealing, snapstart, tokens
from platform_api.models.envelopes import InModel


def _restore(state: object, hook: bool) -> None:
    random.setstate(state)  # type: ignore[arg-type]
    if hook:
        snapstart.after_restore()


def test_random_differs_between_environments_restored_from_one_snapshot():
    snapshot = random.getstate()
    _restore(snapshot, hook=False)
    a = [random.random() for _ in range(4)]
    _restore(snapshot, hook=False)
    assert [random.random() for _ in range(4)] == a  # the control: one snapshot, one sequence

    _restore(snapshot, hook=True)
    a = [random.random() for _ in range(4)]
    _restore(snapshot, hook=True)
    assert [random.random() for _ in range(4)] != a


def test_ids_minted_in_the_same_millisecond_after_two_restores_differ(monkeypatch):
    import ulid

    frozen = 1_800_000_000_000  # every environment resumes in this millisecond, the one the snapshot last saw
    monkeypatch.setattr(ulid.ULIDGenerator, "_default_clock", staticmethod(lambda: frozen))
    monkeypatch.setattr(ulid, "default_generator", ulid.ULIDGenerator())
    ids.new_id("res")  # the snapshot's last id: its millisecond and random part are the generator's state
    snapshot = copy.deepcopy(ulid.default_generator.policy)

    minted = []
    for _ in range(2):  # control: without the hook both environments continue the same sequence
        ulid.default_generator.policy = copy.deepcopy(snapshot)
        minted.append(ids.new_id("res"))
    assert minted[0] == minted[1]

    minted = []
    for _ in range(2):
        ulid.default_generator.policy = copy.deepcopy(snapshot)
        snapstart.after_restore()
        minted.append(ids.new_id("res"))
    assert minted[0] != minted[1]
    assert all(value.startswith("res_") and len(value) == 30 for value in minted)


def test_tokens_and_secrets_differ_after_two_restores(aws):
    state = random.getstate()
    issued = []
    for _ in range(2):
        _restore(state, hook=True)
        issued.append(tokens.issue("usr_1", "ses_1", tier="free", namespace_id=None))
    assert issued[0] != issued[1]
    assert tokens.verify(issued[0])["jti"] != tokens.verify(issued[1])["jti"]


def test_a_restore_forgets_the_key_ring_and_data_keys(aws):
    keys.ring()
    sealing.seal_webhook_secret("whsec_example", "wh_1")
    assert keys._ring is not None
    assert sealing._data_keys

    snapstart.after_restore()

    assert keys._ring is None
    assert not sealing._data_keys
    assert sealing.open_webhook_secret(sealing.seal_webhook_secret("whsec_again", "wh_1"), "wh_1") == "whsec_again"


def test_before_the_snapshot_clients_are_created_and_deferred_models_built(aws, dynamodb_calls):
    from platform_api import clients

    class Probe(InModel):
        value: int

    assert not Probe.__pydantic_complete__
    clients.reset()

    snapstart.before_snapshot()

    assert Probe.__pydantic_complete__
    assert "ulid" in sys.modules  # a restored environment's first new id does not import it
    assert set(clients._clients) >= {"dynamodb", "secretsmanager"}
    assert dynamodb_calls == []  # no request: nothing connection-bound is captured in the snapshot


def test_hooks_register_with_the_runtime_once(monkeypatch):
    registered: list[tuple[str, object]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = lambda hook: registered.append(("before", hook))  # type: ignore[attr-defined]
    runtime.register_after_restore = lambda hook: registered.append(("after", hook))  # type: ignore[attr-defined]
    monkeypatch.setattr(snapstart, "_registered", False)

    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
    assert snapstart.register() is False  # not Lambda's runtime: nothing to register with
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    assert snapstart.register() is True
    assert snapstart.register() is True

    assert registered == [("before", snapstart.before_snapshot), ("after", snapstart.after_restore)]


@pytest.mark.parametrize("name", ["HealthFunction", "ResourcesFunction"])
def test_every_api_function_registers_through_its_handler_module(name, monkeypatch):
    """The registration is in http.lambda_handler, which every API function's module calls at import."""
    import importlib.util

    from local.template import ROOT, load_template
    from platform_api import http

    registered: list[object] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = registered.append  # type: ignore[attr-defined]
    runtime.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    monkeypatch.setattr(http.snapstart, "_registered", False)

    app = ROOT / load_template()["Resources"][name]["Properties"]["CodeUri"] / "app.py"
    spec = importlib.util.spec_from_file_location(f"snapstart_probe_{name}", app)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)  # a fresh import, as a new container's

    assert registered == [http.snapstart.before_snapshot, http.snapstart.after_restore]
