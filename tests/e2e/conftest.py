"""Starts the local stack (`python -m local run`) on a free port, once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from local.aws import free_port
from local.template import ROOT


@pytest.fixture(scope="session")
def base_url():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "DYNAMODB_ENDPOINT_URL")}
    env.update({"PORT": str(port), "WEBHOOK_ALLOW_LOOPBACK": "true", "PYTHONUNBUFFERED": "1"})
    # Every test registers from 127.0.0.1: lift the per-IP sign-up and login guards for this stack only.
    env.update({"REGISTRATIONS_PER_IP_PER_HOUR": "100000", "LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "100000"})
    if os.environ.get("LOCAL_RECORD_EVENTS"):
        env["LOCAL_RECORD_EVENTS"] = os.environ["LOCAL_RECORD_EVENTS"]
    log_path = ROOT / ".pytest-local-stack.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local", "run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local stack exited:\n{log_path.read_text()}")
        try:
            requests.get(f"{url}/v1/health", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"local stack did not start:\n{log_path.read_text()}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def http(base_url):
    session = requests.Session()
    session.base_url = base_url  # type: ignore[attr-defined]
    yield session
    session.close()
