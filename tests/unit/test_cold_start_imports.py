"""What each API function's cold start must not pay for (issue 13), checked in a fresh interpreter per function.

Timings live in `make bench` (docs/performance.md); these are the mechanisms behind them, which a later import
could silently undo: no boto3 (botocore alone, platform_api.clients), no `cryptography` for HS256 tokens
(platform_api.tokens), python-ulid only once an id is made (platform_api.ids), and no request or response model
of ours built before its first use (InModel, OutModel).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local.template import ROOT, load_template

TEMPLATE = load_template()
API_FUNCTIONS = sorted(
    logical_id
    for logical_id, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
    and any(event.get("Type") == "Api" for event in (resource["Properties"].get("Events") or {}).values())
)

PROBE = """
import importlib, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
importlib.import_module("app")
from platform_api.models.envelopes import InModel, OutModel
def subclasses(model):
    return [model, *[found for sub in model.__subclasses__() for found in subclasses(sub)]]
built = sorted(
    f"{model.__module__}.{model.__qualname__}"
    for base in (InModel, OutModel)
    for model in subclasses(base)[1:]
    # a generic envelope is completed when parametrized (pydantic's rule); its parametrizations stay deferred
    if model.__pydantic_complete__ and model.__qualname__ not in ("Envelope", "ListEnvelope")
)
print(json.dumps({
    "built": built,
    "modules": sorted(name for name in ("boto3", "s3transfer", "cryptography", "ulid") if name in sys.modules),
}))
"""


def _probe(logical_id: str) -> dict:
    code_dir = ROOT / TEMPLATE["Resources"][logical_id]["Properties"]["CodeUri"]
    environment = {**os.environ, "POWERTOOLS_LOG_LEVEL": "ERROR"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(code_dir), str(ROOT / "layers" / "shared" / "python")],
        cwd=code_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("logical_id", API_FUNCTIONS)
def test_an_api_function_imports_without_building_models_or_loading_what_it_does_not_use(logical_id):
    found = _probe(logical_id)
    assert found["built"] == []  # no request or response model of ours was built at import
    assert found["modules"] == []  # no boto3 (nor s3transfer), no cryptography, no python-ulid at import


def test_every_api_function_is_probed():
    assert len(API_FUNCTIONS) >= 11


def test_a_ulid_creation_time_reads_as_python_ulid_reads_it():
    from ulid import ULID

    from platform_api.ids import new_id, ulid_milliseconds

    for _ in range(200):
        value = new_id("res").removeprefix("res_")
        assert ulid_milliseconds(value) == ULID.from_str(value).milliseconds
    assert ulid_milliseconds("7ZZZZZZZZZ" + "0" * 16) == 2**48 - 1
    assert ulid_milliseconds("00000000000000000000000000") == 0
