"""The operator's command line (docs/operators.md): operator keys and webhook dead letters, against a stage.

    python -m local.operator create --name "jane (on-call)"          # the local stack (`make run`)
    python -m local.operator --stack platform-api --region eu-west-1 create --name "jane (on-call)"
    python -m local.operator --stack platform-api list | revoke opk_... | dead-letters | redrive [--all]

It runs the same domain code as the admin routes, with the caller's own AWS credentials, directly against the
stage's table and queues: that is what makes `create` a bootstrap no API route can stand in for. Without
`--stack` / `--table` it finds the local stack through the `backend.json` that `python -m local run` writes in
its data folder (.local-data). The plaintext of a new key is printed once and stored nowhere.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from local.template import ROOT

BACKEND_FILE = "backend.json"
QUEUES = {
    "WEBHOOK_DELIVERY_QUEUE_URL": "WebhookDeliveryQueue",
    "WEBHOOK_DELIVERY_DLQ_URL": "WebhookDeliveryDLQ",
    "WEBHOOK_FANOUT_QUEUE_URL": "WebhookFanoutQueue",
    "WEBHOOK_FANOUT_DLQ_URL": "WebhookFanoutDLQ",
}


def write_backend(data_dir: Path, endpoint_url: str, physical: dict[str, dict[str, str]]) -> None:
    """What the local stack tells this command about itself (`python -m local run` calls it at start)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    described = {
        "endpoint_url": endpoint_url,
        "table": physical["Table"]["Ref"],
        "queues": {name: physical[logical]["QueueUrl"] for name, logical in QUEUES.items() if logical in physical},
    }
    (data_dir / BACKEND_FILE).write_text(json.dumps(described, indent=2) + "\n")


def _from_stack(stack: str, region: str) -> dict[str, Any]:
    import boto3

    cloudformation = boto3.client("cloudformation", region_name=region)

    def physical(logical_id: str) -> str:
        found = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
        return found["StackResourceDetail"]["PhysicalResourceId"]

    parameters = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Parameters", [])
    environment = next((p["ParameterValue"] for p in parameters if p["ParameterKey"] == "Environment"), "dev")
    return {
        "table": physical("Table"),
        "queues": {name: physical(logical) for name, logical in QUEUES.items()},  # a queue's id is its URL
        "environment": environment,
    }


def _from_local(data_dir: Path) -> dict[str, Any]:
    path = data_dir / BACKEND_FILE
    if not path.exists():
        raise SystemExit(f"{path} not found: start the local stack (`make run`), or pass --stack or --table.")
    return json.loads(path.read_text())


def configure(args: argparse.Namespace) -> None:
    """Point platform_api (read once per process, from the environment) at the chosen stage."""
    if args.stack:
        target = _from_stack(args.stack, args.region)
    elif args.table:
        target = {"table": args.table, "queues": {}, "endpoint_url": args.endpoint_url}
    else:
        target = _from_local(args.data_dir)
        from local.aws import use_fake_credentials

        use_fake_credentials()  # the embedded backend: nothing may reach a real account
    os.environ["TABLE_NAME"] = target["table"]
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = args.region
    os.environ["ENVIRONMENT"] = target.get("environment") or args.environment
    endpoint = target.get("endpoint_url")
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint  # boto3 (queues) and pynamodb (DYNAMODB_ENDPOINT_URL) alike
        os.environ["DYNAMODB_ENDPOINT_URL"] = endpoint
    os.environ.update(target.get("queues") or {})
    sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))


def _create(args: argparse.Namespace) -> dict[str, Any]:
    from platform_api.domain import operators
    from platform_api.timeutil import utcnow

    expires = utcnow() + timedelta(days=args.expires_in_days) if args.expires_in_days else None
    return operators.create_key(args.name, created_by=args.created_by, expires_at=expires)


def _redrive(args: argparse.Namespace) -> dict[str, Any]:
    from platform_api.domain import dead_letters

    queues = dead_letters.select(dead_letters.configured(), args.queue)
    if not queues:
        raise SystemExit("No dead-letter queue is known for this target: use --stack, or the local stack.")
    calls = moved = failed = 0
    while True:
        result = dead_letters.redrive(queues, args.max_messages)
        calls, moved, failed = calls + 1, moved + result["moved"], failed + result["failed"]
        if not (args.all and result["has_more"] and result["moved"]):
            # kept messages come back in every call: the last call's figures are the ones that stand
            return {**result, "moved": moved, "failed": failed, "calls": calls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local.operator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stack", help="a deployed stack's name (its table and queues are looked up)")
    parser.add_argument("--table", help="a table's name, for the key commands without CloudFormation")
    parser.add_argument("--endpoint-url", help="with --table: a DynamoDB endpoint other than AWS")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument("--environment", default="dev", help="with --table: prod issues opk_live_ keys")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("LOCAL_DATA_DIR") or ROOT / ".local-data"),
        help="the local stack's data folder",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create an operator key and print it (once)")
    create.add_argument("--name", required=True, help="whose key, or what for: 'jane (on-call)'")
    create.add_argument("--created-by", default=os.environ.get("USER") or getpass.getuser())
    create.add_argument("--expires-in-days", type=int, help="default: never (revoke it instead)")
    sub.add_parser("list", help="the live operator keys (never their secrets)")
    revoke = sub.add_parser("revoke", help="revoke an operator key: it stops working at once")
    revoke.add_argument("key_id")
    revoke.add_argument("--revoked-by", default=os.environ.get("USER") or getpass.getuser())
    sub.add_parser("dead-letters", help="count what waits in the webhook DLQs")
    redrive = sub.add_parser("redrive", help="move dead webhook messages back to their queues")
    redrive.add_argument("--max-messages", type=int, default=100, help="per call (at most 500)")
    redrive.add_argument("--queue", action="append", choices=["delivery", "fanout"], help="default: both")
    redrive.add_argument("--all", action="store_true", help="call again while a call stops at its bound")
    args = parser.parse_args(argv)
    configure(args)

    from platform_api import errors

    try:
        if args.command == "create":
            created = _create(args)
            print(f"Operator key {created['id']} for {created['name']!r}. Store it now: it is not shown again.")
            print(created["key"])
        elif args.command == "list":
            from platform_api.domain import operators

            print(json.dumps(operators.list_keys(), indent=2))
        elif args.command == "revoke":
            from platform_api.domain import operators

            operators.revoke_key(args.key_id, revoked_by=f"cli:{args.revoked_by}")
            print(f"Revoked {args.key_id}.")
        elif args.command == "dead-letters":
            from platform_api.domain import dead_letters

            print(json.dumps(dead_letters.status(dead_letters.configured()), indent=2))
        else:
            print(json.dumps(_redrive(args), indent=2))
    except errors.ApiError as exc:
        print(f"{exc.code}: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
