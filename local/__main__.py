"""`python -m local run` serves the API; `python -m local invoke FUNCTION EVENT` replays one event."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the whole API over HTTP")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    run.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "0")) or None)
    invoke = sub.add_parser("invoke", help="run one function's handler on an event file and print the result")
    invoke.add_argument("function", help="the function's logical id in template.yaml, e.g. HealthFunction")
    invoke.add_argument("event", type=Path, help="an event JSON file, e.g. events/health_get.json")
    copies = sub.add_parser("sam-events", help="copies of events/ with a real API key, for `sam local invoke -e`")
    copies.add_argument("--key", default=os.environ.get("API_KEY"), help="the API key to put in Authorization")
    copies.add_argument("--out", type=Path, default=Path(".sam-events"), help="where to write the copies")
    args = parser.parse_args(argv)
    if args.command == "sam-events":
        return _sam_events(args.key, args.out)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from local.stack import LocalStack

    if args.command == "run":
        from local.server import serve
        from local.template import ROOT

        data_dir = Path(os.environ.get("LOCAL_DATA_DIR") or ROOT / ".local-data")
        if os.environ.get("RESET", "").lower() in ("1", "true", "yes"):
            (data_dir / "state.json").unlink(missing_ok=True)
            print(f"RESET: starting empty ({data_dir} cleared)", file=sys.stderr)
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://{args.host}:{args.port}")  # links the stack writes out
        stack = LocalStack(moto_port=args.moto_port, data_dir=data_dir)
        from local.operator import write_backend

        write_backend(data_dir, stack.endpoint_url, stack.physical)  # what `python -m local.operator` talks to
        serve(args.host, args.port, stack)
        return 0

    stack = LocalStack()
    try:
        if args.function not in stack.functions:
            print(f"unknown function {args.function}; known: {', '.join(sorted(stack.functions))}", file=sys.stderr)
            return 2
        from local import effects
        from local.seed import fill_placeholders, seed

        seed(stack)  # the fixtures every recorded event names (local/seed.py)
        event = json.loads(fill_placeholders(args.event.read_text()))
        consumer = "httpMethod" not in event
        before = effects.snapshot(stack) if consumer else None
        outcome = stack.invoke(args.function, event)
        print(json.dumps(outcome.get("result", outcome), indent=2))
        if consumer and before is not None and "result" in outcome:
            # a consumer's answer lists only failures: say what it did
            for line in effects.report(before, effects.snapshot(stack), outcome["result"]):
                print(line)
        return 0 if "result" in outcome else 1
    finally:
        stack.close()


def _sam_events(key: str | None, out: Path) -> int:
    """events/ hold the placeholder `${LOCAL_DEMO_API_KEY}`, which only `make invoke` fills; `sam local invoke -e`
    sends a file as it is, so it needs a copy holding a key the target backend knows."""
    from local.seed import DEMO_API_KEY
    from local.template import ROOT

    key = key or DEMO_API_KEY  # valid on a backend seeded by local/seed.py
    for source in sorted((ROOT / "events").glob("*/*.json")):
        target = out / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text().replace("${LOCAL_DEMO_API_KEY}", key))
    print(f"wrote copies of events/ to {out}/ with the key {key[:12]}...", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
