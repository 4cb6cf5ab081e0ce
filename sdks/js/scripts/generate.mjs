#!/usr/bin/env node
// Writes src/generated.ts — the per-route surface of the SDK — from the route table (sdks/routes.json, written by
// `python -m sdks.routes --write`) and the models of the OpenAPI document (functions/docs/openapi.json).
//
//   node scripts/generate.mjs           write src/generated.ts
//   node scripts/generate.mjs --check   exit 1 when src/generated.ts is not what this script would write
//
// Nothing in src/generated.ts is edited by hand: a new route in routes.json becomes a method here on the next run,
// and the drift check (test/generated.test.mjs, tests/sdks/test_js_sdk.py) fails until it is regenerated.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SDK = join(HERE, '..');
const ROOT = join(SDK, '..', '..');
export const ROUTES_PATH = join(ROOT, 'sdks', 'routes.json');
export const DOCUMENT_PATH = join(ROOT, 'functions', 'docs', 'openapi.json');
export const OUTPUT_PATH = join(SDK, 'src', 'generated.ts');

const camel = (text) => text.replace(/[-_]+([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = (text) => {
  const c = camel(text);
  return c.charAt(0).toUpperCase() + c.slice(1);
};
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));
const refName = (ref) => ref.split('/').pop();

function comment(text, indent) {
  const lines = String(text || '')
    .replace(/\*\//g, '*\\/')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l || (i > 0 && i < all.length - 1));
  if (!lines.length) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/** A TypeScript type for a JSON Schema (OpenAPI 3.1). */
export function tsType(schema, indent = '') {
  if (schema === true || schema === undefined || schema === null) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref) return refName(schema.$ref);
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf || schema.oneOf;
  if (union) return [...new Set(union.map((s) => wrap(tsType(s, indent))))].join(' | ');
  if (schema.allOf) return [...new Set(schema.allOf.map((s) => wrap(tsType(s, indent))))].join(' & ');
  if (Array.isArray(schema.type)) {
    return schema.type.map((t) => wrap(tsType({ ...schema, type: t }, indent))).join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${tsType(schema.items, indent)}>`;
    case 'object':
    case undefined: {
      if (schema.properties && Object.keys(schema.properties).length) return objectType(schema, indent);
      if (schema.type === undefined && !schema.additionalProperties) return 'unknown';
      const extra = schema.additionalProperties;
      return `Record<string, ${extra && extra !== true ? tsType(extra, indent) : 'unknown'}>`;
    }
    default:
      return 'unknown';
  }
}

const wrap = (t) => (/[|&]/.test(t) && !/^[{A]/.test(t) ? `(${t})` : t);

function objectType(schema, indent) {
  const required = new Set(schema.required || []);
  const inner = `${indent}  `;
  const lines = Object.entries(schema.properties).map(
    ([name, prop]) =>
      `${comment(prop.description, inner)}${inner}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(prop, inner)};`,
  );
  const extra = schema.additionalProperties;
  if (extra && extra !== false) lines.push(`${inner}[key: string]: ${extra === true ? 'unknown' : 'unknown'};`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function modelDeclaration(name, schema) {
  const doc = comment(schema.description, '');
  if ((schema.type === 'object' || schema.properties) && schema.properties) {
    return `${doc}export interface ${name} ${objectType(schema, '')}\n`;
  }
  return `${doc}export type ${name} = ${tsType(schema, '')};\n`;
}

/** What a route's call resolves to: the envelope's `data` where the body is `{data}` only, else the body. */
function responseShape(route, schemas) {
  const { kind, schema } = route.response;
  if (kind === 'none') return { type: 'null', unwrap: false };
  if (!schema) return { type: 'Record<string, unknown>', unwrap: false };
  const component = schemas[schema] || {};
  const props = component.properties || {};
  if (kind === 'list') return { type: tsType(props.data?.items), unwrap: true };
  if (Object.keys(props).length === 1 && props.data) return { type: tsType(props.data), unwrap: true };
  return { type: schema, unwrap: false };
}

function bodyType(route, requestSchemas) {
  const body = route.body;
  if (!body) return null;
  if (body.schema) return body.schema;
  // A body the table could not name (e.g. `anyOf: [{$ref}, {type: null}]`): the document's own schema.
  const documented = requestSchemas.get(route.operation_id);
  if (documented) return tsType(documented, '  ');
  return objectType(
    {
      properties: Object.fromEntries(body.properties.map((p) => [p.name, { ...p.schema, description: p.description }])),
      required: body.properties.filter((p) => p.required).map((p) => p.name),
    },
    '',
  );
}

export function generate(routes, document) {
  const schemas = document.components?.schemas || {};
  const requestSchemas = new Map();
  for (const operations of Object.values(document.paths || {})) {
    for (const operation of Object.values(operations)) {
      const schema = operation?.requestBody?.content?.['application/json']?.schema;
      if (operation?.operationId && schema) requestSchemas.set(operation.operationId, schema);
    }
  }
  const out = [];
  out.push(
    '// GENERATED by scripts/generate.mjs from sdks/routes.json and functions/docs/openapi.json: do not edit.',
    '// Regenerate with `make sdks` (or `npm run generate` in sdks/js); a drift test fails while this file is stale.',
    '/* eslint-disable */',
    "import type { CallOptions, Model, Transport } from './core.js';",
    "import type { PageIterator } from './pagination.js';",
    '',
    `/** The API document's version this surface was generated from. */`,
    `export const API_VERSION = ${JSON.stringify(document.info?.version ?? '')};`,
    '',
    '// ---------------------------------------------------------------------------------------------- models',
    '',
  );
  for (const name of Object.keys(schemas).sort()) out.push(modelDeclaration(name, schemas[name]));

  // Route metadata the core uses to send each call.
  out.push(
    '// ---------------------------------------------------------------------------------------------- routes',
    '',
    '/** One operation of the API, as the core sends it. */',
    'export interface RouteSpec {',
    '  operationId: string;',
    '  /** The client path, e.g. "webhooks.deliveries.retry". */',
    '  name: string;',
    '  httpMethod: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";',
    '  path: string;',
    '  pathParams: readonly string[];',
    '  queryParams: readonly string[];',
    '  hasBody: boolean;',
    '  kind: "object" | "list" | "none";',
    '  /** The response body is `{data}`: the call resolves to `data`. */',
    '  unwrap: boolean;',
    '  mutating: boolean;',
    '  /** An Idempotency-Key is sent (and reused across retries). */',
    '  replayable: boolean;',
    '  auth: "none" | "bearer";',
    '}',
    '',
    'export const ROUTES = {',
  );
  const shapes = new Map();
  for (const route of routes) {
    const shape = responseShape(route, schemas);
    shapes.set(route.operation_id, shape);
    const spec = {
      operationId: route.operation_id,
      name: [...route.group.map(camel), camel(route.method)].join('.'),
      httpMethod: route.http_method,
      path: route.path,
      pathParams: route.path_params,
      queryParams: route.query_params.map((q) => q.name),
      hasBody: Boolean(route.body),
      kind: route.response.kind,
      unwrap: shape.unwrap,
      mutating: route.mutating,
      replayable: route.replayable,
      auth: route.auth,
    };
    out.push(`  ${key(route.operation_id)}: ${JSON.stringify(spec)},`);
  }
  out.push('} as const satisfies Record<string, RouteSpec>;', '');

  // Query parameter types, one per route that has any.
  out.push('// ---------------------------------------------------------------------------------------------- parameters', '');
  for (const route of routes) {
    if (!route.query_params.length) continue;
    const lines = route.query_params.map(
      (q) => `${comment(q.description, '  ')}  ${key(q.name)}${q.required ? '' : '?'}: ${tsType(q.schema, '  ')};`,
    );
    out.push(`/** Query parameters of \`${route.http_method} ${route.path}\`. */`);
    out.push(`export interface ${pascal(route.operation_id)}Params {\n${lines.join('\n')}\n}\n`);
  }

  // The group tree: ["webhooks", "deliveries"] -> client.webhooks.deliveries
  const tree = { children: new Map(), routes: [], path: [] };
  for (const route of routes) {
    let node = tree;
    for (const segment of route.group) {
      if (!node.children.has(segment)) {
        node.children.set(segment, { children: new Map(), routes: [], path: [...node.path, segment] });
      }
      node = node.children.get(segment);
    }
    node.routes.push(route);
  }

  out.push('// ---------------------------------------------------------------------------------------------- groups', '');
  const classes = [];
  const className = (path) => (path.length ? `${path.map(pascal).join('')}Api` : 'ApiGroups');
  const emit = (node) => {
    const lines = [];
    const own = className(node.path);
    if (schemas[own]) throw new Error(`the group class ${own} would shadow the model of that name`);
    const label = node.path.length ? `client.${node.path.map(camel).join('.')}` : 'the client';
    lines.push(`/** ${node.path.length ? `\`${label}\`` : 'The route groups of the API.'} */`);
    lines.push(`export class ${own} {`);
    const children = [...node.children.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [segment, child] of children) lines.push(`  readonly ${camel(segment)}: ${className(child.path)};`);
    lines.push('  /** @internal */', '  protected readonly _transport: Transport;', '');
    lines.push('  constructor(transport: Transport) {', '    this._transport = transport;');
    for (const [segment, child] of children) lines.push(`    this.${camel(segment)} = new ${className(child.path)}(transport);`);
    lines.push('  }');
    const names = new Set(children.map(([s]) => camel(s)));
    for (const route of [...node.routes].sort((a, b) => a.method.localeCompare(b.method))) {
      const method = camel(route.method);
      if (names.has(method)) throw new Error(`${route.operation_id}: ${label}.${method} is also a group`);
      names.add(method);
      const shape = shapes.get(route.operation_id);
      const args = route.path_params.map((p) => `${camel(p)}: string`);
      const params = route.query_params.length ? `${pascal(route.operation_id)}Params & CallOptions` : 'CallOptions';
      const body = bodyType(route, requestSchemas);
      if (body) args.push(`body${route.body.required ? '' : '?'}: ${body}`);
      args.push(`${route.body ? 'options' : 'params'}: ${params} = {}`);
      const pathArgs = `[${route.path_params.map(camel).join(', ')}]`;
      const doc = [
        route.summary || route.operation_id,
        '',
        `\`${route.http_method} ${route.path}\` (${route.operation_id})${route.auth === 'none' ? ', no credentials needed' : ''}.`,
      ];
      if (route.response.kind === 'list') {
        doc.push('Await it for the first page; iterate it (`for await`) for every item, page after page.');
      }
      if (route.replayable) doc.push('Sends an Idempotency-Key (yours from `options.idempotencyKey`, else a new one) on every attempt.');
      lines.push('');
      lines.push(comment(doc.join('\n'), '  ').trimEnd());
      const returns =
        route.response.kind === 'list'
          ? `PageIterator<${shape.type}>`
          : route.response.kind === 'none'
            ? 'Promise<null>'
            : `Promise<Model<${shape.type}>>`;
      lines.push(`  ${method}(${args.join(', ')}): ${returns} {`);
      const callee = route.response.kind === 'list' ? 'paginate' : 'call';
      lines.push(
        `    return this._transport.${callee}(ROUTES.${route.operation_id}, ${pathArgs}, ${route.body ? 'body' : 'undefined'}, ${route.body ? 'options' : 'params'}) as ${returns};`,
      );
      lines.push('  }');
    }
    lines.push('}', '');
    classes.push(lines.join('\n'));
    for (const [, child] of children) emit(child);
  };
  emit(tree);
  out.push(...classes);
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

export function render() {
  const routes = JSON.parse(readFileSync(ROUTES_PATH, 'utf8'));
  const document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8'));
  return generate(routes, document);
}

function main(argv) {
  const text = render();
  const shown = relative(process.cwd(), OUTPUT_PATH) || OUTPUT_PATH;
  if (argv.includes('--check')) {
    if (!existsSync(OUTPUT_PATH) || readFileSync(OUTPUT_PATH, 'utf8') !== text) {
      console.error(`${shown} is out of date: run make sdks (or npm run generate in sdks/js)`);
      return 1;
    }
    return 0;
  }
  writeFileSync(OUTPUT_PATH, text);
  console.log(`wrote ${shown}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
