"""Webhook signatures as receivers check them: document 004's snippet and Standard Webhooks, incl. rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from platform_api import webhook_signing

BODY = json.dumps({"id": "evt_1", "type": "resource.created", "data": {"name": "a"}}, separators=(",", ":")).encode()
MESSAGE_ID = "msg_2Q1d3n8kLw"
TIMESTAMP = 1_717_000_000


def document_004_verify(payload: bytes, signature: str, secret: str) -> bool:
    """Python port of document 004's receiver snippet.

    const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(payload).digest('hex');
    return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    """
    expected = "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


def reference_standard_signature(secret: str, message_id: str, timestamp: int, payload: bytes) -> str:
    """What the Standard Webhooks reference libraries compute for a ``whsec_`` secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + payload, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def test_new_secret_is_whsec_and_32_random_bytes():
    first, second = webhook_signing.new_secret(), webhook_signing.new_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


def test_headers_carry_both_schemes():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    assert set(headers) == {
        "X-Webhook-Signature",
        "X-Webhook-Timestamp",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    assert headers["X-Webhook-Timestamp"] == headers["webhook-timestamp"] == str(TIMESTAMP)
    assert headers["webhook-id"] == MESSAGE_ID


def test_legacy_header_matches_document_004_snippet_keyed_with_the_secret_as_stored():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    assert headers["X-Webhook-Signature"].startswith("sha256=")
    assert document_004_verify(BODY, headers["X-Webhook-Signature"], secret)
    # The prefix is part of the key: a receiver that strips it must not verify.
    assert not document_004_verify(BODY, headers["X-Webhook-Signature"], secret.removeprefix("whsec_"))
    assert webhook_signing.verify_legacy(secret, headers["X-Webhook-Signature"], BODY)


def test_standard_signature_matches_the_reference_algorithm_and_verifies():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    assert headers["webhook-signature"] == reference_standard_signature(secret, MESSAGE_ID, TIMESTAMP, BODY)
    assert webhook_signing.verify_standard(secret, headers, BODY, now=TIMESTAMP + 10)


def test_standard_verification_ignores_header_case():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    shouted = {name.upper(): value for name, value in headers.items()}
    assert webhook_signing.verify_standard(secret, shouted, BODY, now=TIMESTAMP)


def test_tampered_body_fails_both_schemes():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    tampered = BODY.replace(b'"a"', b'"b"')
    assert tampered != BODY
    assert not document_004_verify(tampered, headers["X-Webhook-Signature"], secret)
    assert not webhook_signing.verify_legacy(secret, headers["X-Webhook-Signature"], tampered)
    assert not webhook_signing.verify_standard(secret, headers, tampered, now=TIMESTAMP)


def test_tampered_id_or_timestamp_fails_standard_verification():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    assert not webhook_signing.verify_standard(secret, {**headers, "webhook-id": "msg_other"}, BODY, now=TIMESTAMP)
    moved = {**headers, "webhook-timestamp": str(TIMESTAMP + 1)}
    assert not webhook_signing.verify_standard(secret, moved, BODY, now=TIMESTAMP)


def test_wrong_secret_fails():
    headers = webhook_signing.signature_headers(webhook_signing.new_secret(), MESSAGE_ID, BODY, TIMESTAMP)
    other = webhook_signing.new_secret()
    assert not webhook_signing.verify_standard(other, headers, BODY, now=TIMESTAMP)
    assert not webhook_signing.verify_legacy(other, headers["X-Webhook-Signature"], BODY)


@pytest.mark.parametrize("offset", [-301, 301, 10_000])
def test_stale_or_future_timestamp_fails(offset):
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    assert not webhook_signing.verify_standard(secret, headers, BODY, now=TIMESTAMP + offset)
    assert webhook_signing.verify_standard(secret, headers, BODY, tolerance=abs(offset), now=TIMESTAMP + offset)


@pytest.mark.parametrize(
    "missing", ["webhook-id", "webhook-timestamp", "webhook-signature"], ids=["id", "timestamp", "signature"]
)
def test_missing_standard_header_fails(missing):
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    del headers[missing]
    assert not webhook_signing.verify_standard(secret, headers, BODY, now=TIMESTAMP)


def test_non_numeric_timestamp_fails():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    assert not webhook_signing.verify_standard(secret, {**headers, "webhook-timestamp": "soon"}, BODY, now=TIMESTAMP)


def test_rotation_signs_with_every_active_secret_and_legacy_with_the_newest():
    old, new = webhook_signing.new_secret(), webhook_signing.new_secret()
    headers = webhook_signing.signature_headers([new, old], MESSAGE_ID, BODY, TIMESTAMP)

    entries = headers["webhook-signature"].split(" ")
    assert entries == [
        reference_standard_signature(new, MESSAGE_ID, TIMESTAMP, BODY),
        reference_standard_signature(old, MESSAGE_ID, TIMESTAMP, BODY),
    ]
    # A receiver still holding the old secret and one already on the new secret both verify.
    assert webhook_signing.verify_standard(old, headers, BODY, now=TIMESTAMP)
    assert webhook_signing.verify_standard(new, headers, BODY, now=TIMESTAMP)
    assert not webhook_signing.verify_standard(webhook_signing.new_secret(), headers, BODY, now=TIMESTAMP)

    assert (
        headers["X-Webhook-Signature"]
        == webhook_signing.signature_headers(new, MESSAGE_ID, BODY, TIMESTAMP)["X-Webhook-Signature"]
    )
    assert document_004_verify(BODY, headers["X-Webhook-Signature"], new)
    assert not document_004_verify(BODY, headers["X-Webhook-Signature"], old)


def test_receiver_may_hold_several_secrets():
    old, new = webhook_signing.new_secret(), webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(old, MESSAGE_ID, BODY, TIMESTAMP)
    assert webhook_signing.verify_standard([new, old], headers, BODY, now=TIMESTAMP)


def test_unknown_signature_versions_are_skipped():
    secret = webhook_signing.new_secret()
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    good = headers["webhook-signature"]
    mixed = {**headers, "webhook-signature": f"v1a,{good.partition(',')[2]} {good}"}
    assert webhook_signing.verify_standard(secret, mixed, BODY, now=TIMESTAMP)
    only_other = {**headers, "webhook-signature": f"v2,{good.partition(',')[2]}"}
    assert not webhook_signing.verify_standard(secret, only_other, BODY, now=TIMESTAMP)


@pytest.mark.parametrize(
    "secret", ["my-own-secret!", "whsec_not base64!!", "whsec_"], ids=["plain", "bad-b64", "empty"]
)
def test_non_base64_secret_falls_back_to_the_raw_secret_bytes(secret):
    headers = webhook_signing.signature_headers(secret, MESSAGE_ID, BODY, TIMESTAMP)
    raw = hmac.new(secret.encode(), f"{MESSAGE_ID}.{TIMESTAMP}.".encode() + BODY, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(raw).decode()
    assert webhook_signing.verify_standard(secret, headers, BODY, now=TIMESTAMP)
    assert document_004_verify(BODY, headers["X-Webhook-Signature"], secret)


def test_standard_key_decodes_the_whsec_payload():
    raw = bytes(range(32))
    assert webhook_signing.standard_key("whsec_" + base64.b64encode(raw).decode()) == raw


@pytest.mark.parametrize("secrets", [[], "", ["whsec_x", ""]], ids=["no-secrets", "empty-string", "one-empty"])
def test_signing_without_a_usable_secret_is_refused(secrets):
    with pytest.raises(ValueError, match="signing secret"):
        webhook_signing.signature_headers(secrets, MESSAGE_ID, BODY, TIMESTAMP)


def test_legacy_verification_rejects_missing_header():
    assert not webhook_signing.verify_legacy(webhook_signing.new_secret(), None, BODY)
    assert not webhook_signing.verify_legacy(webhook_signing.new_secret(), "", BODY)
