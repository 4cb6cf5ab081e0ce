"""`python -m bench` (what `make bench` runs): measure, print the report, write docs/performance.md."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from bench.env import ROOT, configure_in_process

SECTIONS = ("cold", "inprocess", "sizes", "stack")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="cold starts per function (median; at least 5)")
    parser.add_argument("--latency-n", type=int, default=200, help="timed requests per warm-latency route")
    parser.add_argument("--total", type=int, default=5000, help="resources in the pagination collection")
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--depth", type=int, default=50, help="the deep page compared with page 1")
    parser.add_argument("--subscriptions", type=int, default=100, help="webhooks one event fans out to")
    parser.add_argument(
        "--soak-seconds", type=float, default=120, help="local stack soak length (bounded to 10-1800 s)"
    )
    parser.add_argument("--load-requests", type=int, default=1500, help="requests in the local stack mixed load")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
    parser.add_argument("--no-build", action="store_true", help="never run sam build; size what is there")
    parser.add_argument(
        "--output", default=str(ROOT / "docs" / "performance.md"), help="where to write the report ('-' for nowhere)"
    )
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)

    configure_in_process()
    from bench import report

    started = time.monotonic()
    results: dict = {"notes": []}

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if "cold" in sections:
        log("cold start")
        from bench import coldstart

        try:
            results["cold"] = coldstart.measure(runs=args.runs, log=log)
        except Exception:
            results["notes"].append("cold start failed: " + traceback.format_exc().strip().splitlines()[-1])
            log(traceback.format_exc())
    if "inprocess" in sections:
        log("in process against moto")
        from bench import inprocess

        results["inprocess"] = inprocess.run(
            latency_n=args.latency_n,
            per_page=args.per_page,
            depth=args.depth,
            total=args.total,
            subscriptions=args.subscriptions,
            log=log,
        )
    if "sizes" in sections:
        log("package size")
        from bench import package_size

        results["sizes"] = package_size.measure(build=not args.no_build, log=log)

    if "stack" in sections:
        log("local stack under load")
        from bench import local_stack

        results["stack"] = local_stack.run(log, soak_seconds=args.soak_seconds, load_requests=args.load_requests)

    text = report.render(results, report.command_line(), time.monotonic() - started)
    print(text)
    if args.output != "-":
        Path(args.output).write_text(text)
        log(f"wrote {args.output}")
    failed = report.cold_failures(results["cold"]) if results.get("cold") else []
    for failure in failed:  # a cold start that timed a rejection is no figure: say so, and fail the run
        log(f"cold start row failed: {failure}")
    return 1 if failed or "cold start failed" in " ".join(results["notes"]) else 0


if __name__ == "__main__":
    sys.exit(main())
