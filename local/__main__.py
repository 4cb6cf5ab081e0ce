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
    args = parser.parse_args(argv)

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
        try:
            from local.seed import seed
        except ImportError:
            seed = None
        if seed is not None:
            seed(stack)
        seed_module = sys.modules.get("local.seed")
        text = args.event.read_text()
        event = json.loads(seed_module.fill_placeholders(text) if seed_module else text)
        outcome = stack.invoke(args.function, event)
        print(json.dumps(outcome.get("result", outcome), indent=2))
        return 0 if "result" in outcome else 1
    finally:
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
