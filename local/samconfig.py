"""samconfig.toml's environments, for `make deploy` (its PARAMS add to an environment's own parameter overrides,
which `sam deploy --parameter-overrides` would otherwise replace whole)."""

from __future__ import annotations

import sys
import tomllib
from typing import Any

from local.template import ROOT

PATH = ROOT / "samconfig.toml"


def environments() -> dict[str, Any]:
    with PATH.open("rb") as handle:
        return {name: value for name, value in tomllib.load(handle).items() if isinstance(value, dict)}


def overrides(environment: str) -> str:
    return str(environments()[environment]["deploy"]["parameters"].get("parameter_overrides", ""))


def main(argv: list[str]) -> None:
    if len(argv) != 2 or argv[0] != "overrides":
        raise SystemExit("usage: python -m local.samconfig overrides <environment>")
    print(overrides(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
