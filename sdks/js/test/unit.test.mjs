// The hand-written core against a local fake server: requests, responses, errors, retries, pagination.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  AuthenticationError,
  Client,
  ConflictError,
  NotFoundError,
  Page,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  USER_AGENT,
  ValidationError,
  parseRateLimit,
  parseRetryAfter,
} from '../dist/esm/index.js';
import { errorBody, fakeApi, listBody } from './helpers.mjs';

const servers = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function setup(replies, options = {}) {
  const api = await fakeApi(replies);
  servers.push(api);
  const client = new Client('sk_test_abc', { baseUrl: api.url, ...options });
  const waits = [];
  client.core.sleep = async (ms) => {
    waits.push(ms);
  };
  return { api, client, waits };
}

const ws = { id: 'wks_1', name: 'Acme', slug: 'acme', tier: 'free' };

describe('requests', () => {
  it('sends credentials, User-Agent, JSON and an Idempotency-Key on a mutating call', async () => {
    const { api, client } = await setup([{ status: 201, body: { data: ws }, headers: { 'X-Request-Id': 'req_1' } }]);
    const created = await client.workspaces.create({ name: 'Acme', tier: 'free' });
    const [request] = api.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/workspaces');
    assert.equal(request.headers.authorization, 'Bearer sk_test_abc');
    assert.equal(request.headers['user-agent'], USER_AGENT);
    assert.equal(USER_AGENT, 'core-php-sdk-js/0.1.0');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.match(request.headers['idempotency-key'], /^[0-9a-f-]{36}$/);
    assert.deepEqual(request.body, { name: 'Acme', tier: 'free' });
    // The envelope's data, with attribute access; the raw body and the status behind $response.
    assert.equal(created.id, 'wks_1');
    assert.equal(created.$response.status, 201);
    assert.equal(created.$response.requestId, 'req_1');
    assert.deepEqual(created.$response.body, { data: ws });
    assert.equal(created.$response.idempotencyKey, request.headers['idempotency-key']);
    assert.deepEqual(JSON.parse(JSON.stringify(created)), ws, '$response is not enumerable');
  });

  it('uses the given Idempotency-Key; reads send none', async () => {
    const { api, client } = await setup([{ status: 201, body: { data: ws } }, { status: 201, body: { data: ws } }, { status: 200, body: { data: ws } }]);
    await client.workspaces.create({ name: 'Acme' }, { idempotencyKey: 'key-123' });
    await client.workspaces.create({ name: 'Acme' }, { headers: { 'Idempotency-Key': 'key-456' } });
    await client.workspaces.get('wks_1');
    assert.equal(api.requests[0].headers['idempotency-key'], 'key-123');
    assert.equal(api.requests[1].headers['idempotency-key'], 'key-456');
    assert.equal(api.requests[2].headers['idempotency-key'], undefined);
  });

  it('puts path parameters in order, escaped, and query parameters as given', async () => {
    const { api, client } = await setup([{ status: 200, body: { data: { id: 'del_1' } } }, { status: 200, body: listBody([], null) }]);
    await client.webhooks.deliveries.get('wh_1', 'del/2');
    await client.resources.list({ per_page: 5, 'filter[status]': 'active', sort: '-created_at,name', search: 'a b' });
    assert.equal(api.requests[0].url, '/v1/webhooks/wh_1/deliveries/del%2F2');
    const url = new URL(api.requests[1].url, 'http://x');
    assert.equal(url.pathname, '/v1/resources');
    assert.equal(url.searchParams.get('per_page'), '5');
    assert.equal(url.searchParams.get('filter[status]'), 'active');
    assert.equal(url.searchParams.get('sort'), '-created_at,name');
    assert.equal(url.searchParams.get('search'), 'a b');
  });

  it('sends tenant context as X-Workspace-ID / X-Namespace-ID, per call or by default', async () => {
    const { api, client } = await setup([{ status: 200, body: listBody([], null) }], { namespaceId: 'ns_default' });
    await client.namespaces.list({ workspace_id: 'wks_9' });
    await client.resources.list({ namespaceId: 'ns_2' });
    await client.resources.list();
    assert.equal(api.requests[0].headers['x-workspace-id'], 'wks_9');
    assert.equal(api.requests[0].headers['x-namespace-id'], 'ns_default');
    assert.equal(api.requests[1].headers['x-namespace-id'], 'ns_2');
    assert.equal(api.requests[2].headers['x-namespace-id'], 'ns_default');
    assert.equal(new URL(api.requests[0].url, 'http://x').search, '');
  });

  it('accepts a base URL with the stage and /v1, and sends no credentials to public routes', async () => {
    const { api } = await setup([{ status: 200, body: { access_token: 'at', refresh_token: 'rt', token_type: 'Bearer', expires_in: 3600 } }]);
    const client = new Client('sk_test_abc', { baseUrl: `${api.url}/api/v1/` });
    client.core.sleep = async () => {};
    const tokens = await client.auth.login({ email: 'a@example.com', password: 'pw' });
    assert.equal(api.requests[0].url, '/api/v1/auth/login');
    assert.equal(api.requests[0].headers.authorization, undefined);
    assert.equal(api.requests[0].headers['idempotency-key'], undefined, 'session routes are not replayable');
    assert.equal(tokens.access_token, 'at', 'a body that is not an envelope is returned whole');
  });

  it('resolves a 204 to null and reads rate-limit headers in epoch seconds', async () => {
    const reset = Math.floor(Date.now() / 1000) + 42;
    const { client } = await setup([
      { status: 204, headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '59', 'X-RateLimit-Reset': String(reset) } },
    ]);
    assert.equal(await client.resources.delete('res_1'), null);
    const limits = parseRateLimit(
      new Headers({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset': String(reset) }),
    );
    assert.deepEqual({ ...limits, resetAt: undefined }, { limit: 60, remaining: 3, reset, resetAt: undefined });
    assert.equal(limits.resetAt.getTime(), reset * 1000);
    assert.ok(Math.abs(limits.resetAt.getTime() - Date.now() - 42_000) < 2_000, 'not 1000 times too far away');
  });

  it('sends an optional body when given, and an empty object when not', async () => {
    const rotated = { id: 'wh_1', secret: 'whsec_new', previous_secret_expires_at: null };
    const { api, client } = await setup([{ status: 200, body: { data: rotated } }]);
    assert.equal((await client.webhooks.rotateSecret('wh_1', { grace_period_seconds: 60 })).secret, 'whsec_new');
    await client.webhooks.rotateSecret('wh_1');
    assert.deepEqual(api.requests[0].body, { grace_period_seconds: 60 });
    assert.deepEqual(api.requests[1].body, {});
    assert.equal(api.requests[1].url, '/v1/webhooks/wh_1/rotate-secret');
  });

  it('refuses a call without its path parameter', async () => {
    const { client } = await setup([{ status: 200, body: { data: ws } }]);
    await assert.rejects(client.workspaces.get(''), TypeError);
  });
});

describe('errors', () => {
  const cases = [
    [400, 'invalid_request', ValidationError],
    [401, 'authentication_required', AuthenticationError],
    [403, 'insufficient_permissions', PermissionDeniedError],
    [404, 'resource_not_found', NotFoundError],
    [409, 'conflict', ConflictError],
    [422, 'idempotency_key_mismatch', ValidationError],
    [405, 'method_not_allowed', ApiError],
  ];
  for (const [status, code, Kind] of cases) {
    it(`${status} ${code} is a ${Kind.name}`, async () => {
      const { api, client } = await setup([
        { status, body: errorBody(code, 'Nope', { details: { name: ['Field required'] } }), headers: { 'X-Request-Id': 'req_h' } },
      ]);
      const error = await client.resources.create({ name: 'x' }).catch((e) => e);
      assert.ok(error instanceof Kind, error);
      assert.ok(error instanceof ApiError);
      assert.equal(error.name, Kind.name);
      assert.equal(error.status, status);
      assert.equal(error.code, code);
      assert.equal(error.message, 'Nope');
      assert.deepEqual(error.details, { name: ['Field required'] });
      assert.equal(error.requestId, 'req_test');
      assert.equal(error.request_id, 'req_test');
      assert.equal(api.requests.length, 1, 'a 4xx is not retried');
    });
  }

  it('keeps a body that is not the envelope', async () => {
    const { client } = await setup([{ status: 502, body: 'Bad Gateway', headers: { 'Content-Type': 'text/plain', 'X-Request-Id': 'req_gw' } }], {
      maxRetries: 0,
    });
    const error = await client.users.me().catch((e) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 'http_502');
    assert.equal(error.body, 'Bad Gateway');
    assert.equal(error.requestId, 'req_gw');
  });
});

describe('retries', () => {
  it('retries a 429 after Retry-After, then succeeds, with the same Idempotency-Key', async () => {
    const { api, client, waits } = await setup([
      { status: 429, body: errorBody('rate_limit_exceeded', 'Slow down', { retry_after: 2 }), headers: { 'Retry-After': '2' } },
      { status: 201, body: { data: { id: 'res_1', name: 'r' } } },
    ]);
    const resource = await client.resources.create({ name: 'r' });
    assert.equal(resource.id, 'res_1');
    assert.equal(api.requests.length, 2);
    assert.deepEqual(waits, [2000]);
    const keys = api.requests.map((r) => r.headers['idempotency-key']);
    assert.ok(keys[0]);
    assert.equal(keys[0], keys[1], 'a retry reuses the key, so it never creates twice');
  });

  it('throws RateLimitError at once when Retry-After is beyond the maximum wait', async () => {
    const reset = Math.floor(Date.now() / 1000) + 50;
    const { api, client, waits } = await setup(
      [
        {
          status: 429,
          body: errorBody('rate_limit_exceeded', 'Rate limit exceeded', { retry_after: 50 }),
          headers: { 'Retry-After': '50', 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) },
        },
      ],
      { maxRetryWait: 10_000 },
    );
    const error = await client.users.me().catch((e) => e);
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.retryAfter, 50);
    assert.equal(error.retry_after, 50);
    assert.equal(error.reset, reset);
    assert.equal(error.rateLimit.remaining, 0);
    assert.equal(api.requests.length, 1);
    assert.deepEqual(waits, []);
  });

  it('without Retry-After, a 429 waits until X-RateLimit-Reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 5;
    const { client, waits } = await setup([
      { status: 429, body: errorBody('rate_limit_exceeded', 'Slow down'), headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) } },
      { status: 200, body: { data: { id: 'usr_1' } } },
    ]);
    await client.users.me();
    assert.equal(waits.length, 1);
    assert.ok(waits[0] > 3000 && waits[0] <= 6000, `${waits[0]} ms, not 1000 times more`);
  });

  it('never shows the credential when the client is printed', async () => {
    const { client } = await setup([{ status: 200, body: { data: {} } }]);
    const { inspect } = await import('node:util');
    assert.ok(!inspect(client, { depth: 5 }).includes('sk_test_abc'));
    assert.equal(client.core.credential, 'sk_test_abc');
    client.setCredential('at_2');
    assert.equal(client.core.credential, 'at_2');
  });

  it('retries 5xx with exponential backoff and full jitter, up to maxRetries', async () => {
    const { api, client, waits } = await setup([{ status: 503, body: errorBody('internal_server_error', 'Down') }]);
    client.core.random = () => 1; // the top of each jitter range
    const error = await client.users.me().catch((e) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(api.requests.length, 4, 'the first attempt and 3 retries');
    assert.deepEqual(waits, [500, 1000, 2000]);
    client.core.random = () => 0.25;
    assert.equal(client.core.backoff(0), 125);
    client.core.random = () => 1;
    assert.equal(client.core.backoff(10), 8000, 'capped at 8 s');
  });

  it('retries a 500 then succeeds; a mutating call keeps its key', async () => {
    const { api, client } = await setup([
      { status: 500, body: errorBody('internal_server_error', 'Oops') },
      { status: 200, body: { data: { id: 'res_1', name: 'n' } } },
    ]);
    await client.resources.update('res_1', { name: 'n' });
    assert.equal(api.requests.length, 2);
    assert.equal(api.requests[0].headers['idempotency-key'], api.requests[1].headers['idempotency-key']);
  });

  it('retries a dropped connection, and throws ApiConnectionError when it keeps failing', async () => {
    const flaky = await setup([{ destroy: true }, { status: 200, body: { data: { id: 'usr_1' } } }]);
    assert.equal((await flaky.client.users.me()).id, 'usr_1');
    assert.equal(flaky.api.requests.length, 2);

    const down = await setup([{ destroy: true }], { maxRetries: 2 });
    const error = await down.client.users.me().catch((e) => e);
    assert.ok(error instanceof ApiConnectionError, error);
    assert.equal(error.status, 0);
    assert.equal(error.code, 'connection_error');
    assert.match(error.message, /^GET \/v1\/users\/me: /);
    assert.equal(down.api.requests.length, 3);
  });

  it('times out per attempt', async () => {
    const { api, client } = await setup([{ status: 200, delay: 500, body: { data: {} } }], { timeout: 50, maxRetries: 1 });
    const error = await client.users.me().catch((e) => e);
    assert.ok(error instanceof ApiTimeoutError, error);
    assert.equal(error.code, 'timeout');
    assert.equal(api.requests.length, 2);
  });

  it('retries an Idempotency-Key still in use (409 with Retry-After)', async () => {
    const { api, client, waits } = await setup([
      { status: 409, body: errorBody('idempotency_key_in_use', 'In progress'), headers: { 'Retry-After': '1' } },
      { status: 201, body: { data: { id: 'res_1' } } },
    ]);
    await client.resources.create({ name: 'r' });
    assert.equal(api.requests.length, 2);
    assert.deepEqual(waits, [1000]);
  });

  it('does not retry a plain conflict, nor a session route after a 5xx', async () => {
    const conflict = await setup([{ status: 409, body: errorBody('conflict', 'Taken') }]);
    await assert.rejects(conflict.client.workspaces.create({ name: 'x' }), ConflictError);
    assert.equal(conflict.api.requests.length, 1);

    const session = await setup([{ status: 500, body: errorBody('internal_server_error', 'Oops') }]);
    await assert.rejects(session.client.auth.refresh({ refresh_token: 'rt' }), ServerError);
    assert.equal(session.api.requests.length, 1, 'a refresh might have rotated the token: never repeated');
  });

  it('honours maxRetries: 0 per call', async () => {
    const { api, client } = await setup([{ status: 503, body: errorBody('internal_server_error', 'Down') }]);
    await assert.rejects(client.users.me({ maxRetries: 0 }), ServerError);
    assert.equal(api.requests.length, 1);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7);
    assert.equal(parseRetryAfter(null), null);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30);
  });
});

describe('pagination', () => {
  const items = Array.from({ length: 7 }, (_, i) => ({ id: `res_${i}`, name: `r${i}` }));
  const pages = (request) => {
    const url = new URL(request.url, 'http://x');
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const size = Number(url.searchParams.get('per_page') ?? 3);
    const next = start + size < items.length ? String(start + size) : null;
    return { status: 200, body: listBody(items.slice(start, start + size), next, { page: url.searchParams.get('cursor') ? null : 1 }) };
  };

  it('awaits to the first page, with meta and links', async () => {
    const { api, client } = await setup(pages);
    const page = await client.resources.list({ per_page: 3 });
    assert.ok(page instanceof Page);
    assert.deepEqual(page.data.map((r) => r.id), ['res_0', 'res_1', 'res_2']);
    assert.equal(page.meta.next_cursor, '3');
    assert.equal(page.nextCursor, '3');
    assert.ok(page.hasNextPage());
    assert.equal(page.$response.status, 200);
    assert.equal(api.requests.length, 1);
    const second = await page.nextPage();
    assert.deepEqual(second.data.map((r) => r.id), ['res_3', 'res_4', 'res_5']);
  });

  it('iterates every item across pages with the cursor, keeping the query and dropping page', async () => {
    const { api, client } = await setup(pages);
    const seen = [];
    for await (const resource of client.resources.list({ per_page: 3, page: 1, 'filter[status]': 'active' })) seen.push(resource.id);
    assert.deepEqual(seen, items.map((r) => r.id));
    assert.equal(api.requests.length, 3);
    const urls = api.requests.map((r) => new URL(r.url, 'http://x').searchParams);
    assert.equal(urls[0].get('page'), '1');
    assert.equal(urls[0].get('cursor'), null);
    for (const later of urls.slice(1)) {
      assert.equal(later.get('page'), null, 'never page together with cursor');
      assert.equal(later.get('filter[status]'), 'active');
      assert.equal(later.get('per_page'), '3');
    }
    assert.deepEqual(urls.slice(1).map((u) => u.get('cursor')), ['3', '6']);
  });

  it('shares the first page between await and iteration; toArray and pages()', async () => {
    const { api, client } = await setup(pages);
    const list = client.resources.list({ per_page: 3 });
    const first = await list;
    assert.equal(first.data.length, 3);
    const all = await list.toArray();
    assert.equal(all.length, 7);
    assert.equal(api.requests.length, 3, 'the first page was not fetched twice');
    const sizes = [];
    for await (const page of client.resources.list({ per_page: 3 }).pages()) sizes.push(page.data.length);
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.equal((await client.resources.list({ per_page: 3 }).toArray(4)).length, 4);
  });

  it('sends nothing until awaited or iterated', async () => {
    const { api, client } = await setup(pages);
    client.resources.list();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(api.requests.length, 0);
  });
});
