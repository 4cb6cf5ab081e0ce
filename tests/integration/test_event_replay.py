"""Every file in events/ replays on a freshly seeded backend to what it was recorded with (events/replay.json).

`make events` (local/record_events.py) records one request per route against the fixtures local/seed.py makes,
and the consumers' events from local/event_templates; this replays them all, in recording order, on a new
backend seeded the same way, as `make invoke` does one at a time: a route whose event no longer parses, names
something the seed no longer makes, or answers otherwise than it did fails here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from local.record_events import MANIFEST, ROOMY_RATE_LIMITS
from local.template import ROOT

EVENT_FILES = sorted((ROOT / "events").glob("*/*.json"))
RECORDED = json.loads(MANIFEST.read_text())


@pytest.fixture(scope="module")
def stack():
    from local.seed import seed
    from local.stack import LocalStack

    previous = os.environ.get("RATE_LIMITS_JSON")
    os.environ["RATE_LIMITS_JSON"] = ROOMY_RATE_LIMITS  # as recorded: the seed and every route within a minute
    stack = LocalStack()
    try:
        seed(stack)
        yield stack
    finally:
        stack.close()
        if previous is None:
            os.environ.pop("RATE_LIMITS_JSON", None)
        else:
            os.environ["RATE_LIMITS_JSON"] = previous


def _function_for(stack, event_file: Path) -> str:
    folder = event_file.parent.name
    matches = [fid for fid, spec in stack.functions.items() if spec.code_dir.name == folder]
    assert matches, f"{event_file} is in events/{folder}/, which is no function's CodeUri folder"
    return matches[0]


def _load(event_file: Path) -> dict:
    from local.seed import fill_placeholders

    return json.loads(fill_placeholders(event_file.read_text()))


def test_there_is_an_event_for_every_api_route_and_a_recorded_answer_for_every_event():
    from local.template import api_routes, load_template

    recorded = set()
    for event_file in EVENT_FILES:
        event = json.loads(event_file.read_text())
        if "httpMethod" in event:
            recorded.add((event["httpMethod"], event["resource"]))
    missing = sorted({(m, p) for m, p, _ in api_routes(load_template())} - recorded)
    assert not missing, f"routes without an events/ file (run `make events`): {missing}"
    files = {str(f.relative_to(ROOT / "events")) for f in EVENT_FILES} - {"replay.json"}
    assert files == set(RECORDED), "events/ and events/replay.json disagree: run `make events`"


def test_every_event_replays_to_what_it_recorded(stack):
    differences = []
    for name, expected in RECORDED.items():  # recording order: each destructive event has a fixture of its own
        event_file = ROOT / "events" / name
        outcome = stack.invoke(_function_for(stack, event_file), _load(event_file))
        assert "result" in outcome, (name, outcome.get("trace"))
        result = outcome["result"] or {"batchItemFailures": []}
        got = {"statusCode": result["statusCode"]} if "statusCode" in result else result
        if got != expected:
            differences.append((name, expected, got, str(result.get("body", ""))[:200]))
        if result.get("statusCode", 0) >= 400:
            body = json.loads(result["body"])
            assert set(body["error"]) >= {"code", "message", "details", "request_id"}
    assert not differences, differences
