"""Fixes to moto's DynamoDB, DynamoDB Streams and SQS that let the embedded stack hold a real tenant.

Local only (never deployed). Written against moto 5.2.5; `install()` refuses another version, so an upgrade
fails loudly in `make test` (tests/unit/test_emulator.py) instead of silently changing what is patched.

What moto 5.2.5 does, and what DynamoDB does instead:

1. `transact_write_items` deep-copies every touched table once per transact item to be able to roll back, and on
   cancellation swaps the copy in: a new table object with a new stream under the same shard id, so stream
   readers keep polling the orphaned shard and never see another record. DynamoDB cancels without touching
   anything. Here a transaction snapshots only the items it touches and, when cancelled, puts exactly those back
   into the same table and drops the stream records it wrote: nothing else is copied, nothing is replaced.
2. Every moto model instance (each item version, stream record, iterator, message, table copy) is appended to its
   class's `instances_tracked` list for the moto dashboard and never released: memory grows with every write.
   Here nothing is tracked.
3. Stream records are kept forever and every GetRecords registers a new shard iterator that is never released.
   DynamoDB keeps records 24 hours and expires iterators after 15 minutes; here too, and a local consumer that
   has processed records may trim them at once (`trim_stream`), since no other reader exists.
4. Query scans every item of the table to find one partition. Here it reads that partition only.
5. A condition and the write it guards run without a lock, and reads can observe a transaction half applied.
   DynamoDB does neither: here every read and write of the backend runs under one lock.
6. SQS ReceiveMessage checks that a message is visible and then marks it received without a lock, so two
   concurrent receivers can both take it (two concurrent dead-letter redrives moved one message twice). SQS
   hides a received message from every other receiver for its visibility timeout. Here each receive attempt
   runs under a lock; a long poll waits between attempts outside it, as moto waits, so it blocks no one.

Each fix is small and self-contained, so it could be proposed upstream as is (docs/local-stack.md says how).
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass
from typing import Any

MOTO_VERSION = "5.2.5"
STREAM_RETENTION_SECONDS = 24 * 3600
ITERATOR_LIFETIME_SECONDS = 15 * 60

LOCK = threading.RLock()
_installed = False


@dataclass
class Counters:
    """What the emulator did, counted; tests assert on it (items copied per transaction, records trimmed)."""

    writes: int = 0  # write requests applied or attempted; the local snapshots save when it moved
    transactions: int = 0
    items_snapshotted: int = 0
    rollbacks: int = 0
    stream_records_trimmed: int = 0

    def reset(self) -> None:
        self.transactions = self.items_snapshotted = self.rollbacks = self.stream_records_trimmed = 0


COUNTERS = Counters()


def install() -> None:
    """Apply every fix; idempotent, and a no-op for a moto version it was not written against is refused."""
    global _installed
    if _installed:
        return
    import moto

    require_version(moto.__version__)
    _stop_tracking_instances()
    _serialize_backend()
    _transactions_touch_only_their_items()
    _query_reads_one_partition()
    _streams_expire_like_dynamodb()
    _sqs_receives_atomically()
    _installed = True


def require_version(found: str) -> None:
    if found != MOTO_VERSION:
        raise RuntimeError(
            f"local/emulator.py patches moto {MOTO_VERSION}, found {found}: re-read what it patches "
            "(transact_write_items, Table.query, StreamShard, ShardIterator, BaseModel.__new__) and update it"
        )


# --------------------------------------------------------------------------- 2. instance tracking


def _stop_tracking_instances() -> None:
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import reset_model_data

    def untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    BaseModel.__new__ = staticmethod(untracked_new)  # type: ignore[method-assign,assignment]
    reset_model_data()


# --------------------------------------------------------------------------- 5. one lock


def _serialize_backend() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name), counts_as_write=True))
    for name in ("get_item", "query", "scan"):
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    DynamoDBStreamsBackend.describe_stream = _locked(DynamoDBStreamsBackend.describe_stream)  # type: ignore[method-assign]


# --------------------------------------------------------------------------- 1. transactions


def _transactions_touch_only_their_items() -> None:
    from moto.dynamodb.comparisons import get_filter_expression as condition_of
    from moto.dynamodb.exceptions import (
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType

    class Journal:
        """The touched items as they were, and each stream's length, so a cancellation restores exactly them."""

        def __init__(self) -> None:
            self.items: list[tuple[Any, DynamoType, DynamoType | None, Any]] = []
            self.streams: dict[int, tuple[Any, int]] = {}

        def remember(self, table: Any, hash_value: DynamoType, range_value: DynamoType | None) -> Any:
            """Snapshot the item as it is now; returns it (the live item, or None) for the condition check."""
            current = table.get_item(hash_value, range_value)
            self.items.append((table, hash_value, range_value, copy.deepcopy(current)))
            COUNTERS.items_snapshotted += 1
            if table.stream_shard is not None and id(table) not in self.streams:
                self.streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
            return current

        def roll_back(self) -> None:
            COUNTERS.rollbacks += 1
            for table, hash_value, range_value, before in reversed(self.items):
                if range_value is None:
                    if before is None:
                        table.items.pop(hash_value, None)
                    else:
                        table.items[hash_value] = before
                    continue
                partition = table.items.get(hash_value)
                if before is not None:
                    table.items[hash_value][range_value] = before
                elif partition is not None:
                    partition.pop(range_value, None)
                    if not partition:
                        table.items.pop(hash_value, None)
            for shard, length in self.streams.values():
                del shard.items[length:]
                del shard.__dict__.setdefault("_written_at", [])[length:]

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        COUNTERS.transactions += 1
        journal = Journal()
        target_items: set[tuple[str, str]] = set()
        errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
        for item in transact_items:
            original_item: dict[str, Any] | None = None
            if len(item) > 1:
                journal.roll_back()
                raise TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                table = self.get_table(table_name)
                if op_type == "Put":
                    attrs = op["Item"]
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                marker = (str(table_name), str(dict(sorted(key.items()))))
                if marker in target_items:
                    raise MultipleTransactionsException()
                target_items.add(marker)

                hash_value, range_value = self.get_keys_value(table, key)
                current = journal.remember(table, hash_value, range_value)
                condition = op.get("ConditionExpression")
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                if condition is not None and not condition_of(condition, names, values).expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    errors.append(("ConditionalCheckFailed", "The conditional request failed", original_item))
                    continue
                if op_type == "Put":
                    self.put_item(table_name, op["Item"])
                elif op_type == "Delete":
                    self.delete_item(table_name, key)
                elif op_type == "Update":
                    self.update_item(
                        table_name,
                        key,
                        update_expression=op["UpdateExpression"],
                        condition_expression=None,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                journal.roll_back()
                raise
            except Exception as exc:
                errors.append((type(exc).__name__, str(exc), original_item))
        if any(code is not None for code, _, _ in errors):
            journal.roll_back()
            raise TransactionCanceledException(errors)

    DynamoDBBackend.transact_write_items = _locked(transact_write_items, counts_as_write=True)  # type: ignore[method-assign]


def _locked(function: Any, counts_as_write: bool = False) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        with LOCK:
            if counts_as_write:
                COUNTERS.writes += 1
            return function(*args, **kwargs)

    call.__wrapped__ = function  # type: ignore[attr-defined]
    return call


# --------------------------------------------------------------------------- 4. query


_partition = threading.local()


def _query_reads_one_partition() -> None:
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name") if "index_name" in kwargs else (args[6] if len(args) > 6 else None)
        if index_name or hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        _partition.key = hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _partition.key = None

    def all_items(self: Table) -> list[Any]:
        hash_key = getattr(_partition, "key", None)
        if hash_key is None:
            return original_all_items(self)
        partition = self.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if self.range_key_attr else [partition]

    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]


# --------------------------------------------------------------------------- 3. streams


def _streams_expire_like_dynamodb() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    class TrimmedDataAccessException(JsonRESTError):
        def __init__(self) -> None:
            super().__init__("TrimmedDataAccessException", "The requested records were trimmed from the stream.")

    class ExpiredIteratorException(JsonRESTError):
        def __init__(self) -> None:
            super().__init__("ExpiredIteratorException", "Iterator expired. The iterator was created over 15 min ago.")

    original_add = StreamShard.add

    def add(self: StreamShard, old: Any, new: Any) -> None:
        original_add(self, old, new)
        stamps = self.__dict__.setdefault("_written_at", [])
        stamps.append(time.monotonic())
        # Records and stamps stay aligned: rollbacks and trims cut both (see _align).
        horizon = time.monotonic() - STREAM_RETENTION_SECONDS
        expired = 0
        while expired < len(stamps) and stamps[expired] < horizon:
            expired += 1
        if expired:
            _trim_front(self, expired)

    original_get = StreamShard.get

    def get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
        if start < self.starting_sequence_number:
            raise TrimmedDataAccessException()
        return original_get(self, start, quantity)

    def get_shard_iterator(self: DynamoDBStreamsBackend, *args: Any, **kwargs: Any) -> Any:
        iterator = original_get_shard_iterator(self, *args, **kwargs)
        _registered(self, iterator.arn)
        return iterator

    def get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
        if iterator_arn not in self.shard_iterators:
            raise ExpiredIteratorException()
        result = original_get_records(self, iterator_arn, limit)
        _registered(self, result["NextShardIterator"])
        return result

    original_get_shard_iterator = DynamoDBStreamsBackend.get_shard_iterator
    original_get_records = DynamoDBStreamsBackend.get_records
    StreamShard.add = add  # type: ignore[method-assign]
    StreamShard.get = get  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_shard_iterator = _locked(get_shard_iterator)  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = _locked(get_records)  # type: ignore[method-assign]


def _registered(backend: Any, arn: str) -> None:
    """Note a new iterator's birth and forget those over 15 minutes old, as DynamoDB Streams does. Births are
    kept in insertion order, so each call looks only at the iterators that expire."""
    born: dict[str, float] = backend.__dict__.setdefault("_iterator_born", {})
    now = time.monotonic()
    born[arn] = now
    while born:
        oldest, at = next(iter(born.items()))
        if now - at < ITERATOR_LIFETIME_SECONDS:
            break
        del born[oldest]
        backend.shard_iterators.pop(oldest, None)


def _trim_front(shard: Any, count: int) -> None:
    del shard.items[:count]
    stamps = shard.__dict__.get("_written_at")
    if stamps is not None:
        del stamps[:count]
    shard.starting_sequence_number += count
    COUNTERS.stream_records_trimmed += count


def trim_stream(table_name: str, through_sequence_number: int) -> int:
    """Drop the records of a table's stream up to and including `through_sequence_number`, once every local
    consumer has processed them; returns how many were dropped. In-process moto only."""
    from moto.dynamodb.models import dynamodb_backends

    with LOCK:
        for account in dynamodb_backends.values():
            for backend in account.values():
                table = backend.tables.get(table_name)
                if table is None or table.stream_shard is None:
                    continue
                shard = table.stream_shard
                count = min(len(shard.items), through_sequence_number - shard.starting_sequence_number + 1)
                if count > 0:
                    _trim_front(shard, count)
                    return count
    return 0


# --------------------------------------------------------------------------- 6. an atomic SQS receive
SQS_RECEIVE_LOCK = threading.Lock()


def _sqs_receives_atomically() -> None:
    from moto.sqs.models import SQSBackend

    original = SQSBackend.receive_message

    def receive_message(
        self: SQSBackend,
        queue_name: str,
        count: int,
        wait_seconds_timeout: int,
        visibility_timeout: int,
        message_attribute_names: list[str] | None = None,
    ) -> Any:
        deadline = time.monotonic() + (wait_seconds_timeout or 0)
        while True:
            with SQS_RECEIVE_LOCK:  # one attempt, never a wait: a visible message is taken by one receiver
                found = original(self, queue_name, count, 0, visibility_timeout, message_attribute_names)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return found
            self.get_queue(queue_name).wait_for_messages(min(1.0, remaining))

    SQSBackend.receive_message = receive_message  # type: ignore[method-assign]
