"""Secrets Manager rotation of the signing secret: one invocation per step (platform_api.secret_rotation)."""

from typing import Any

from platform_api import clients
from platform_api.observability import logger
from platform_api.secret_rotation import rotate


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> None:
    logger.info("rotation step", extra={"step": event["Step"], "version_id": event["ClientRequestToken"]})
    rotate(clients.client("secretsmanager"), event["SecretId"], event["ClientRequestToken"], event["Step"])
