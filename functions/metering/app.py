"""Table stream -> each namespace's monthly API calls (domain.metering; docs/data-model.md, metering).

The event source's filter passes only the users' hour items (`PK` begins with `RATE#usr_`, inserts and
modifications), where every authenticated request added one to `n#<the tenant it named>`. A batch's
differences are resolved to namespaces, summed and added once per namespace and month; the add is
idempotent, so a retried batch (from the first record whose namespace failed) adds nothing twice.
"""

from typing import Any

from platform_api.domain import metering
from platform_api.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    records = event.get("Records") or []
    failed = set(metering.aggregate(records))
    # Lambda retries from the earliest reported record: report it, in stream order.
    first = next((r for r in records if str((r.get("dynamodb") or {}).get("SequenceNumber")) in failed), None)
    if first is None:
        return {"batchItemFailures": []}
    return {"batchItemFailures": [{"itemIdentifier": str(first["dynamodb"]["SequenceNumber"])}]}
