// End to end against a running stack (BASE_URL; tests/sdks/test_js_sdk.py starts one): register, log in, create a
// workspace, list its namespaces, create and auto-paginate resources, a 404, a 429 with and without waiting for the
// window, and a webhook whose deliveries go to WEBHOOK_URL (the test's receiver verifies them afterwards with
// test/webhook-delivery.test.mjs). Facts for that second step are written to E2E_OUT.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { Client, NotFoundError, Page, RateLimitError, ValidationError } from '../dist/esm/index.js';

const BASE_URL = process.env.BASE_URL;
const PASSWORD = 'correct horse battery staple';
const out = {};

function identity() {
  const tag = randomUUID().replaceAll('-', '').slice(0, 12);
  return { email: `js-sdk-${tag}@example.com`, username: `js_sdk_${tag}`, password: PASSWORD };
}

describe('the JS SDK against the local stack', { skip: !BASE_URL && 'BASE_URL not set' }, () => {
  const anonymous = new Client(null, { baseUrl: BASE_URL });
  let client;
  let workspace;
  let namespace;
  const created = [];
  // The 429 part uses a user of its own (60 requests a minute on the free tier), started first so that its
  // wait for the window to reset overlaps the rest of the run.
  let limited;
  let waiting;

  before(async () => {
    const who = identity();
    const registered = await anonymous.auth.register(who);
    limited = new Client(registered.access_token, { baseUrl: BASE_URL });
  });

  after(() => {
    if (process.env.E2E_OUT) writeFileSync(process.env.E2E_OUT, JSON.stringify(out, null, 2));
  });

  it('a 429 is a RateLimitError with Retry-After and the reset time, at once when the wait is too long', async () => {
    let first = await limited.users.me({ maxRetries: 0 });
    assert.equal(first.$response.rateLimit.limit, 50); // the free tier's 10-second burst: the tightest window
    let error;
    for (let sent = 1; !error && sent < 200; ) {
      const burst = Math.max(1, Math.min(10, first.$response.rateLimit.remaining + 1));
      const answers = await Promise.allSettled(Array.from({ length: burst }, () => limited.users.me({ maxRetries: 0 })));
      sent += burst;
      for (const answer of answers) {
        if (answer.status === 'rejected') error ??= answer.reason;
        else first = answer.value;
      }
    }
    assert.ok(error instanceof RateLimitError, String(error));
    const now = Date.now() / 1000;
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.ok(error.retryAfter > 0 && error.retryAfter <= 60, `Retry-After ${error.retryAfter}`);
    assert.equal(error.rateLimit.remaining, 0);
    assert.ok(Math.abs(error.reset - (now + error.retryAfter)) <= 3, `reset ${error.reset} vs now+${error.retryAfter}`);
    assert.ok(Math.abs(error.rateLimit.resetAt.getTime() / 1000 - error.reset) < 1, 'epoch seconds, not milliseconds');
    assert.match(error.requestId, /^req_/);

    // A caller that will not wait that long gets the error at once, with what it needs to decide.
    const started = Date.now();
    const refused = await limited.users.me({ maxRetryWait: Math.max(0, error.retryAfter * 1000 - 1500) }).catch((e) => e);
    assert.ok(refused instanceof RateLimitError);
    assert.ok(refused.retryAfter > 0);
    assert.ok(Date.now() - started < 5000, 'no waiting');

    // One that will wait: the client sleeps Retry-After, then the retry succeeds (awaited at the end).
    const t0 = Date.now();
    out.rate_limit = { retry_after: error.retryAfter };
    waiting = limited.users.me({ maxRetryWait: 65_000 }).then(
      (me) => ({ me, seconds: (Date.now() - t0) / 1000 }),
      (e) => ({ error: e, seconds: (Date.now() - t0) / 1000 }),
    );
  });

  it('registers and logs in; the access token is the credential', async () => {
    const who = identity();
    const registered = await anonymous.auth.register({ ...who, name: 'JS SDK' });
    assert.match(registered.data.id, /^usr_/);
    assert.equal(registered.$response.status, 201);
    const tokens = await anonymous.auth.login({ email: who.email, password: who.password });
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
    client = new Client(tokens.access_token, { baseUrl: `${BASE_URL}/api/v1` });
    const me = await client.users.me();
    assert.equal(me.email, who.email);
    assert.equal(me.id, registered.data.id);
    assert.equal((await client.users.getAuthenticated()).id, me.id);
    await assert.rejects(anonymous.users.me(), (e) => e.status === 401 && e.code === 'authentication_required');
  });

  it("document 004's example: create a workspace, list its namespaces", async () => {
    workspace = await client.workspaces.create({ name: 'My Workspace', tier: 'free' });
    assert.match(workspace.id, /^wks_/);
    assert.equal(workspace.name, 'My Workspace');
    assert.equal(workspace.$response.status, 201);
    const page = await client.namespaces.list({ workspace_id: workspace.id });
    assert.ok(page instanceof Page);
    assert.equal(page.meta.current_page, 1);
    const namespaces = [];
    for await (const ns of client.namespaces.list({ workspace_id: workspace.id })) namespaces.push(ns);
    assert.deepEqual(namespaces.map((ns) => ns.workspace_id), [workspace.id]);
    namespace = namespaces[0];
    assert.equal(namespace.id, workspace.default_namespace_id);
    assert.equal(namespace.is_default, true);
  });

  it('creates resources and auto-paginates them across pages', async () => {
    for (let i = 0; i < 5; i++) {
      created.push(await client.resources.create({ name: `item ${i}`, tags: ['sdk'] }, { workspaceId: workspace.id }));
    }
    const first = await client.resources.list({ per_page: 2, workspace_id: workspace.id });
    assert.equal(first.data.length, 2);
    assert.ok(first.meta.next_cursor, 'a next cursor');
    const pages = [];
    for await (const page of client.resources.list({ per_page: 2, workspace_id: workspace.id }).pages()) pages.push(page);
    assert.deepEqual(pages.map((p) => p.data.length), [2, 2, 1]);
    const all = [];
    for await (const resource of client.resources.list({ per_page: 2, sort: 'created_at', workspace_id: workspace.id })) {
      all.push(resource.id);
    }
    assert.deepEqual(all, created.map((r) => r.id));
    // The personal namespace is another tenant: none of them there.
    const personal = await client.resources.list({ per_page: 100 }).toArray();
    assert.equal(personal.filter((r) => all.includes(r.id)).length, 0);
  });

  it('an Idempotency-Key replays the first answer instead of creating twice', async () => {
    const key = randomUUID();
    const one = await client.resources.create({ name: 'once' }, { workspaceId: workspace.id, idempotencyKey: key });
    const two = await client.resources.create({ name: 'once' }, { workspaceId: workspace.id, idempotencyKey: key });
    assert.equal(two.id, one.id);
    assert.equal(two.$response.replayed, true);
    const mismatch = await client.resources.create({ name: 'twice' }, { workspaceId: workspace.id, idempotencyKey: key }).catch((e) => e);
    assert.ok(mismatch instanceof ValidationError);
    assert.equal(mismatch.status, 422);
    assert.equal(mismatch.code, 'idempotency_key_mismatch');
  });

  it('a 404 is a NotFoundError with the request id, also for another tenant’s object', async () => {
    const missing = await client.resources.get('res_01AAAAAAAAAAAAAAAAAAAAAAAA', { workspaceId: workspace.id }).catch((e) => e);
    assert.ok(missing instanceof NotFoundError, String(missing));
    assert.equal(missing.status, 404);
    assert.equal(missing.code, 'resource_not_found');
    assert.match(missing.requestId, /^req_/);
    assert.equal(missing.requestId, missing.headers.get('x-request-id'));
    await assert.rejects(client.resources.get(created[0].id), NotFoundError, 'not in the personal namespace');
  });

  it('a webhook: create, test (signed, synchronous), a real resource.created delivery', async () => {
    assert.ok(process.env.WEBHOOK_URL, 'WEBHOOK_URL names the receiver');
    const webhook = await client.webhooks.create(
      { url: process.env.WEBHOOK_URL, events: ['resource.created'] },
      { workspaceId: workspace.id },
    );
    assert.match(webhook.secret, /^whsec_/);
    const result = await client.webhooks.test(webhook.id, { workspaceId: workspace.id });
    assert.equal(result.success, true, JSON.stringify(result));
    assert.ok(result.status_code >= 200 && result.status_code < 300);
    const delivery = await client.webhooks.deliveries.get(webhook.id, result.delivery_id, { workspaceId: workspace.id });
    assert.equal(delivery.event_type, 'webhook.test');
    const resource = await client.resources.create({ name: 'delivered' }, { workspaceId: workspace.id });
    Object.assign(out, { secret: webhook.secret, webhook_id: webhook.id, resource_id: resource.id, test_delivery_id: result.delivery_id });
  });

  it('the caller that waited for Retry-After got its answer after the window reset', async () => {
    assert.ok(waiting, 'the 429 step ran');
    const { me, error, seconds } = await waiting;
    assert.equal(error, undefined, String(error));
    assert.match(me.id, /^usr_/);
    assert.ok(seconds >= out.rate_limit.retry_after - 10, `${seconds}s after a Retry-After of ${out.rate_limit.retry_after}s`);
    out.rate_limit.waited_seconds = seconds;
  });
});
