"""The local stack fails the way AWS fails: Lambda's Timeout, API Gateway's 29 s, dead containers replaced."""

from __future__ import annotations

import json
import os
import signal

import pytest

from local.pool import FunctionPool
from local.template import FunctionSpec

HANDLER = """
import pathlib, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    if event.get("mark"):
        pathlib.Path(event["mark"]).write_text("finished")
    return {"statusCode": 200, "remaining_ms": context.get_remaining_time_in_millis()}
"""


@pytest.fixture
def pool(tmp_path):
    code = tmp_path / "fn"
    code.mkdir()
    (code / "app.py").write_text(HANDLER)
    spec = FunctionSpec("SlowFunction", code, "app.handler", {}, [], timeout=2, memory=128)
    pool = FunctionPool(spec, {}, max_workers=1)
    yield pool
    pool.close()


def test_a_function_past_its_timeout_is_stopped_and_replaced(pool):
    outcome = pool.invoke({"sleep": 5})
    assert outcome["error"] == "Task timed out"
    assert pool.invoke({})["result"]["statusCode"] == 200  # a new container answers


def test_past_the_gateway_limit_the_caller_gets_an_answer_and_the_function_runs_on(pool, tmp_path):
    mark = tmp_path / "mark"
    outcome = pool.invoke({"sleep": 1.2, "mark": str(mark)}, answer_within=0.3)
    assert outcome == {"error": "Endpoint request timed out", "pending": True, "trace": ""}
    assert not mark.exists()
    assert pool.invoke({})["result"]["statusCode"] == 200  # waits for the one worker, which finished
    assert mark.read_text() == "finished"


def test_a_container_that_died_while_idle_is_replaced_before_the_next_request(pool):
    assert "result" in pool.invoke({})
    (worker,) = pool._idle
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.join(timeout=5)
    assert pool.invoke({})["result"]["statusCode"] == 200


def test_gateway_answers_come_from_the_templates_gateway_responses():
    from local.stack import LocalStack

    stack = LocalStack()
    try:
        status, headers, body = stack.gateway_response("INTEGRATION_TIMEOUT", 504, "abc", "Endpoint request timed out")
        assert status == 504
        assert json.loads(body)["error"] == {
            "code": "internal_server_error",
            "message": "An internal error occurred.",
            "details": {},
            "request_id": "req_abc",
        }
        status, _, body = stack.gateway_response("REQUEST_TOO_LARGE", 413, "abc")
        assert status == 413
        assert json.loads(body)["error"]["code"] == "payload_too_large"
        assert headers["Content-Type"] == "application/json"
    finally:
        stack.close()
