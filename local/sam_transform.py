"""SAM's own transform of template.yaml, offline: the CloudFormation template `sam deploy` would create.

moto never sees it, so what only the transform decides (the stages, the Lambda permissions, each function's
role) is checked on its output: tests/unit/test_deploy.py, tests/iam/test_iam_recorded.py, and
`python -m local.sam_transform --output build/template.transformed.json` for cfn-lint in `make validate`.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from local.template import ROOT, TEMPLATE_PATH

REGION = "us-east-1"


class _NoManagedPolicies:
    """The transform asks for AWS managed policies' ARNs only for names given without one; this template gives none."""

    def load(self) -> dict[str, str]:
        return {}


def transform(path: Path = TEMPLATE_PATH, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The transformed template (local code locations stand in as S3 URIs, as `sam package` would upload them)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # samtranslator reads the pseudo parameters' region from boto3
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    from samtranslator.translator.transform import transform as sam_transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(path.read_text())
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://artifacts/{properties[key].strip('/')}.zip"
    return sam_transform(template, dict(parameters or {}), _NoManagedPolicies())


TOOLS_PYTHON = ROOT / ".venv-tools" / "bin" / "python"


@cache
def _cached() -> str:
    """samtranslator is aws-sam-cli's (it pins its own pydantic, older than the layer's): the transform runs in
    .venv-tools (`make tools`), the interpreter `sam deploy` itself uses, unless this one has it."""
    try:
        import samtranslator  # noqa: F401
    except ImportError:
        pass
    else:
        return json.dumps(transform())
    if not TOOLS_PYTHON.exists():
        raise RuntimeError(f"{TOOLS_PYTHON} is missing: `make tools` installs aws-sam-cli (and SAM's transform)")
    done = subprocess.run(  # our own interpreter and module
        [str(TOOLS_PYTHON), "-m", "local.sam_transform", "--output", "-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"SAM's transform failed:\n{done.stderr[-5000:]}")
    return done.stdout


def transformed() -> dict[str, Any]:
    """template.yaml transformed once per process (a fresh copy each call)."""
    return copy.deepcopy(json.loads(_cached()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", required=True, help="a file, or - for standard output")
    args = parser.parse_args()
    text = json.dumps(transform(), indent=1) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
        return
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(f"{output}: {len(json.loads(text)['Resources'])} resources")


if __name__ == "__main__":
    main()
