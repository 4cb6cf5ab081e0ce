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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.env import ROOT
from bench.tenant import PASSWORD, Caller, NotBuilt, create_resource, sign_up

CHILD = Path(__file__).with_name("_cold_child.py")
BASELINES = Path(__file__).with_name("baselines")

# The route each function is measured on: its hottest (or only) read.
REPRESENTATIVE = {
    "HealthFunction": ("GET", "/v1/health"),
    "AuthFunction": ("POST", "/v1/auth/login"),
    "UsersFunction": ("GET", "/v1/users/me"),
    "ApiKeysFunction": ("GET", "/v1/api-keys"),
    "WorkspacesFunction": ("GET", "/v1/workspaces"),
    "NamespacesFunction": ("GET", "/v1/namespaces"),
    "ResourcesFunction": ("GET", "/v1/resources/{resource_id}"),
    "WebhooksFunction": ("GET", "/v1/webhooks"),
    "UsageFunction": ("GET", "/v1/usage"),
}


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
    samples: list[dict[str, float]] = field(default_factory=list)
    status: Any = None
    top_imports: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    def median(self, key: str) -> float | None:
        values = [s[key] for s in self.samples]
        return statistics.median(values) if values else None


class _Reply:
    def __init__(self, outcome: dict[str, Any]):
        from tests.helpers import Reply

        if "result" not in outcome:
            raise NotBuilt(outcome.get("error", "invocation failed") + "\n" + outcome.get("trace", "")[-800:])
        reply = Reply(outcome["result"])
        self.status, self.json, self.headers = reply.status, reply.json, reply.headers


def _stack_caller(stack: Any) -> Any:
    from bench.env import function_exists
    from tests.helpers import api_event, function_for

    def call(method: str, path: str, **kwargs: Any) -> _Reply:
        logical_id, _, _ = function_for(method, path)
        if not function_exists(logical_id):
            raise NotBuilt(f"{method} {path} not built")
        return _Reply(stack.invoke(logical_id, api_event(method, path, **kwargs)))

    return call


def _api_functions(stack: Any) -> list[Any]:
    return [
        spec
        for spec in stack.functions.values()
        if spec.routes and (spec.code_dir / "app.py").is_file() and spec.handler.startswith("app.")
    ]


def _event_for(spec: Any, caller: Caller | None, resource_id: str | None) -> tuple[str, dict[str, Any]]:
    from tests.helpers import api_event

    method, path = REPRESENTATIVE.get(spec.logical_id, (None, None))
    if method is None:
        routes = sorted(spec.routes, key=lambda r: (r.method != "GET", "{" in r.path, r.path))
        method, path = routes[0].method, routes[0].path
    concrete = path.replace("{resource_id}", resource_id or "res_missing")
    concrete = concrete.replace("{", "").replace("}", "") if "{" in concrete else concrete
    kwargs: dict[str, Any] = {}
    if spec.logical_id == "AuthFunction" and caller:
        kwargs["body"] = {"email": caller.email, "password": PASSWORD}
    elif caller:
        kwargs["token"] = caller.token
    return f"{method} {path}", api_event(method, concrete, **kwargs)


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


def _run_once(target: Target, workdir: Path, importtime: bool = False) -> dict[str, Any]:
    spec_path = workdir / f"{target.name}.spec.json"
    out_path = workdir / f"{target.name}.out.json"
    if not spec_path.exists():
        spec_path.write_text(
            json.dumps(
                {
                    "code_dir": target.code_dir,
                    "layer_dirs": target.layer_dirs,
                    "handler": target.handler,
                    "event": target.event,
                }
            )
        )
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
    sample = {
        "interpreter": marks["t_main"] - started,
        "init": marks["t_import"] - marks["t_read"],
        "first": marks["t_first"] - marks["t_import"],
        "status": marks["status"],
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


def measure(runs: int = 5, log: Any = print) -> dict[str, Any]:
    from local.stack import LocalStack

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    stack = LocalStack()
    targets: list[Target] = []
    notes: list[str] = []
    try:
        functions = _api_functions(stack)
        base_env = {**stack.base_environment}
        caller: Caller | None = None
        resource_id: str | None = None
        call = _stack_caller(stack)
        try:
            caller = sign_up(call, "cold")
        except NotBuilt as exc:
            notes.append(f"no authenticated caller ({str(exc).splitlines()[0][:160]})")
        if caller:
            try:
                resource_id = create_resource(call, caller)["id"]
            except NotBuilt as exc:
                notes.append(f"no resource to read ({str(exc).splitlines()[0][:160]})")
        for pool in stack.pools.values():
            pool.close()
        stack.pools.clear()

        health_env = next((s for s in stack.functions.values() if s.logical_id == "HealthFunction"), None)
        env_for_baselines = {**base_env, **(health_env.environment if health_env else {})}
        from tests.helpers import api_event

        health_event = api_event("GET", "/v1/health")
        layer_dirs = [str(p) for p in (functions[0].layer_dirs if functions else [])]
        targets.append(
            Target("floor", str(BASELINES / "floor"), [], "app.handler", env_for_baselines, health_event, "-", "floor")
        )
        targets.append(
            Target(
                "peer",
                str(BASELINES / "peer"),
                [],
                "app.handler",
                env_for_baselines,
                health_event,
                "GET /v1/health",
                "peer",
            )
        )
        for spec in sorted(functions, key=lambda s: s.logical_id):
            route, event = _event_for(spec, caller, resource_id)
            targets.append(
                Target(
                    spec.logical_id,
                    str(spec.code_dir),
                    _shipped([str(p) for p in spec.layer_dirs] or layer_dirs),
                    spec.handler,
                    {**base_env, **spec.environment},
                    event,
                    route,
                )
            )
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            workdir = Path(tmp)
            for target in targets:  # one untimed run each: warms the OS page cache, not the interpreter
                try:
                    _run_once(target, workdir)
                except Exception as exc:
                    target.error = str(exc).splitlines()[-1][:200]
            for i in range(runs):
                log(f"  cold start run {i + 1}/{runs}")
                for target in targets:
                    if target.error:
                        continue
                    sample = _run_once(target, workdir)
                    target.status = sample.pop("status")
                    target.samples.append(sample)
            for target in targets:
                if not target.error:
                    target.top_imports = top_imports(_run_once(target, workdir, importtime=True)["stderr"])
    finally:
        stack.close()
    return {"targets": targets, "notes": notes, "runs": runs}
