"""The unit of work: the error registered with a failed condition, retries of conflicts, nothing half-written.

Faults are injected at botocore, where DynamoDB's answers arrive: a `TransactionCanceledException` with the
cancellation reasons AWS sends when another transaction holds one of the items.
"""

from __future__ import annotations

import botocore.client
import pytest
from botocore.exceptions import ClientError

from platform_api import errors
from platform_api.dal import entitlements as entitlements_dal
from platform_api.domain import entitlements
from platform_api.events import EventRecord, new_event
from platform_api.ids import new_id
from platform_api.unit_of_work import MAX_ITEMS, UnitOfWork


class Marker(Exception):
    pass


def _counter_namespace(limit: int) -> str:
    namespace_id = new_id("ns")
    for item in entitlements.new_counters(namespace_id):
        if item.SK == "ENTITLEMENT#resources":
            item.remaining = limit
        item.save()
    return namespace_id


def _used(namespace_id: str) -> int:
    return entitlements.usage(namespace_id, "resources")


@pytest.fixture
def transact_calls(monkeypatch):
    """Every TransactWriteItems request; `fail_with(codes, times)` makes the next `times` of them cancelled."""
    original = botocore.client.BaseClient._make_api_call
    state: dict = {"calls": [], "failures": []}

    def intercept(self, operation_name, api_params):
        if operation_name == "TransactWriteItems":
            state["calls"].append(api_params)
            if state["failures"]:
                codes = state["failures"].pop(0)
                raise ClientError(
                    {
                        "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                        "CancellationReasons": [{"Code": code} for code in codes],
                    },
                    operation_name,
                )
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", intercept)

    def fail_with(codes: list[str], times: int = 1) -> None:
        state["failures"].extend([codes] * times)

    state["fail_with"] = fail_with
    return state


def test_the_error_registered_with_the_failed_condition_is_raised_and_nothing_is_written(aws):
    namespace_id = _counter_namespace(limit=0)
    event = new_event("resource", "created", "res_x", {}, namespace_id=namespace_id)
    uow = UnitOfWork()
    uow.emit(event)
    entitlements.consume(uow, namespace_id, "resources")
    with pytest.raises(errors.LimitExceeded) as raised:
        uow.commit()
    assert raised.value.extra == {"feature": "resources"}
    with pytest.raises(EventRecord.DoesNotExist):
        EventRecord.get(event.PK, event.SK)  # the outbox event went with the cancelled change


def test_the_first_failed_operation_decides_and_same_kind_failures_fold_their_details(aws):
    namespace_id = _counter_namespace(limit=5)
    first = errors.Conflict("first", details={"a": ["x"]})
    second = errors.Conflict("second", details={"b": ["y"]})
    uow = UnitOfWork()
    counter = entitlements_dal.CounterItem(*entitlements_dal.counter_key(namespace_id, "resources"))
    uow.check(counter, entitlements_dal.CounterItem.used > 100, on_conflict=first)
    other = entitlements_dal.CounterItem(*entitlements_dal.counter_key(namespace_id, "storage"))
    uow.check(other, entitlements_dal.CounterItem.used > 100, on_conflict=second)
    with pytest.raises(errors.Conflict) as raised:
        uow.commit()
    assert raised.value is first
    assert raised.value.details == {"a": ["x"], "b": ["y"]}


def test_a_domain_exception_can_be_registered_to_drive_a_retry_loop(aws):
    namespace_id = _counter_namespace(limit=5)
    uow = UnitOfWork()
    counter = entitlements_dal.CounterItem(*entitlements_dal.counter_key(namespace_id, "resources"))
    uow.check(counter, entitlements_dal.CounterItem.used == 99, on_conflict=Marker())
    with pytest.raises(Marker):
        uow.commit()


def test_a_condition_without_a_registered_error_is_a_409_not_a_500(aws):
    namespace_id = _counter_namespace(limit=5)
    uow = UnitOfWork()
    counter = entitlements_dal.CounterItem(*entitlements_dal.counter_key(namespace_id, "resources"))
    uow.update(counter, [entitlements_dal.CounterItem.used.add(1)], condition=entitlements_dal.CounterItem.used > 9)
    with pytest.raises(errors.Conflict):
        uow.commit()
    assert _used(namespace_id) == 0


def test_a_transaction_conflict_is_retried_with_a_fresh_token_and_applies_once(aws, transact_calls):
    namespace_id = _counter_namespace(limit=5)
    transact_calls["fail_with"](["None", "TransactionConflict"], times=2)
    with UnitOfWork() as uow:
        entitlements.consume(uow, namespace_id, "resources")
    assert len(transact_calls["calls"]) == 3
    tokens = [call["ClientRequestToken"] for call in transact_calls["calls"]]
    assert len(set(tokens)) == 3  # one per attempt: a transport retry inside an attempt reuses it
    assert _used(namespace_id) == 1


def test_a_conflict_that_persists_is_a_retryable_409_and_writes_nothing(aws, transact_calls):
    namespace_id = _counter_namespace(limit=5)
    transact_calls["fail_with"](["TransactionConflict"], times=10)
    uow = UnitOfWork()
    entitlements.consume(uow, namespace_id, "resources")
    with pytest.raises(errors.Conflict) as raised:
        uow.commit()
    assert raised.value.headers.get("Retry-After") == "1"
    assert _used(namespace_id) == 0


def test_a_condition_failure_is_not_retried(aws, transact_calls):
    namespace_id = _counter_namespace(limit=0)
    uow = UnitOfWork()
    entitlements.consume(uow, namespace_id, "resources")
    with pytest.raises(errors.LimitExceeded):
        uow.commit()
    assert len(transact_calls["calls"]) == 1


def test_an_exception_inside_the_block_commits_nothing(aws, transact_calls):
    namespace_id = _counter_namespace(limit=5)

    def route() -> None:
        with UnitOfWork() as uow:
            entitlements.consume(uow, namespace_id, "resources")
            raise RuntimeError("the route failed before the commit")

    with pytest.raises(RuntimeError):
        route()
    assert transact_calls["calls"] == []
    assert _used(namespace_id) == 0


def test_more_than_dynamodbs_limit_is_a_400_before_any_call(aws, transact_calls):
    uow = UnitOfWork()
    for _ in range(MAX_ITEMS + 1):
        uow.emit(new_event("resource", "created", "res_x", {}, namespace_id="ns_x"))
    with pytest.raises(errors.InvalidRequest):
        uow.commit()
    assert transact_calls["calls"] == []


def test_a_unit_of_work_commits_once(aws):
    uow = UnitOfWork()
    uow.commit()
    with pytest.raises(RuntimeError):
        uow.commit()
