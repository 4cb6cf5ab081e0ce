"""Configuration read once per container from the environment (template.yaml sets it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    table_name: str
    stage_name: str
    environment: str
    region: str
    dynamodb_endpoint_url: str | None
    jwt_secret_arn: str | None
    jwt_secret: str | None
    data_key_arn: str | None  # the KMS key of envelope encryption (sealed webhook secrets, idempotent answers)
    key_grace_seconds: int  # how long the previous signing-secret version still verifies after a rotation
    jwt_issuer: str
    jwt_audience: str
    access_token_ttl_seconds: int
    refresh_token_ttl_seconds: int
    api_key_prefix: str
    max_body_bytes: int
    webhook_fanout_queue_url: str | None
    webhook_delivery_queue_url: str | None
    webhook_fanout_dlq_url: str | None  # the admin function's, to redrive dead letters (docs/operators.md)
    webhook_delivery_dlq_url: str | None
    webhook_allow_loopback: bool
    public_base_url: str | None
    allowed_origins: frozenset[str]  # CORS: browser origins whose pages may read answers (AllowedOrigins)
    local_stack: bool  # `make run`: no mail is sent anywhere, so confirmation links are written to the log


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    stage = env.get("STAGE_NAME", "api")
    environment = env.get("ENVIRONMENT", "dev")
    return Settings(
        table_name=env.get("TABLE_NAME", "platform-api"),
        stage_name=stage,
        environment=environment,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint_url=env.get("DYNAMODB_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL") or None,
        jwt_secret_arn=env.get("JWT_SECRET_ARN") or None,
        jwt_secret=env.get("JWT_SECRET") or None,
        data_key_arn=env.get("DATA_KEY_ARN") or None,
        key_grace_seconds=_int("KEY_GRACE_SECONDS", 2 * 24 * 3600),
        jwt_issuer=env.get("JWT_ISSUER", "platform-api"),
        jwt_audience=env.get("JWT_AUDIENCE", "platform-api"),
        access_token_ttl_seconds=_int("ACCESS_TOKEN_TTL_SECONDS", 3600),
        refresh_token_ttl_seconds=_int("REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
        api_key_prefix=env.get("API_KEY_PREFIX") or ("sk_live_" if environment == "prod" else "sk_test_"),
        max_body_bytes=_int("MAX_BODY_BYTES", 256 * 1024),
        webhook_fanout_queue_url=env.get("WEBHOOK_FANOUT_QUEUE_URL") or None,
        webhook_delivery_queue_url=env.get("WEBHOOK_DELIVERY_QUEUE_URL") or None,
        webhook_fanout_dlq_url=env.get("WEBHOOK_FANOUT_DLQ_URL") or None,
        webhook_delivery_dlq_url=env.get("WEBHOOK_DELIVERY_DLQ_URL") or None,
        webhook_allow_loopback=env.get("WEBHOOK_ALLOW_LOOPBACK", "false").lower() == "true",
        public_base_url=env.get("PUBLIC_BASE_URL") or None,
        allowed_origins=frozenset(
            o.strip().rstrip("/") for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip()
        ),
        local_stack=env.get("LOCAL_STACK", "false").lower() == "true",
    )
