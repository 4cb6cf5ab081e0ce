"""Seed a local backend with a demo user, their personal namespace and an API key with a known secret.

`make invoke` (and the event replay test) call `seed(stack)` so that the recorded event files, whose
Authorization header holds `${LOCAL_DEMO_API_KEY}`, authenticate on a fresh backend. Local only: the
secret below is public by design and exists in no deployed stack.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from local.template import ROOT

DEMO_EMAIL = "demo@example.com"
DEMO_KEY_ID = "key_01JDEM0000000000000000000L"
DEMO_API_KEY = "sk_test_01JDEM0000000000000000000L_local-demo-secret-not-for-production"
# The admin routes' events (events/admin/) carry `${LOCAL_DEMO_OPERATOR_KEY}`: an operator key, local only too.
DEMO_OPERATOR_KEY_ID = "opk_01JDEM0000000000000000000P"
DEMO_OPERATOR_KEY = "opk_test_01JDEM0000000000000000000P_local-demo-operator-secret-not-for-production"
PLACEHOLDERS = {"${LOCAL_DEMO_API_KEY}": DEMO_API_KEY, "${LOCAL_DEMO_OPERATOR_KEY}": DEMO_OPERATOR_KEY}

_SCRIPT = f"""
from platform_api.dal import api_keys, users
from platform_api.domain import api_keys as keys, auth

user = users.find_by_email({DEMO_EMAIL!r})
if user is None:
    user, _ = auth.register({DEMO_EMAIL!r}, "demo", "demo-password-local-only", "Demo User", "127.0.0.1")
if api_keys.get({DEMO_KEY_ID!r}) is None:
    keys.store(
        user, {DEMO_KEY_ID!r}, {DEMO_API_KEY!r}, name="local demo key",
        scopes=["read:all", "write:all", "admin:workspace"], tier="enterprise",
    )
from platform_api.dal import operators as operator_keys
from platform_api.domain import operators

if operator_keys.get({DEMO_OPERATOR_KEY_ID!r}) is None:
    operators.store({DEMO_OPERATOR_KEY_ID!r}, {DEMO_OPERATOR_KEY!r}, name="local demo operator key", created_by="seed")
"""


def fill_placeholders(text: str) -> str:
    """An event file's text with the demo credentials in place of their placeholders."""
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


def seed(stack: Any) -> None:
    """Idempotent: run the seeding in a process configured like the auth function, against the stack."""
    env = {**os.environ, **stack.base_environment, **stack.functions["AuthFunction"].environment}
    env["PYTHONPATH"] = str(ROOT / "layers" / "shared" / "python")
    subprocess.run([sys.executable, "-c", _SCRIPT], env=env, check=True, cwd=ROOT)
