/**
 * The hand-written core every generated method goes through: URL and headers, JSON, retries with backoff and
 * jitter, Idempotency-Key reuse, errors, rate-limit headers and pagination.
 */
import { randomUUID } from 'node:crypto';

import { ApiConnectionError, ApiError, ApiTimeoutError, errorClassFor, type RateLimit } from './errors.js';
import type { RouteSpec } from './generated.js';
import { Page, PageIterator, type ListResponse } from './pagination.js';
import { USER_AGENT } from './version.js';

/** What a call answers with besides its data (non-enumerable `$response` on every returned object). */
export interface ResponseInfo {
  status: number;
  headers: Headers;
  /** X-Request-Id. */
  requestId: string | null;
  rateLimit: RateLimit | null;
  /** The raw JSON body, envelope included. */
  body: unknown;
  /** The API answered from an earlier request with the same Idempotency-Key (Idempotent-Replayed: true). */
  replayed: boolean;
  /** The Idempotency-Key this call sent, if any. */
  idempotencyKey: string | null;
}

/** A response object: the API's JSON with attribute access, and `$response` for the status, headers and raw body. */
export type Model<T> = T & { readonly $response: ResponseInfo };

/** Per-call options, next to a route's own query parameters (`params`) or after its body (`options`). */
export interface CallOptions {
  /** The Idempotency-Key of a mutating call (default: a new UUID per call, reused by its retries). */
  idempotencyKey?: string;
  /** Tenant context: sent as X-Workspace-ID (so is a route's `workspace_id` parameter). */
  workspaceId?: string;
  /** Tenant context: sent as X-Namespace-ID (so is a route's `namespace_id` parameter). */
  namespaceId?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Per-attempt timeout, milliseconds. */
  timeout?: number;
  maxRetries?: number;
  /** The longest Retry-After the client waits for, milliseconds; a longer one throws RateLimitError at once. */
  maxRetryWait?: number;
  signal?: AbortSignal;
}

export interface ClientOptions {
  /**
   * Where the API is: `https://<api-id>.execute-api.<region>.amazonaws.com/api`, `https://api.example.com` or
   * `http://127.0.0.1:3000` (a trailing `/v1` is accepted too). Default: $CORE_PHP_BASE_URL, else
   * http://127.0.0.1:3000 (`make run`).
   */
  baseUrl?: string;
  /** Retries after the first attempt, on network errors, 429 and 5xx (default 3). */
  maxRetries?: number;
  /** Per-attempt timeout, milliseconds (default 30,000). */
  timeout?: number;
  /** The longest Retry-After honoured, milliseconds (default 60,000); beyond it RateLimitError is thrown. */
  maxRetryWait?: number;
  /** Backoff: the first retry waits up to this, doubling per attempt (full jitter), milliseconds (default 500). */
  retryBaseDelay?: number;
  /** Backoff cap, milliseconds (default 8,000). */
  retryMaxDelay?: number;
  /** Default tenant context for every call (X-Workspace-ID). */
  workspaceId?: string;
  /** Default tenant context for every call (X-Namespace-ID). */
  namespaceId?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (default: the global fetch of Node 18+). */
  fetch?: typeof fetch;
}

/** What generated code calls. */
export interface Transport {
  call(route: RouteSpec, pathArgs: string[], body: unknown, params: object): Promise<unknown>;
  paginate(route: RouteSpec, pathArgs: string[], body: unknown, params: object): PageIterator<unknown>;
}

const OPTION_KEYS = new Set([
  'idempotencyKey',
  'workspaceId',
  'namespaceId',
  'headers',
  'timeout',
  'maxRetries',
  'maxRetryWait',
  'signal',
]);
const TENANT_PARAMS: Record<string, string> = { workspace_id: 'X-Workspace-ID', namespace_id: 'X-Namespace-ID' };
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

interface Received {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

interface Sent {
  status: number;
  headers: Headers;
  body: unknown;
  info: ResponseInfo;
}

function defaultBaseUrl(): string {
  const fromEnv = typeof process !== 'undefined' ? process.env?.CORE_PHP_BASE_URL : undefined;
  return fromEnv || 'http://127.0.0.1:3000';
}

/** X-RateLimit-Limit / -Remaining / -Reset (epoch seconds), or null where absent. */
export function parseRateLimit(headers: Headers): RateLimit | null {
  const limit = headers.get('x-ratelimit-limit');
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  if (limit === null || remaining === null || reset === null) return null;
  const resetSeconds = Number(reset);
  return {
    limit: Number(limit),
    remaining: Number(remaining),
    reset: resetSeconds,
    resetAt: new Date(resetSeconds * 1000), // epoch seconds: not the milliseconds document 004's snippet assumes
  };
}

/** Retry-After in seconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function attach<T>(data: T, info: ResponseInfo): T {
  if (data !== null && typeof data === 'object') {
    Object.defineProperty(data, '$response', { value: info, enumerable: false, configurable: true });
  }
  return data;
}

export class HttpCore implements Transport {
  readonly baseUrl: string;
  readonly maxRetries: number;
  readonly timeout: number;
  readonly maxRetryWait: number;
  readonly retryBaseDelay: number;
  readonly retryMaxDelay: number;
  #credential: string | null; // private: never printed with the client
  private readonly defaults: ClientOptions;
  private readonly fetchImpl: typeof fetch;
  /** For tests: the random source of the jitter and the clock of the backoff. */
  random: () => number = Math.random;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = sleep;

  constructor(credential: string | null | undefined, options: ClientOptions = {}) {
    this.#credential = credential || null;
    this.defaults = options;
    this.baseUrl = (options.baseUrl || defaultBaseUrl()).replace(/\/+$/, '').replace(/\/v1$/, '');
    this.maxRetries = options.maxRetries ?? 3;
    this.timeout = options.timeout ?? 30_000;
    this.maxRetryWait = options.maxRetryWait ?? 60_000;
    this.retryBaseDelay = options.retryBaseDelay ?? 500;
    this.retryMaxDelay = options.retryMaxDelay ?? 8_000;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new Error('@core-php/sdk needs a global fetch (Node 18+) or options.fetch');
    this.fetchImpl = fetchImpl;
  }

  /** The API key or access token (null: only the public routes work). */
  get credential(): string | null {
    return this.#credential;
  }

  set credential(value: string | null) {
    this.#credential = value || null;
  }

  /** One call: resolves to the envelope's `data` (or the body) with `$response`; 204 resolves to null. */
  async call(route: RouteSpec, pathArgs: string[], body: unknown, params: object = {}): Promise<unknown> {
    const sent = await this.send(route, pathArgs, body, params as Record<string, unknown>);
    if (route.kind === 'none' || sent.status === 204 || sent.body === null || sent.body === undefined) return null;
    const data = route.unwrap ? (sent.body as { data: unknown }).data : sent.body;
    return attach(data, sent.info);
  }

  /** A list call: await it for the first page, iterate it for every item (following `meta.next_cursor`). */
  paginate(route: RouteSpec, pathArgs: string[], body: unknown, params: object = {}): PageIterator<unknown> {
    const first = { ...(params as Record<string, unknown>) };
    const fetchPage = async (cursor?: string): Promise<Page<unknown>> => {
      let query = first;
      if (cursor !== undefined) {
        query = { ...first, cursor };
        delete query.page; // a cursor carries the position; `page` with it is a 400
      }
      const sent = await this.send(route, pathArgs, body, query);
      return new Page(sent.body as ListResponse<unknown>, sent.info, fetchPage);
    };
    return new PageIterator(() => fetchPage());
  }

  /** Sends a route with retries; resolves to the decoded 2xx response, throws ApiError otherwise. */
  async send(route: RouteSpec, pathArgs: string[], body: unknown, params: Record<string, unknown>): Promise<Sent> {
    const options: CallOptions = {};
    const query = new URLSearchParams();
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
      ...(this.defaults.headers ?? {}),
    };
    if (this.defaults.workspaceId) headers['X-Workspace-ID'] = this.defaults.workspaceId;
    if (this.defaults.namespaceId) headers['X-Namespace-ID'] = this.defaults.namespaceId;
    for (const [name, value] of Object.entries(params ?? {})) {
      if (OPTION_KEYS.has(name)) {
        (options as Record<string, unknown>)[name] = value;
      } else if (value === undefined || value === null) {
        continue;
      } else if (TENANT_PARAMS[name]) {
        headers[TENANT_PARAMS[name]] = String(value);
      } else {
        query.append(name, Array.isArray(value) ? value.join(',') : value instanceof Date ? value.toISOString() : String(value));
      }
    }
    if (options.workspaceId) headers['X-Workspace-ID'] = options.workspaceId;
    if (options.namespaceId) headers['X-Namespace-ID'] = options.namespaceId;
    Object.assign(headers, options.headers ?? {});
    // Public routes (register, login, refresh, health) go without credentials.
    if (route.auth !== 'none' && this.#credential) headers.Authorization = `Bearer ${this.#credential}`;
    let payload: string | undefined;
    if (body !== undefined && body !== null) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    } else if (route.hasBody && route.mutating) {
      payload = '{}';
      headers['Content-Type'] = 'application/json';
    }
    const idempotencyKey = route.replayable
      ? options.idempotencyKey || headers['Idempotency-Key'] || randomUUID()
      : null;
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;

    let path = route.path;
    route.pathParams.forEach((name, index) => {
      const value = pathArgs[index];
      if (value === undefined || value === null || value === '') {
        throw new TypeError(`${route.name}: the path parameter ${name} is required`);
      }
      path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    });
    const search = query.toString();
    const url = `${this.baseUrl}${path}${search ? `?${search}` : ''}`;

    const maxRetries = options.maxRetries ?? this.maxRetries;
    const timeout = options.timeout ?? this.timeout;
    const maxRetryWait = options.maxRetryWait ?? this.maxRetryWait;
    // Session routes (login, refresh, logout) are not replayable: a retry after the API acted could act twice, so
    // they are retried only where the API refused them before running (429).
    const safeToRepeat = !route.mutating || route.replayable;

    for (let attempt = 0; ; attempt++) {
      let response: Received;
      try {
        response = await this.fetchOnce(url, route.httpMethod, headers, payload, timeout, options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        if (safeToRepeat && attempt < maxRetries) {
          await this.sleep(this.backoff(attempt), options.signal);
          continue;
        }
        const Kind = timedOut ? ApiTimeoutError : ApiConnectionError;
        const reason = (error as { cause?: { message?: string } })?.cause?.message;
        const detail = `${(error as Error)?.message || 'connection failed'}${reason ? ` (${reason})` : ''}`;
        throw new Kind({
          status: 0,
          code: timedOut ? 'timeout' : 'connection_error',
          message: `${route.httpMethod} ${path}: ${timedOut ? `no response within ${timeout} ms` : detail}`,
          cause: error,
        });
      }
      const text = response.text;
      let decoded: unknown = null;
      if (text) {
        try {
          decoded = JSON.parse(text);
        } catch {
          decoded = text;
        }
      }
      const info: ResponseInfo = {
        status: response.status,
        headers: response.headers,
        requestId: response.headers.get('x-request-id'),
        rateLimit: parseRateLimit(response.headers),
        body: decoded,
        replayed: response.headers.get('idempotent-replayed') === 'true',
        idempotencyKey,
      };
      if (response.status >= 200 && response.status < 300) return { status: response.status, headers: response.headers, body: decoded, info };

      const error = this.errorFrom(response, decoded, info);
      const retryable =
        attempt < maxRetries &&
        (RETRY_STATUSES.has(response.status) || error.code === 'idempotency_key_in_use') &&
        (safeToRepeat || response.status === 429);
      if (!retryable) throw error;
      let wait = this.backoff(attempt);
      if (error.retryAfter !== null && (response.status === 429 || response.status === 503 || response.status === 409)) {
        const asked = error.retryAfter * 1000;
        if (asked > maxRetryWait) throw error; // longer than the caller will wait: let them decide
        wait = asked;
      }
      await this.sleep(wait, options.signal);
    }
  }

  /** Full jitter: uniform in [0, min(cap, base * 2^attempt)]. */
  backoff(attempt: number): number {
    return this.random() * Math.min(this.retryMaxDelay, this.retryBaseDelay * 2 ** attempt);
  }

  private async fetchOnce(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeout: number,
    signal?: AbortSignal,
  ): Promise<Received> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const error = new Error(`timed out after ${timeout} ms`);
      error.name = 'TimeoutError';
      controller.abort(error);
    }, timeout);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.fetchImpl(url, { method, headers, body, signal: controller.signal });
      // The body is read under the same timeout.
      const text = await response.text();
      return { status: response.status, statusText: response.statusText, headers: response.headers, text };
    } catch (error) {
      if (controller.signal.aborted && !signal?.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private errorFrom(response: Received, decoded: unknown, info: ResponseInfo): ApiError {
    const envelope =
      decoded && typeof decoded === 'object' && 'error' in decoded
        ? ((decoded as { error: Record<string, unknown> }).error ?? {})
        : {};
    let retryAfter =
      parseRetryAfter(response.headers.get('retry-after')) ??
      (typeof envelope.retry_after === 'number' ? envelope.retry_after : null);
    if (retryAfter === null && response.status === 429 && info.rateLimit) {
      retryAfter = Math.max(0, Math.ceil(info.rateLimit.reset - Date.now() / 1000)); // until the window resets
    }
    const Kind = errorClassFor(response.status);
    return new Kind({
      status: response.status,
      code: typeof envelope.code === 'string' ? envelope.code : `http_${response.status}`,
      message:
        typeof envelope.message === 'string'
          ? envelope.message
          : `${response.status} ${response.statusText || 'error'}`.trim(),
      details: (envelope.details as Record<string, unknown>) ?? {},
      requestId: (typeof envelope.request_id === 'string' ? envelope.request_id : null) ?? info.requestId,
      headers: response.headers,
      body: decoded,
      rateLimit: info.rateLimit,
      retryAfter,
    });
  }
}
