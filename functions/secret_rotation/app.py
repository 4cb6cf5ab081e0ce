"""Secrets Manager rotation of the signing secret: one invocation per step (platform_api.secret_rotation)."""

from functools import lru_cache
from typing import Any

from platform_api.observability import logger
from platform_api.secret_rotation import rotate
from platform_api.settings import get_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    import boto3

    return boto3.client("secretsmanager", region_name=get_settings().region)


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> None:
    logger.info("rotation step", extra={"step": event["Step"], "version_id": event["ClientRequestToken"]})
    rotate(_client(), event["SecretId"], event["ClientRequestToken"], event["Step"])
