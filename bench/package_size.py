"""Section 6: what `sam build` ships: each function's artifact and each layer, unpacked and zipped."""

from __future__ import annotations

import glob
import io
import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.env import ROOT

BUILD = ROOT / ".aws-sam" / "build"
SOURCES = ("template.yaml", "functions", "layers")


@dataclass
class Artifact:
    name: str
    kind: str  # function | layer
    files: int
    unpacked: int
    zipped: int


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for filename in filenames:
                newest = max(newest, (Path(dirpath) / filename).stat().st_mtime)
    return newest


def build_state() -> str:
    marker = BUILD / "template.yaml"
    if not marker.is_file():
        return "missing"
    return "stale" if _newest_source() > marker.stat().st_mtime else "fresh"


def sam_build(log=print) -> str:
    pythons = sorted(glob.glob("/root/.pyenv/versions/3.13*/bin"))
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0"}
    if pythons:
        env["PATH"] = f"{pythons[-1]}:{env['PATH']}"
    sam = ROOT / ".venv-tools" / "bin" / "sam"
    if not sam.exists():
        return "sam not installed (.venv-tools)"
    log("  sam build --parallel --cached")
    proc = subprocess.run(
        [str(sam), "build", "--template", "template.yaml", "--parallel", "--cached"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        return f"sam build failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1][:200]}"
    return "built now"


def _measure(path: Path) -> tuple[int, int, int]:
    files, unpacked = 0, 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort()
            for filename in sorted(filenames):
                full = Path(dirpath) / filename
                files += 1
                unpacked += full.stat().st_size
                archive.write(full, full.relative_to(path))
    return files, unpacked, len(buffer.getvalue())


def measure(build: bool = True, log=print) -> tuple[list[Artifact], list[str]]:
    from local.template import load_template

    notes: list[str] = []
    state = build_state()
    if state != "fresh":
        if build:
            notes.append(f".aws-sam was {state}: {sam_build(log)}")
        else:
            notes.append(f".aws-sam is {state} (run without --no-build to rebuild)")
    resources = load_template()["Resources"]
    artifacts: list[Artifact] = []
    if not BUILD.is_dir():
        return artifacts, notes
    for logical_id, resource in sorted(resources.items()):
        kind = {"AWS::Serverless::Function": "function", "AWS::Serverless::LayerVersion": "layer"}.get(resource["Type"])
        if kind is None:
            continue
        path = BUILD / logical_id
        if not path.is_dir():
            if kind == "layer" or (ROOT / resource["Properties"].get("CodeUri", "-") / "app.py").is_file():
                notes.append(f"{logical_id}: not in .aws-sam/build")
            continue
        artifacts.append(Artifact(logical_id, kind, *_measure(path)))
    return artifacts, notes
