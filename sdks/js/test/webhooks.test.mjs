// Webhook verification: both schemes, constant-time, on the raw body; and, when WEBHOOK_VECTORS names a file
// (tests/sdks/test_js_sdk.py writes one with platform_api.webhook_signing), the API's own signatures.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  Client,
  WebhookVerificationError,
  Webhooks,
  legacySignature,
  signatureHeaders,
  standardKey,
  verifyLegacy,
  verifyStandard,
  verifyWebhook,
} from '../dist/esm/index.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const body = '{"id":"evt_1","type":"resource.created","created_at":"2026-01-01T00:00:00Z","data":{"object":{"id":"res_1","type":"resource","attributes":{"name":"é"}}}}';
const now = 1_800_000_000;

describe('webhook signatures', () => {
  it("X-Webhook-Signature is document 004's snippet: HMAC of the raw body keyed with the whole secret string", () => {
    const snippet = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
    assert.equal(legacySignature(SECRET, body), snippet);
    assert.ok(verifyLegacy(SECRET, snippet, body));
    assert.ok(verifyLegacy(SECRET, snippet, Buffer.from(body)));
    assert.ok(!verifyLegacy(SECRET, snippet, body.replace('é', 'e')));
    assert.ok(!verifyLegacy('whsec_other', snippet, body));
    assert.ok(!verifyLegacy(SECRET, 'sha256=00', body));
    assert.ok(!verifyLegacy(SECRET, null, body));
    assert.ok(!verifyLegacy('', snippet, body));
  });

  it('Standard Webhooks: base64 key after whsec_, id and timestamp signed, tolerance both ways', () => {
    const headers = signatureHeaders(SECRET, 'evt_1', body, now);
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(`evt_1.${now}.${body}`).digest('base64');
    assert.equal(headers['webhook-signature'], `v1,${expected}`);
    assert.ok(verifyStandard(SECRET, headers, body, { now }));
    assert.ok(verifyStandard(SECRET, headers, body, { now: now + 299 }));
    assert.ok(!verifyStandard(SECRET, headers, body, { now: now + 301 }), 'stale');
    assert.ok(!verifyStandard(SECRET, headers, body, { now: now - 301 }), 'from the future');
    assert.ok(verifyStandard(SECRET, headers, body, { now: now + 1000, toleranceSeconds: 1000 }));
    assert.ok(!verifyStandard(SECRET, { ...headers, 'webhook-id': 'evt_2' }, body, { now }), 'the id is signed');
    assert.ok(!verifyStandard(SECRET, { ...headers, 'webhook-timestamp': String(now + 1) }, body, { now }));
    assert.ok(!verifyStandard(SECRET, { ...headers, 'webhook-timestamp': 'soon' }, body, { now }));
    assert.ok(!verifyStandard(SECRET, headers, body + ' ', { now }));
    assert.ok(!verifyStandard(SECRET, { 'webhook-id': 'evt_1' }, body, { now }));
  });

  it('header names in any case, from a Headers or a plain object', () => {
    const headers = signatureHeaders(SECRET, 'evt_1', body, now);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    assert.ok(verifyStandard(SECRET, upper, body, { now }));
    assert.ok(verifyStandard(SECRET, new Headers(headers), body, { now }));
  });

  it('a secret that is not base64 keys Standard Webhooks with its own bytes', () => {
    assert.deepEqual(standardKey('whsec_not base64!'), Buffer.from('whsec_not base64!'));
    assert.deepEqual(standardKey('whsec_'), Buffer.from('whsec_'));
    assert.deepEqual(standardKey(SECRET), Buffer.alloc(32, 7));
    const headers = signatureHeaders('my own secret', 'evt_1', body, now);
    assert.ok(verifyStandard('my own secret', headers, body, { now }));
  });

  it('during a rotation: one v1 entry per secret, either verifies', () => {
    const old = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
    const headers = signatureHeaders([SECRET, old], 'evt_1', body, now);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    assert.ok(verifyStandard(SECRET, headers, body, { now }));
    assert.ok(verifyStandard(old, headers, body, { now }));
    assert.ok(verifyStandard(['whsec_x', old], headers, body, { now }));
    assert.ok(!verifyStandard('whsec_x', headers, body, { now }));
    assert.ok(verifyLegacy(SECRET, headers['X-Webhook-Signature'], body), 'the legacy header uses the newest secret');
  });

  it('verifyWebhook returns the event, or throws WebhookVerificationError', () => {
    const headers = signatureHeaders(SECRET, 'evt_1', body, now);
    assert.equal(verifyWebhook(body, headers, SECRET, { now }).data.object.id, 'res_1');
    assert.throws(() => verifyWebhook(body, headers, 'whsec_wrong', { now }), WebhookVerificationError);
    // Only document 004's headers: the signature, and the timestamp within the tolerance.
    const legacyOnly = { 'X-Webhook-Signature': headers['X-Webhook-Signature'], 'X-Webhook-Timestamp': String(now) };
    assert.equal(verifyWebhook(body, legacyOnly, SECRET, { now }).id, 'evt_1');
    assert.throws(() => verifyWebhook(body, legacyOnly, SECRET, { now: now + 301 }), /tolerance/);
    assert.throws(() => verifyWebhook(body, {}, SECRET, { now }), /no webhook signature/);
    assert.equal(Webhooks.verify, verifyWebhook);
    assert.equal(Client.webhooks.verify, verifyWebhook);
  });
});

describe("the API's own signatures (platform_api.webhook_signing)", { skip: !process.env.WEBHOOK_VECTORS && 'WEBHOOK_VECTORS not set' }, () => {
  it('every vector verifies, and every tampered one fails', () => {
    const vectors = JSON.parse(readFileSync(process.env.WEBHOOK_VECTORS, 'utf8'));
    assert.ok(vectors.length >= 3);
    for (const vector of vectors) {
      const raw = Buffer.from(vector.body_base64, 'base64');
      const options = { now: vector.timestamp + 1 };
      assert.equal(verifyStandard(vector.secrets, vector.headers, raw, options), true, vector.name);
      assert.equal(verifyLegacy(vector.secrets[0], vector.headers['X-Webhook-Signature'], raw), true, vector.name);
      assert.equal(verifyWebhook(raw, vector.headers, vector.secrets, options).id, vector.event_id, vector.name);
      assert.equal(verifyStandard(vector.secrets, vector.headers, Buffer.concat([raw, Buffer.from(' ')]), options), false);
      assert.equal(verifyLegacy(vector.secrets[0], vector.headers['X-Webhook-Signature'], raw.subarray(1)), false);
      // The SDK signs exactly as the API does.
      assert.deepEqual(signatureHeaders(vector.secrets, vector.headers['webhook-id'], raw, vector.timestamp), vector.headers);
    }
  });
});
