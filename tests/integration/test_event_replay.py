"""Every file in events/ replays through its function on a fresh local backend, as `make invoke` does.

The files are recorded from the end-to-end tests' real requests (`make events`); this keeps them from
rotting: a route whose event no longer parses, or that answers 5xx, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.template import ROOT

EVENT_FILES = sorted((ROOT / "events").glob("*/*.json"))


@pytest.fixture(scope="module")
def stack():
    from local.stack import LocalStack

    stack = LocalStack()
    try:
        from local.seed import seed
    except ImportError:
        seed = None
    if seed is not None:
        seed(stack)
    yield stack
    stack.close()


def _function_for(stack, event_file: Path) -> str:
    folder = event_file.parent.name
    matches = [fid for fid, spec in stack.functions.items() if spec.code_dir.name == folder]
    assert matches, f"{event_file} is in events/{folder}/, which is no function's CodeUri folder"
    return matches[0]


def _load(event_file: Path) -> dict:
    import sys

    seed_module = sys.modules.get("local.seed")
    text = event_file.read_text()
    return json.loads(seed_module.fill_placeholders(text) if seed_module else text)


def test_there_is_an_event_for_every_api_route():
    from local.template import api_routes, load_template

    recorded = set()
    for event_file in EVENT_FILES:
        event = json.loads(event_file.read_text())
        if "httpMethod" in event:
            recorded.add((event["httpMethod"], event["resource"]))
    missing = sorted({(m, p) for m, p, _ in api_routes(load_template())} - recorded)
    assert not missing, f"routes without an events/ file (run `make events`): {missing}"


@pytest.mark.parametrize("event_file", EVENT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_event_replays_without_a_server_error(stack, event_file):
    outcome = stack.invoke(_function_for(stack, event_file), _load(event_file))
    assert "result" in outcome, outcome.get("trace")
    result = outcome["result"]
    if "statusCode" in (result or {}):
        assert result["statusCode"] < 500, result
        if result["statusCode"] >= 400:
            body = json.loads(result["body"])
            assert set(body["error"]) >= {"code", "message", "details", "request_id"}
    else:  # an SQS or stream consumer: partial batch failure report
        assert result is None or "batchItemFailures" in result
