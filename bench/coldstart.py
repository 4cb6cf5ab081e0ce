"""Section 1: cold start of every API function in fresh interpreters, next to the floor and the peer.

A cold start here is the wall time from spawning `python` to the first event's response: interpreter
start, imports and module-level setup, and the first invocation of a representative route (through
the function's real dependencies: an embedded moto server in this process stands in for AWS). Runs
are interleaved across functions so that machine noise spreads evenly; the figure is the median.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.env import ROOT, find_key

CHILD = Path(__file__).with_name("_cold_child.py")
PARTS = Path(__file__).with_name("_cold_parts.py")
BASELINES = Path(__file__).with_name("baselines")

# The recorded event (events/, replayed on a seeded backend as `make invoke` does) each function's cold start
# serves: its hottest route, with real ids and a valid body, so that the first request is the one a user waits for
# (authentication, the table read, validation, the domain module), never a cheap rejection.
REPRESENTATIVE = {
    "HealthFunction": "health/get_v1_health.json",
    "DocsFunction": "docs/get_v1_openapi_json.json",
    "AuthFunction": "auth/post_v1_auth_refresh.json",
    "UsersFunction": "users/get_v1_users_me.json",
    "ApiKeysFunction": "api_keys/get_v1_api_keys.json",
    "WorkspacesFunction": "workspaces/get_v1_workspaces.json",
    "NamespacesFunction": "namespaces/get_v1_namespaces.json",
    "ResourcesFunction": "resources/get_v1_resources_resource_id.json",
    "WebhooksFunction": "webhooks/get_v1_webhooks.json",
    "UsageFunction": "usage/get_v1_usage.json",
    "AdminFunction": "admin/get_v1_admin_audit.json",
}
# Login's first request is measured too, in a row of its own: its Argon2id verification (~0.2 s by design, the
# price of a password hash) is the request, not start-up, so it is reported beside the budgeted refresh row.
EXTRA = {"AuthFunction login": ("AuthFunction", "auth/post_v1_auth_login.json")}


@dataclass
class Target:
    name: str
    code_dir: str
    layer_dirs: list[str]
    handler: str
    environment: dict[str, str]
    event: dict[str, Any]
    route: str
    kind: str = "function"  # function | floor | peer
    budgeted: bool = True  # login's row is reported, not budgeted (its password hash is the request)
    chain: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None  # the next run's event
    samples: list[dict[str, float]] = field(default_factory=list)
    restored: list[dict[str, float]] = field(default_factory=list)  # SnapStart: first request after a restore
    status: Any = None
    top_imports: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    def median(self, key: str, restored: bool = False) -> float | None:
        values = [s[key] for s in (self.restored if restored else self.samples)]
        return statistics.median(values) if values else None


def _api_functions(stack: Any) -> list[Any]:
    return [
        spec
        for spec in stack.functions.values()
        if spec.routes and (spec.code_dir / "app.py").is_file() and spec.handler.startswith("app.")
    ]


def _recorded(name: str) -> dict[str, Any]:
    from local.seed import fill_placeholders

    return json.loads(fill_placeholders((ROOT / "events" / name).read_text()))


def _with_token(event: dict[str, Any], token: str) -> dict[str, Any]:
    """The recorded event as the demo user's browser would send it: a bearer access token (a JWT, the heavier of
    the two credentials to verify) instead of the demo API key."""
    headers = {**(event.get("headers") or {}), "Authorization": f"Bearer {token}"}
    multi = {**(event.get("multiValueHeaders") or {}), "Authorization": [f"Bearer {token}"]}
    return {**event, "headers": headers, "multiValueHeaders": multi}


def _refresh_chain(event: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """A refresh token is spent by its use: each run refreshes with the token the previous run was given."""
    token = find_key(json.loads(answer.get("body") or "{}"), "refresh_token")
    if not token:
        raise RuntimeError(f"POST /v1/auth/refresh gave no refresh token: {str(answer)[:300]}")
    return {**event, "body": json.dumps({"refresh_token": token})}


def _child_env(environment: dict[str, str]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    # As in a Lambda zip: first-party code has no .pyc and the read-only file system keeps none.
    return {**keep, **environment, "PYTHONDONTWRITEBYTECODE": "1", "POWERTOOLS_LOG_LEVEL": "WARNING"}


def _shipped(layer_dirs: list[str]) -> list[str]:
    """The layers as deployed when `sam build` output exists: the shared layer then ships compiled bytecode
    (layers/shared/Makefile), which a cold start reads instead of compiling the sources."""
    built = ROOT / ".aws-sam" / "build" / "SharedLayer" / "python"
    source = str(ROOT / "layers" / "shared" / "python")
    return [str(built) if d == source and built.is_dir() else d for d in layer_dirs]


def _run_once(target: Target, workdir: Path, importtime: bool = False, snapstart: bool = False) -> dict[str, Any]:
    spec_path = workdir / f"{target.name}.spec.json"
    out_path = workdir / f"{target.name}.out.json"
    spec = {"code_dir": target.code_dir, "layer_dirs": target.layer_dirs, "handler": target.handler}
    spec["snapstart"] = snapstart
    spec_path.write_text(json.dumps({**spec, "event": target.event}))
    out_path.unlink(missing_ok=True)
    args = [sys.executable, *(["-X", "importtime"] if importtime else []), str(CHILD), str(spec_path), str(out_path)]
    started = time.monotonic()
    proc = subprocess.run(
        args,
        env=_child_env(target.environment),
        cwd=target.code_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0 or not out_path.exists():
        raise RuntimeError(f"{target.name} cold start failed:\n{proc.stderr[-1500:]}")
    marks = json.loads(out_path.read_text())
    answer = marks["answer"] if isinstance(marks["answer"], dict) else {}
    status = answer.get("statusCode")
    if not (isinstance(status, int) and 200 <= status < 300):
        # A rejected first request times the rejection, not the start a user waits for: the row fails loudly.
        raise RuntimeError(f"{target.name} answered {status}, not 2xx: {str(answer.get('body'))[:200]}")
    if target.chain:
        target.event = target.chain(target.event, answer)
    sample = {
        "interpreter": marks["t_main"] - started,
        "init": marks["t_import"] - marks["t_read"],
        "first": marks["t_first"] - marks["t_import"],
        "snapshot": marks["t_snapshot"] - marks["t_read"],
        "status": status,
    }
    sample["total"] = sample["interpreter"] + sample["init"] + sample["first"]
    if importtime:
        sample["stderr"] = proc.stderr
    return sample


def top_imports(stderr: str, limit: int = 5) -> list[tuple[str, float]]:
    """Self time of every imported module (source compile included), summed per top-level package."""
    per_package: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line.split(":", 1)[1].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        self_us, name = parts[0], parts[2]
        package = name.strip().split(".")[0]
        per_package[package] += int(self_us) / 1000
    return sorted(per_package.items(), key=lambda kv: -kv[1])[:limit]


def _targets(stack: Any) -> list[Target]:
    from local.stack import FunctionSpec

    login = _recorded("auth/post_v1_auth_login.json")
    answer = stack.invoke("AuthFunction", login).get("result") or {}
    if answer.get("statusCode") != 200:
        raise RuntimeError(f"the demo user's login answered {answer.get('statusCode')}: {str(answer)[:300]}")
    access_token = find_key(json.loads(answer["body"]), "access_token")

    def target(name: str, spec: FunctionSpec, event_file: str, budgeted: bool = True) -> Target:
        event = _recorded(event_file)
        authorization = (event.get("headers") or {}).get("Authorization", "")
        if "sk_test_" in authorization:  # tenants' routes: as a signed-in user; operator routes keep their key
            event = _with_token(event, access_token)
        return Target(
            name,
            str(spec.code_dir),
            _shipped([str(p) for p in spec.layer_dirs]),
            spec.handler,
            {**stack.base_environment, **spec.environment},
            event,
            f"{event['httpMethod']} {event.get('resource') or event['path']}",
            budgeted=budgeted,
            chain=_refresh_chain if event_file.endswith("refresh.json") else None,
        )

    functions = {spec.logical_id: spec for spec in _api_functions(stack)}
    missing = sorted(set(functions) - set(REPRESENTATIVE))
    if missing:
        raise RuntimeError(f"no recorded first event chosen for {missing}: add them to REPRESENTATIVE")
    health = functions["HealthFunction"]
    baseline_env = {**stack.base_environment, **health.environment}
    health_event = _recorded(REPRESENTATIVE["HealthFunction"])
    targets = [
        Target("floor", str(BASELINES / "floor"), [], "app.handler", baseline_env, health_event, "-", "floor"),
        Target(
            "peer", str(BASELINES / "peer"), [], "app.handler", baseline_env, health_event, "GET /v1/health", "peer"
        ),
    ]
    targets += [target(name, functions[name], REPRESENTATIVE[name]) for name in sorted(functions)]
    targets += [target(name, functions[fn], event_file, budgeted=False) for name, (fn, event_file) in EXTRA.items()]
    return targets


def measure(runs: int = 5, log: Any = print) -> dict[str, Any]:
    """Cold starts of every API function on a seeded local backend, configured as deployed: the signing secret
    comes from Secrets Manager (the in-process sections' JWT_SECRET is set aside), the first request is a 2xx."""
    from local.seed import seed
    from local.stack import LocalStack

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    set_aside = {name: os.environ.pop(name) for name in ("JWT_SECRET",) if name in os.environ}
    stack = LocalStack()
    try:
        seed(stack)
        targets = _targets(stack)
        for pool in stack.pools.values():  # the warm workers go: only the measured interpreters run
            pool.close()
        stack.pools.clear()
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            workdir = Path(tmp)
            for target in targets:  # one untimed run each: warms the OS page cache, not the interpreter
                try:
                    _run_once(target, workdir)
                except Exception as exc:
                    target.error = str(exc).strip().splitlines()[-1][:300]
            for i in range(runs):
                log(f"  cold start run {i + 1}/{runs}")
                for target in targets:
                    if target.error:
                        continue
                    try:
                        sample = _run_once(target, workdir)
                    except Exception as exc:
                        target.error = str(exc).strip().splitlines()[-1][:300]
                        continue
                    target.status = sample.pop("status")
                    target.samples.append(sample)
            for i in range(runs):
                log(f"  SnapStart restore run {i + 1}/{runs}")
                for target in targets:
                    if target.kind != "function" or target.error:
                        continue
                    try:
                        target.restored.append(_run_once(target, workdir, snapstart=True))
                    except Exception as exc:
                        target.error = "after a simulated restore: " + str(exc).strip().splitlines()[-1][:250]
            for target in targets:
                if not target.error:
                    target.top_imports = top_imports(_run_once(target, workdir, importtime=True)["stderr"])
            parts = _parts(runs, workdir, targets[0].environment)
    finally:
        stack.close()
        os.environ.update(set_aside)
    shipped = (ROOT / ".aws-sam" / "build" / "SharedLayer" / "python").is_dir()
    notes = [
        "The shared layer ran as `sam build` ships it (.aws-sam/build, compiled bytecode)"
        if shipped
        else "The shared layer ran from source: no `sam build` output (.aws-sam/build), so every first-party module "
        "compiled at import, which a deployed function does not do",
        "The dependencies ran from the venv (x86_64 wheels here; the deployed layer holds the same versions for arm64)",
    ]
    return {"targets": targets, "notes": notes, "runs": runs, "parts": parts}


def _parts(runs: int, workdir: Path, environment: dict[str, str]) -> list[tuple[str, float]]:
    """Median of each step of bench/_cold_parts.py over `runs` fresh interpreters."""
    out = workdir / "parts.json"
    samples: dict[str, list[float]] = defaultdict(list)
    order: list[str] = []
    for _ in range(runs):
        subprocess.run([sys.executable, str(PARTS), str(out)], env=_child_env(environment), check=True, timeout=120)
        for name, seconds in json.loads(out.read_text()):
            if name not in samples:
                order.append(name)
            samples[name].append(seconds)
    return [(name, statistics.median(samples[name])) for name in order]
