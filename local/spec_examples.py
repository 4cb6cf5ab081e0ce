"""Extract every example request of the two reference documents: `python -m local.spec_examples --write | --check`.

Requests are what the documents print: an endpoint line (`POST /resources`, `GET /api/v1/users`) with the header
lines and JSON body under it, a `curl` command, a `fetch(...)` call. They are written, as printed, to
tests/e2e/spec_examples.json, which tests/e2e/test_spec_examples.py runs against the local stack substituting only
the base URL, credentials and ids (docs/reference-examples.md). `--check` fails when the documents changed and the
file was not regenerated.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from typing import Any

from local.template import ROOT

SPEC_DIR = ROOT.parent / "shared" / "spec"
DOCUMENTS = {"000": "000_*.txt", "004": "004_*.txt"}
OUTPUT = ROOT / "tests" / "e2e" / "spec_examples.json"
ENDPOINT = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*)$")
HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.+)$")
LABELS = ("Request:", "Request Body:")


def _json_block(lines: list[str], start: int) -> tuple[str | None, int]:
    """The JSON text starting at lines[start] (a line beginning with `{`) and the index after it."""
    if start >= len(lines) or not lines[start].lstrip().startswith("{"):
        return None, start
    depth, taken = 0, []
    for index in range(start, len(lines)):
        taken.append(lines[index])
        depth += lines[index].count("{") - lines[index].count("}")
        if depth <= 0:
            return "\n".join(taken), index + 1
    return "\n".join(taken), len(lines)


def _endpoint(lines: list[str], index: int) -> tuple[dict[str, Any], int]:
    method, target = ENDPOINT.match(lines[index].strip()).groups()  # type: ignore[union-attr]
    example: dict[str, Any] = {"method": method, "target": target, "headers": {}, "body": None}
    index += 1
    while index < len(lines):
        line = lines[index].strip()
        header = HEADER.match(line)
        if not line or line in LABELS:
            index += 1
        elif header and not line.startswith(("Response", "Parameters", "Returns")):
            example["headers"][header.group(1)] = header.group(2)
            index += 1
        elif line.startswith("{"):
            example["body"], index = _json_block(lines, index)
            break
        else:
            break
    return example, index


def _curl(lines: list[str], index: int) -> tuple[dict[str, Any], int]:
    command = []
    while index < len(lines):
        line = lines[index].rstrip()
        command.append(line.removesuffix("\\"))
        index += 1
        if not line.endswith("\\") and command[-1].count("'") % 2 == 0 and "".join(command).count("'") % 2 == 0:
            break
    words = shlex.split(" ".join(command))
    example: dict[str, Any] = {"method": "GET", "target": "", "headers": {}, "body": None}
    position = 1
    while position < len(words):
        word = words[position]
        if word == "-X":
            example["method"], position = words[position + 1], position + 2
        elif word == "-H":
            name, _, value = words[position + 1].partition(": ")
            example["headers"][name], position = value, position + 2
        elif word == "-d":
            example["body"], position = words[position + 1], position + 2
        else:
            example["target"], position = word, position + 1
    return example, index


def _fetch(lines: list[str], index: int) -> tuple[dict[str, Any] | None, int]:
    """`fetch('<url>', {method, headers: {...}, body})`; `fetch(url, options)` names no request."""
    snippet = []
    while index < len(lines):
        snippet.append(lines[index])
        index += 1
        if lines[index - 1].strip().startswith("});") or lines[index - 1].strip().endswith(");"):
            break
    text = "\n".join(snippet)
    url = re.search(r"fetch\('([^']+)'", text)
    if url is None:
        return None, index
    method = re.search(r"method: '([A-Z]+)'", text)
    headers = dict(re.findall(r"'([A-Za-z-]+)': ([^,\n]+)", text))
    body = re.search(r"body: (.+)\n", text)
    example = {
        "method": method.group(1) if method else "GET",
        "target": url.group(1),
        "headers": {k: v.strip() for k, v in headers.items()},
        "body": body.group(1).strip() if body else None,
        "client": "fetch",  # a browser's fetch: a string body is sent as text/plain
    }
    return example, index


def extract(text: str, document: str) -> list[dict[str, Any]]:
    lines = text.splitlines()
    examples, index = [], 0
    while index < len(lines):
        line = lines[index].strip()
        found: dict[str, Any] | None = None
        start = index + 1
        if ENDPOINT.match(line):
            found, index = _endpoint(lines, index)
        elif line.startswith("curl "):
            found, index = _curl(lines, index)
        elif "fetch(" in line:
            found, index = _fetch(lines, index)
        else:
            index += 1
        if found is not None:
            examples.append({"document": document, "line": start, **found})
    return examples


def extract_all() -> list[dict[str, Any]]:
    examples = []
    for document, pattern in DOCUMENTS.items():
        (path,) = sorted(SPEC_DIR.glob(pattern))
        examples += extract(path.read_text(), document)
    return examples


def render(examples: list[dict[str, Any]]) -> str:
    return json.dumps(examples, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.spec_examples", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    args = parser.parse_args(argv)
    examples = extract_all()
    text = render(examples)
    if args.check:
        if OUTPUT.read_text() != text:
            print(f"{OUTPUT} is stale: run python -m local.spec_examples --write", file=sys.stderr)
            return 1
        return 0
    if args.write:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT} ({len(examples)} requests)")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
