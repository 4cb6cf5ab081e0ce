"""The JavaScript/TypeScript SDK (sdks/js, @core-php/sdk) under `make test`: its own node:test suites, run here.

- `npm ci` when node_modules is missing or older than package-lock.json; the TypeScript build when a source is newer
  than the last build;
- the drift check of the generated surface (src/generated.ts against sdks/routes.json and the OpenAPI document);
- the unit tests (a local fake server), the webhook helper against signatures made by platform_api.webhook_signing,
  the generated surface, and `npm pack` (installed offline, imported as ESM, CJS and from TypeScript);
- the end-to-end test against the local stack (the `base_url` fixture), whose webhook deliveries reach a
  local.webhook_receiver.WebhookReceiver and are then verified by the SDK's helper.

Node 18+ and npm are required: without them these tests fail, loudly, rather than skip.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from local.webhook_receiver import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdks" / "js"
UNIT_TESTS = ("test/unit.test.mjs", "test/generated.test.mjs", "test/webhooks.test.mjs", "test/pack.test.mjs")
BUILD_INPUTS = ("src", "tsconfig.json", "tsconfig.cjs.json", "package.json", "scripts/build.mjs")
STAMP = SDK / "node_modules" / ".core-php-sdk-built"  # outside dist/, which npm pack ships
BUILT = (SDK / "dist" / "esm" / "index.js", SDK / "dist" / "cjs" / "index.js")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(
            f"`{name}` is not on PATH: the JavaScript SDK's tests need Node.js 18+ and npm "
            "(apt-get install nodejs npm; .ci/run installs them)",
            pytrace=False,
        )
    return path


def _run(args: list[str], env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=SDK, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        output = f"{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
        pytest.fail(f"{' '.join(args)} failed ({result.returncode}):\n{output}")
    return result


def _newest(paths: list[Path]) -> float:
    times = [0.0]
    for path in paths:
        if path.is_dir():
            times += [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]
        elif path.exists():
            times.append(path.stat().st_mtime)
    return max(times)


@pytest.fixture(scope="module")
def node() -> str:
    """node, with the SDK's dev dependencies installed and its build current."""
    node = _tool("node")
    npm = _tool("npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 18:
        pytest.fail(f"the JavaScript SDK needs Node.js 18+, found {version}", pytrace=False)
    marker = SDK / "node_modules" / ".package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < (SDK / "package-lock.json").stat().st_mtime:
        _run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"])
    stale = not STAMP.exists() or STAMP.stat().st_mtime < _newest([SDK / p for p in BUILD_INPUTS])
    if stale or not all(path.exists() for path in BUILT):
        _run([node, "scripts/build.mjs"])
        STAMP.touch()
    return node


def test_js_sdk_generated_surface_is_current(node: str) -> None:
    """src/generated.ts is what scripts/generate.mjs writes from sdks/routes.json now (else: make sdks)."""
    _run([node, "scripts/generate.mjs", "--check"])


def _signature_vectors(path: Path) -> Path:
    """Deliveries signed by the API's own code, for the SDK's helper to verify."""
    from platform_api import webhook_signing

    rotated = [webhook_signing.new_secret(), webhook_signing.new_secret()]
    cases = {
        "generated secret": [webhook_signing.new_secret()],
        "customer secret, not base64": ["whsec_my own secret, not base64!"],
        "secret without the prefix": ["plain-secret-0123456789"],
        "rotation grace period": rotated,
    }
    vectors = []
    for index, (name, secrets) in enumerate(cases.items()):
        event_id = f"evt_{uuid.uuid4().hex}"
        body = json.dumps(
            {"id": event_id, "type": "resource.created", "data": {"object": {"id": f"res_{index}", "name": "é ✓"}}},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp = 1_800_000_000 + index
        vectors.append(
            {
                "name": name,
                "secrets": secrets,
                "event_id": event_id,
                "timestamp": timestamp,
                "body_base64": base64.b64encode(body).decode(),
                "headers": webhook_signing.signature_headers(secrets, event_id, body, timestamp),
            }
        )
    path.write_text(json.dumps(vectors))
    return path


def test_js_sdk_unit(node: str, tmp_path: Path) -> None:
    """Unit tests: core (fake server), generated surface, webhook helper (with the API's signatures), npm pack."""
    vectors = _signature_vectors(tmp_path / "vectors.json")
    result = _run(
        [node, "--test", *UNIT_TESTS],
        env={"WEBHOOK_VECTORS": str(vectors)},
    )
    assert "# fail 0" in result.stdout
    assert "# SKIP" not in result.stdout, "every suite ran, the API's signature vectors included"


@pytest.mark.e2e
@pytest.mark.slow
def test_js_sdk_end_to_end(node: str, base_url: str, tmp_path: Path) -> None:
    """The SDK against the local stack over HTTP, then real webhook deliveries verified by its helper."""
    facts = tmp_path / "e2e.json"
    with WebhookReceiver(status=200) as receiver:
        result = _run(
            [node, "--test", "test/e2e.test.mjs"],
            env={"BASE_URL": base_url, "WEBHOOK_URL": receiver.url, "E2E_OUT": str(facts)},
        )
        assert "# fail 0" in result.stdout
        assert "# SKIP" not in result.stdout
        out = json.loads(facts.read_text())
        # webhook.test is delivered synchronously; resource.created goes through the stream and the queues.
        receiver.wait_for({out["resource_id"]}, 60, "resource.created")
        deliveries = [
            {"headers": d.headers, "body_base64": base64.b64encode(d.body).decode()}
            for d in receiver.deliveries
            if d.payload.get("type") == "webhook.test" or d.object_id == out["resource_id"]
        ]
    captured = tmp_path / "captured.json"
    captured.write_text(
        json.dumps(
            {"secret": out["secret"], "deliveries": deliveries, "expected_types": ["webhook.test", "resource.created"]}
        )
    )
    verified = _run([node, "--test", "test/webhook-delivery.test.mjs"], env={"CAPTURED": str(captured)})
    assert "# pass 1\n" in verified.stdout
    assert "# fail 0" in verified.stdout
    waited = out["rate_limit"]
    print(f"JS SDK: waited {waited['waited_seconds']:.1f}s for a Retry-After of {waited['retry_after']}s")
