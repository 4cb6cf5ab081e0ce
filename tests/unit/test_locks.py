"""Reproducible builds (issue 20): every install is from a lock file with hashes, and the lock files say what the
requirements files ask for (an edited requirements-*.txt without `make lock` fails here, not in a build)."""

from __future__ import annotations

import re

import pytest

from local.template import ROOT

PAIRS = [
    ("requirements-run.txt", "requirements-run.lock"),
    ("requirements-dev.txt", "requirements-dev.lock"),
    ("requirements-tools.txt", "requirements-tools.lock"),
    ("layers/deps/requirements.txt", "layers/deps/requirements.lock"),
    ("requirements-checkov.txt", "requirements-checkov.lock"),
]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path) -> dict[str, str]:
    """name -> version of every `name[extras]==version` in a requirements file and the files it includes."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(_pins(path.parent / line[3:].strip()))
        elif found := re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s;]+).*", line):
            pins[_canonical(found.group(1))] = found.group(3)
    return pins


def _locked(path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of every package in a lock file."""
    locked: dict[str, tuple[str, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        found = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if found:
            locked[_canonical(found.group(1))] = (found.group(2), block.count("--hash=sha256:"))
    return locked


@pytest.mark.parametrize(("requirements", "lock"), PAIRS)
def test_every_requirement_is_locked_at_its_version_with_hashes(requirements, lock):
    pins, locked = _pins(ROOT / requirements), _locked(ROOT / lock)
    assert {name: locked.get(name, ("missing", 0))[0] for name in pins} == pins, f"run `make lock` ({lock})"
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []
    assert len(locked) > len(pins)  # the transitive packages too


def test_the_layer_and_the_local_stack_run_the_same_versions():
    layer, dev = _locked(ROOT / "layers/deps/requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name, ("missing", 0))[0] for name in layer} == {name: v for name, (v, _) in layer.items()}


def test_every_install_uses_a_lock_file_and_checks_its_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in makefile
    for _, lock in PAIRS[:3]:
        assert f"-r {lock}" in makefile
    assert "--require-hashes -r requirements.lock" in (ROOT / "layers/deps/Makefile").read_text()
    assert not re.search(r"pip install[^\n]*-r requirements-(run|dev|tools)\.txt", makefile)
