"""The PHP SDK (sdks/php, composer package core-php/sdk) in `make test`.

* its generated code follows sdks/routes.json and the OpenAPI models (`make sdks` rewrites it);
* its phpunit unit tests (route coverage, request shapes, errors, retries, pagination, webhook vectors, and retries
  over real HTTP against a scripted `php -S` server);
* its end-to-end suite against the local stack over HTTP (`base_url`), with a real webhook delivery captured by
  local.webhook_receiver and then verified by the SDK's helper in a second phpunit suite.

PHP is a hard requirement of `make test`: when php (8.1+, with ext-curl) or phpunit is missing these tests FAIL
with the command that installs them (Debian: apt-get install php-cli php-curl phpunit; `.ci/run` does it in CI).
They are never skipped.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local.webhook_receiver import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
PHP_DIR = ROOT / "sdks" / "php"
INSTALL = "apt-get update && apt-get install -y php-cli php-curl phpunit"


def _toolchain() -> str:
    """The phpunit executable, after checking php 8.1+ with ext-curl; fails loudly otherwise."""
    php, phpunit = shutil.which("php"), shutil.which("phpunit")
    problems = []
    if php is None:
        problems.append("php is not installed")
    else:
        check = subprocess.run(
            [php, "-r", 'echo PHP_VERSION_ID >= 80100 ? "" : PHP_VERSION, extension_loaded("curl") ? "" : " no-curl";'],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode != 0 or check.stdout.strip():
            problems.append(f"php must be 8.1+ with ext-curl (got: {check.stdout.strip() or check.stderr.strip()})")
    if phpunit is None:
        problems.append("phpunit is not installed")
    if problems:
        pytest.fail(
            "THE PHP SDK IS NOT TESTED: " + "; ".join(problems) + f". Install the toolchain with `{INSTALL}` "
            "(as root; .ci/run does this in CI). These tests are never skipped.",
            pytrace=False,
        )
    assert phpunit is not None
    return phpunit


def _phpunit(suite: str, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    phpunit = _toolchain()
    result = subprocess.run(
        [phpunit, "-c", "phpunit.xml", "--testsuite", suite, "--colors=never"],
        cwd=PHP_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"phpunit --testsuite {suite} failed ({result.returncode}):\n{output}", pytrace=False)
    return output


def test_php_generated_code_follows_the_route_table():
    """The drift test: a route or model changed without `make sdks` fails here."""
    result = subprocess.run(
        [sys.executable, str(PHP_DIR / "generate.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_php_unit():
    output = _phpunit("unit")
    assert "OK (" in output, output


@pytest.mark.e2e
def test_php_end_to_end(request, tmp_path):
    _toolchain()  # before starting the stack: without php this fails at once
    base_url = request.getfixturevalue("base_url")
    state_file = tmp_path / "state.json"
    capture_file = tmp_path / "capture.json"
    with WebhookReceiver() as receiver:
        output = _phpunit(
            "e2e",
            {"BASE_URL": base_url, "WEBHOOK_URL": receiver.url, "E2E_STATE_FILE": str(state_file)},
        )
        assert "OK (" in output, output
        print(output)  # with -s or -rP: the time the 429 retry waited for the real window
        state = json.loads(state_file.read_text())
        webhook = state["webhook"]
        # The test send was synchronous; the resource's event travels the pipeline (outbox, stream, queues).
        receiver.wait_for({webhook["resource_id"]}, 30, event_type="resource.created")
        deliveries = [d for d in receiver.deliveries if d.payload.get("type") in ("webhook.test", "resource.created")]
    assert webhook["resource_id"] in {d.object_id for d in deliveries}, "the resource.created delivery never came"
    capture_file.write_text(
        json.dumps(
            {
                "secret": webhook["secret"],
                "resource_id": webhook["resource_id"],
                "deliveries": [
                    {"headers": d.headers, "body_b64": base64.b64encode(d.body).decode()} for d in deliveries
                ],
            }
        )
    )
    output = _phpunit("webhook-delivery", {"WEBHOOK_CAPTURE_FILE": str(capture_file)})
    assert "OK (" in output, output
