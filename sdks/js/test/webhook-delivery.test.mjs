// Verifies deliveries the API really sent (captured by tests/sdks/test_js_sdk.py with local.webhook_receiver):
// CAPTURED names a JSON file {secret, deliveries: [{headers, body_base64}]}.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { WebhookVerificationError, verifyLegacy, verifyStandard, verifyWebhook } from '../dist/esm/index.js';

describe('real webhook deliveries', { skip: !process.env.CAPTURED && 'CAPTURED not set' }, () => {
  it('verify with both schemes, and fail once tampered', () => {
    const { secret, deliveries, expected_types: expectedTypes } = JSON.parse(readFileSync(process.env.CAPTURED, 'utf8'));
    assert.ok(deliveries.length >= 2, `${deliveries.length} deliveries`);
    const types = new Set();
    for (const { headers, body_base64: encoded } of deliveries) {
      const raw = Buffer.from(encoded, 'base64');
      const event = verifyWebhook(raw, headers, secret);
      types.add(event.type);
      assert.equal(event.id, headers['webhook-id'] ?? headers['Webhook-Id']);
      assert.ok(verifyStandard(secret, headers, raw));
      const legacy = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-webhook-signature')[1];
      assert.ok(verifyLegacy(secret, legacy, raw));
      const tampered = Buffer.from(raw.toString('utf8').replace('"data"', '"DATA"'));
      assert.throws(() => verifyWebhook(tampered, headers, secret), WebhookVerificationError);
      assert.ok(!verifyLegacy(secret, legacy, tampered));
      assert.throws(() => verifyWebhook(raw, headers, 'whsec_' + Buffer.alloc(32).toString('base64')), WebhookVerificationError);
      assert.throws(() => verifyWebhook(raw, headers, secret, { now: Date.now() / 1000 + 3600 }), WebhookVerificationError);
    }
    for (const type of expectedTypes) assert.ok(types.has(type), `a ${type} delivery`);
  });
});
