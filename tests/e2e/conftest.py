"""Starts the local stack (`python -m local run`) on a free port, once per test session, with fresh data."""

from __future__ import annotations

import os

import pytest
import requests

from local import launcher
from local.template import ROOT


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    environment = {}
    if os.environ.get("LOCAL_RECORD_EVENTS"):
        environment["LOCAL_RECORD_EVENTS"] = os.environ["LOCAL_RECORD_EVENTS"]
    log_path = ROOT / ".pytest-local-stack.log"
    log_path.write_text("")
    with launcher.running(tmp_path_factory.mktemp("local-data"), log_path, environment) as stack:
        yield stack.url


@pytest.fixture
def http(base_url):
    session = requests.Session()
    session.base_url = base_url  # type: ignore[attr-defined]
    yield session
    session.close()
