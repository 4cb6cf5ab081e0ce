"""Scheduled every minute: package grants whose `expires_at` has passed stop counting (domain.plans).

Each lapsed grant leaves its namespace in its own transaction with a `namespace.package_expired` event and an
audit entry, so a crash or a timeout leaves the rest for the next run, and a grant lapses at most once.
"""

from typing import Any

from platform_api.domain import plans
from platform_api.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> dict[str, int]:
    lapsed = 0
    while True:
        handled = plans.expire_lapsed_grants()
        lapsed += handled
        if handled < plans.EXPIRY_BATCH or context.get_remaining_time_in_millis() < 10_000:
            break
    if lapsed:
        logger.info("package grants lapsed", extra={"lapsed": lapsed})
    return {"lapsed": lapsed}
