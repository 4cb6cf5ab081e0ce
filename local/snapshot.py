"""Local data that survives a restart: the embedded backend's tables, queues, secrets and KMS keys in one JSON file.

Written atomically (a temporary file renamed over the last one) every few seconds when something changed and on
shutdown, loaded at start; `make reset` or `RESET=1 make run` starts empty. The tables are read under the
emulator's lock, so a snapshot is a state DynamoDB could have had: a transaction is in it whole or not at all,
and counters equal the items they count. Loading writes nothing to the table's stream, so old events are not
delivered again. Queue messages keep their receive counts; their remaining delay restarts from at most 15 min.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import boto3

from local import aws, emulator

log = logging.getLogger("local.snapshot")
FORMAT = 1
ACCOUNT = "123456789012"
MAX_DELAY_SECONDS = 900  # SQS's DelaySeconds limit


def _dynamodb() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][aws.REGION]


def _kms() -> Any:
    from moto.kms.models import kms_backends

    return kms_backends[ACCOUNT][aws.REGION]


def _sqs() -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[ACCOUNT][aws.REGION]


def capture(endpoint_url: str, physical: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The backend's state as plain JSON."""
    backend = _dynamodb()
    tables: dict[str, list[dict[str, Any]]] = {}
    with emulator.LOCK:
        for name, table in backend.tables.items():
            tables[name] = [item.to_json()["Attributes"] for item in table.all_items()]
    now_ms = time.time() * 1000
    queues: dict[str, list[dict[str, Any]]] = {}
    for name, queue in _sqs().queues.items():
        queues[name] = [
            {
                "body": message.body,
                "receive_count": message.approximate_receive_count,
                "delay": int(max(0.0, message.visible_at - now_ms, message.delayed_until - now_ms) // 1000),
            }
            for message in list(queue._messages)
        ]
    secretsmanager = boto3.client("secretsmanager", region_name=aws.REGION, endpoint_url=endpoint_url)
    secrets = {  # by logical id: a secret's ARN carries a random suffix that a new backend does not repeat
        logical_id: secretsmanager.get_secret_value(SecretId=values["Ref"])["SecretString"]
        for logical_id, values in physical.items()
        if values.get("Ref", "").startswith("arn:aws:secretsmanager:")
    }
    kms_keys = {  # the key's id and material: what was sealed under it opens again after a restart
        logical_id: {
            "id": values["KeyId"],
            "material": base64.b64encode(_kms().keys[values["KeyId"]].key_material).decode(),
        }
        for logical_id, values in physical.items()
        if "KeyId" in values and values["KeyId"] in _kms().keys
    }
    return {
        "format": FORMAT,
        "saved_at": time.time(),
        "tables": tables,
        "queues": queues,
        "secrets": secrets,
        "kms_keys": kms_keys,
    }


def restore(state: dict[str, Any], endpoint_url: str, physical: dict[str, dict[str, str]]) -> dict[str, int]:
    """Put a captured state back into a freshly provisioned backend; returns item counts per table."""
    if state.get("format") != FORMAT:
        raise ValueError(f"snapshot format {state.get('format')} is not {FORMAT}")
    backend = _dynamodb()
    counts: dict[str, int] = {}
    with emulator.LOCK:
        for name, items in state.get("tables", {}).items():
            table = backend.tables.get(name)
            if table is None:
                continue
            shard, table.stream_shard = table.stream_shard, None  # loading is not a change to stream
            try:
                for attributes in items:
                    table.put_item(attributes)
            finally:
                table.stream_shard = shard
            counts[name] = len(items)
    sqs = _sqs()
    for name, messages in state.get("queues", {}).items():
        if name not in sqs.queues:
            continue
        for saved in messages:
            message = sqs.send_message(name, saved["body"], delay_seconds=min(saved["delay"], MAX_DELAY_SECONDS))
            message.approximate_receive_count = saved["receive_count"]
    secretsmanager = boto3.client("secretsmanager", region_name=aws.REGION, endpoint_url=endpoint_url)
    for logical_id, value in state.get("secrets", {}).items():
        if logical_id in physical:
            secretsmanager.put_secret_value(SecretId=physical[logical_id]["Ref"], SecretString=value)
    for logical_id, saved_key in state.get("kms_keys", {}).items():
        if logical_id in physical:
            _restore_key(physical[logical_id], saved_key["id"], base64.b64decode(saved_key["material"]))
    return counts


def _restore_key(values: dict[str, str], saved_id: str, material: bytes) -> None:
    """Give the freshly provisioned KMS key the saved key's id and material (moto's ciphertexts name their key's
    id), with its aliases; `values` (the physical attributes) then name the saved id."""
    backend = _kms()
    with emulator.LOCK:
        key = backend.keys.pop(values["KeyId"])
        key.arn = key.arn.replace(key.id, saved_id)
        key.id, key.key_material = saved_id, material
        for alias in key.aliases.values():
            alias.target_key_id = saved_id
        backend.keys[saved_id] = key
    values.update({"Ref": saved_id, "KeyId": saved_id, "Arn": key.arn})


class Snapshots:
    """Saves the embedded backend to `path` every `interval` seconds when it changed, and once more on stop."""

    def __init__(self, path: Path, endpoint_url: str, physical: dict[str, dict[str, str]], interval: float = 5.0):
        self.path, self.endpoint_url, self.physical, self.interval = path, endpoint_url, physical, interval
        self._saved_generation = -1
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def load(self) -> bool:
        if not self.path.exists():
            return False
        state = json.loads(self.path.read_text())
        counts = restore(state, self.endpoint_url, self.physical)
        self._saved_generation = emulator.COUNTERS.writes
        log.info("local data loaded from %s (%s)", self.path, ", ".join(f"{n}: {c} items" for n, c in counts.items()))
        return True

    def save(self) -> bool:
        generation = emulator.COUNTERS.writes
        if generation == self._saved_generation and self.path.exists():
            return False
        state = capture(self.endpoint_url, self.physical)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w") as handle:
            json.dump(state, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        self._saved_generation = generation
        return True

    def start(self) -> None:
        def loop() -> None:
            while not self._stopping.wait(self.interval):
                try:
                    self.save()
                except Exception:  # keep serving; the next round tries again
                    log.exception("saving local data failed")

        self._thread = threading.Thread(target=loop, daemon=True, name="local-snapshots")
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)
        self.save()
