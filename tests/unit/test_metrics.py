"""The business metrics template.yaml's alarms and dashboard read (docs/operations.md): each is counted where it
happens, and nothing is kept where metrics are off."""

from __future__ import annotations

import json

import pytest

from local.webhook_receiver import WebhookReceiver
from platform_api import observability
from platform_api.domain import webhook_pipeline, webhooks
from platform_api.observability import MetricName
from tests.helpers import FakeContext, call
from tests.identity_support import register_user


@pytest.fixture
def counted(monkeypatch):
    """Metrics on (as deployed), with every add_metric recorded instead of published."""
    seen: list[str] = []
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    monkeypatch.setattr(
        observability.metrics, "add_metric", lambda name, unit, value, **kwargs: seen.extend([name] * int(value))
    )
    return seen


def test_nothing_is_kept_while_metrics_are_off(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    before = {name: list(m["Value"]) for name, m in observability.metrics.metric_set.items()}
    observability.count(MetricName.RATE_LIMITED)
    assert {name: list(m["Value"]) for name, m in observability.metrics.metric_set.items()} == before


def test_failed_logins_and_the_429_that_ends_them_are_counted(aws, counted):
    user = register_user()
    counted.clear()
    replies = [
        call("POST", "/v1/auth/login", body={"email": user["email"], "password": "not-the-password"}).status
        for _ in range(11)
    ]
    assert replies == [401] * 10 + [429]  # 10 a minute per email and address (docs/auth.md)
    assert counted == [MetricName.LOGIN_FAILURES] * 10 + [MetricName.RATE_LIMITED]
    assert call("POST", "/v1/auth/login", body={"email": user["email"], "password": user["password"]}).status == 429
    assert counted[-1] == MetricName.RATE_LIMITED


def test_webhook_attempts_are_counted_by_outcome(aws, counted, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_SCHEDULE", "0,0,0,0,0,0,0")
    user = register_user()
    with WebhookReceiver(status=503) as receiver:
        hook = call(
            "POST", "/v1/webhooks", body={"url": receiver.url, "events": ["*"]}, token=user["access_token"]
        ).json["data"]
        event_id = "evt_01JD0000000000000000000009"
        delivery_id = webhooks.delivery_id_for(event_id, hook["id"])
        payload = json.dumps({"id": event_id, "type": "resource.updated"})
        message = webhooks.delivery_message(
            delivery_id, hook["id"], user["namespace_id"], event_id, "resource.updated", payload
        )
        counted.clear()
        with pytest.raises(webhook_pipeline.RetryLater):
            webhook_pipeline.deliver(message, 1, lambda seconds: None, lambda: None)
        assert counted == [MetricName.WEBHOOK_ATTEMPT_FAILED, MetricName.WEBHOOK_RETRY_SCHEDULED]
        receiver.status = 200
        counted.clear()
        assert webhook_pipeline.deliver(message, 2, lambda seconds: None, lambda: None) == "success"
        assert counted == [MetricName.WEBHOOK_DELIVERED]

        receiver.status = 500
        dead: list[int] = []
        other_id = webhooks.delivery_id_for("evt_01JD0000000000000000000010", hook["id"])
        other = {**message, "delivery_id": other_id, "event_id": "evt_01JD0000000000000000000010"}
        for receive_count in range(1, webhooks.max_attempts()):
            with pytest.raises(webhook_pipeline.RetryLater):
                webhook_pipeline.deliver(other, receive_count, lambda seconds: None, lambda: dead.append(1))
        counted.clear()
        outcome = webhook_pipeline.deliver(other, webhooks.max_attempts(), lambda s: None, lambda: dead.append(1))
        assert outcome.startswith("failed: last attempt")
        assert dead == [1]
        assert counted == [MetricName.WEBHOOK_ATTEMPT_FAILED, MetricName.WEBHOOK_DEAD_LETTERED]


@pytest.mark.parametrize("disabled", ["false", "true"])
def test_cold_starts_are_counted_only_where_metrics_are_on(monkeypatch, capsys, disabled):
    from aws_lambda_powertools.metrics.provider import cold_start

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", disabled)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    monkeypatch.setattr(cold_start, "is_cold_start", True)
    handler = observability.log_metrics(lambda event, context: {"ok": True})
    capsys.readouterr()
    assert handler({}, FakeContext()) == {"ok": True}
    assert handler({}, FakeContext()) == {"ok": True}
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    cold = [line for line in printed if "ColdStart" in line]
    if disabled == "true":
        assert cold == []
    else:
        assert len(cold) == 1  # the first invocation of a container only
        assert cold[0]["function_name"] == FakeContext.function_name
