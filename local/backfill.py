"""Backfill the resource list indexes of a table written before them: `python -m local.backfill`.

    python -m local.backfill --table platform-api-Table-XXXX --region eu-west-1        # a deployed table
    MOTO_PORT=5005 make run   # then, for the local stack's kept data:
    python -m local.backfill --table local-Table --endpoint-url http://127.0.0.1:5005

Idempotent and resumable (platform_api.dal.resource_backfill): the Scan position is written to
`--checkpoint` after every page, and a second run starts from it; an item already indexed is skipped.
`--segments N` runs N parallel Scan segments (one thread each).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", required=True, help="the table's name (the local stack's is local-Table)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (default: AWS)")
    parser.add_argument("--segments", type=int, default=1)
    parser.add_argument("--checkpoint", type=Path, default=Path(".backfill-checkpoint.json"))
    args = parser.parse_args(argv)
    os.environ["TABLE_NAME"] = args.table
    os.environ["AWS_REGION"] = args.region
    if args.endpoint_url:
        os.environ["DYNAMODB_ENDPOINT_URL"] = args.endpoint_url
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "shared" / "python"))
    from platform_api.dal import resource_backfill

    saved: dict[str, Any] = json.loads(args.checkpoint.read_text()) if args.checkpoint.exists() else {}

    def segment(number: int) -> dict[str, int]:
        position = saved.get(str(number), {})
        if position.get("done"):
            return {"seen": 0, "indexed": 0}

        def checkpoint(next_key: dict[str, Any] | None, seen: int, indexed: int) -> None:
            saved[str(number)] = {"start_key": next_key, "done": next_key is None}
            args.checkpoint.write_text(json.dumps(saved))

        return resource_backfill.run(
            segment=number, total_segments=args.segments, start_key=position.get("start_key"), on_page=checkpoint
        )

    with ThreadPoolExecutor(max_workers=args.segments) as pool:
        results = list(pool.map(segment, range(args.segments)))
    seen, indexed = sum(r["seen"] for r in results), sum(r["indexed"] for r in results)
    print(f"resources without indexes seen: {seen}, indexed now: {indexed}")
    args.checkpoint.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
