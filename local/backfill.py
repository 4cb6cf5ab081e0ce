"""Backfill the list indexes (resources, deliveries, members, invitations) of a table written before them, and
re-seal webhook secrets stored before KMS sealing: `python -m local.backfill`.

    python -m local.backfill --table platform-api-Table-XXXX --region eu-west-1    # a deployed table
    # with the stack's KMS key and signing secret, webhook secrets are re-sealed too (docs/keys.md):
    python -m local.backfill --table ... --region ... --data-key-arn <DataKey ARN> --secret-arn <secret ARN>
    MOTO_PORT=5005 make run   # then, for the local stack's kept data:
    python -m local.backfill --table local-Table --endpoint-url http://127.0.0.1:5005

Run it after the deploy (every writer then indexes what it writes). Idempotent and resumable
(platform_api.dal.backfill): the Scan position is written to `--checkpoint` after every page, and a second
run starts from it; an item already indexed is skipped. `--segments N` runs N parallel Scan segments.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", required=True, help="the table's name (the local stack's is local-Table)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (default: AWS)")
    parser.add_argument("--segments", type=int, default=1)
    parser.add_argument("--data-key-arn", help="the stack's DataKey (KMS): re-seal webhook secrets under it")
    parser.add_argument("--secret-arn", help="the stack's signing secret: opens webhook secrets sealed before KMS")
    parser.add_argument("--checkpoint", type=Path, default=Path(".backfill-checkpoint.json"))
    args = parser.parse_args(argv)
    os.environ["TABLE_NAME"] = args.table
    os.environ["AWS_REGION"] = args.region
    if args.endpoint_url:
        os.environ["DYNAMODB_ENDPOINT_URL"] = args.endpoint_url
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url  # KMS and Secrets Manager of the same local backend
    if args.data_key_arn:
        os.environ["DATA_KEY_ARN"] = args.data_key_arn
    if args.secret_arn:
        os.environ["JWT_SECRET_ARN"] = args.secret_arn
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "shared" / "python"))
    print(json.dumps(backfill(args.checkpoint, args.segments)))
    return 0


def backfill(checkpoint: Path, segments: int = 1, page_size: int = 500) -> dict[str, int]:
    """Run (or resume) every segment; the checkpoint file is removed once all of them finished."""
    from platform_api.dal import backfill as store

    saved: dict[str, Any] = json.loads(checkpoint.read_text()) if checkpoint.exists() else {}
    lock = threading.Lock()

    def segment(number: int) -> Counter[str]:
        position = saved.get(str(number), {})
        if position.get("done"):
            return Counter()

        def on_page(next_key: dict[str, Any] | None, counts: Counter[str]) -> None:
            with lock:
                saved[str(number)] = {"start_key": next_key, "done": next_key is None}
                checkpoint.write_text(json.dumps(saved))

        return store.run(
            segment=number,
            total_segments=segments,
            start_key=position.get("start_key"),
            page_size=page_size,
            on_page=on_page,
        )

    with ThreadPoolExecutor(max_workers=segments) as pool:
        results = list(pool.map(segment, range(segments)))
    checkpoint.unlink(missing_ok=True)
    return dict(sum(results, Counter()))


if __name__ == "__main__":
    raise SystemExit(main())
