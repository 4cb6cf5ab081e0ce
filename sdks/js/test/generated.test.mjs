// The generated surface follows the route table and the OpenAPI document: no drift, and a method per route.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { Client, ROUTES } from '../dist/esm/index.js';
import { DOCUMENT_PATH, OUTPUT_PATH, ROUTES_PATH, generate, render } from '../scripts/generate.mjs';

const routes = JSON.parse(readFileSync(ROUTES_PATH, 'utf8'));
const document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8'));
const camel = (text) => text.replace(/[-_]+([a-z0-9])/g, (_, c) => c.toUpperCase());

function resolve(client, route) {
  let target = client;
  for (const segment of route.group) target = target?.[camel(segment)];
  return { group: target, method: target?.[camel(route.method)] };
}

describe('generated surface', () => {
  it('src/generated.ts is what the generator writes now (run `make sdks` when this fails)', () => {
    assert.equal(readFileSync(OUTPUT_PATH, 'utf8'), render(), 'src/generated.ts is stale: run make sdks');
  });

  it('every route of sdks/routes.json is a method of the client', () => {
    const client = new Client('sk_test', { baseUrl: 'http://127.0.0.1:9' });
    const missing = routes.filter((route) => typeof resolve(client, route).method !== 'function');
    assert.deepEqual(missing.map((r) => r.operation_id), []);
    for (const route of routes) {
      const spec = ROUTES[route.operation_id];
      assert.equal(spec.httpMethod, route.http_method);
      assert.equal(spec.path, route.path);
      assert.deepEqual(spec.pathParams, route.path_params);
      assert.equal(spec.replayable, route.replayable);
      assert.equal(spec.kind, route.response.kind);
      // path parameters are positional, then the body, then the options
      assert.equal(resolve(client, route).method.length, route.path_params.length + (route.body ? 1 : 0));
    }
  });

  it('every operation of the OpenAPI document has a method', () => {
    const excluded = new Set(['getSwaggerUi']); // the HTML page of the interactive docs
    const operations = Object.values(document.paths)
      .flatMap((methods) => Object.values(methods))
      .map((operation) => operation.operationId)
      .filter((id) => id && !excluded.has(id));
    assert.ok(operations.length >= 60, `${operations.length} operations`);
    assert.deepEqual(operations.filter((id) => !(id in ROUTES)), []);
  });

  it("document 004's groups are there", () => {
    const client = new Client('sk_test', { baseUrl: 'http://127.0.0.1:9' });
    for (const path of [
      'auth.login',
      'users.me',
      'workspaces.create',
      'organizations.list',
      'namespaces.list',
      'namespaces.packages.assign',
      'namespaces.entitlements.check',
      'packages.list',
      'apiKeys.create',
      'resources.batch',
      'webhooks.test',
      'webhooks.deliveries.list',
      'webhooks.deliveries.retry',
      'webhooks.rotateSecret',
      'usage.get',
    ]) {
      const method = path.split('.').reduce((target, name) => target?.[name], client);
      assert.equal(typeof method, 'function', path);
    }
  });

  it('a route added to the table becomes a method with no hand edit', () => {
    const recover = {
      ...routes.find((r) => r.operation_id === 'retryWebhookDelivery'),
      operation_id: 'replayWebhook',
      method: 'replay',
      group: ['webhooks'],
      path: '/v1/webhooks/{webhook_id}/replay',
      path_params: ['webhook_id'],
      summary: 'Replay failed deliveries since a time',
    };
    const admin = {
      ...routes.find((r) => r.operation_id === 'listUsers'),
      operation_id: 'listAdminTenants',
      method: 'list',
      group: ['admin', 'tenants'],
      path: '/v1/admin/tenants',
    };
    const text = generate([...routes, recover, admin], document);
    assert.match(text, /replay\(webhookId: string, params: ReplayWebhookParams & CallOptions = \{\}\): Promise<Model<DeliveryOut>>/);
    assert.match(text, /export class AdminTenantsApi \{/);
    assert.match(text, /readonly admin: AdminApi;/);
    assert.notEqual(text, render(), 'the drift check would fail until regenerated');
  });

  it('a changed model changes the types', () => {
    const changed = structuredClone(document);
    changed.components.schemas.ResourceOut.properties.colour = { type: 'string', description: 'New.' };
    assert.match(generate(routes, changed), /colour\?: string;/);
  });

  it('models are typed from the components', () => {
    const text = readFileSync(OUTPUT_PATH, 'utf8');
    assert.match(text, /export interface WorkspaceOut \{/);
    assert.match(text, /export interface ListMeta \{[\s\S]*?next_cursor: string \| null;/);
    assert.match(text, /export interface ErrorEnvelope \{/);
  });
});
