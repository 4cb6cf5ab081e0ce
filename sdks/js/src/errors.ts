/**
 * One error type, ApiError, with a subclass per status family. Every error the API sends is the envelope
 * `{"error": {"code", "message", "details", "request_id"}}`; its fields are on the error.
 */

/** The X-RateLimit-* headers of a response: the window (minute or hour) closest to exhaustion. */
export interface RateLimit {
  limit: number;
  remaining: number;
  /** When the window resets, epoch seconds (X-RateLimit-Reset). */
  reset: number;
  /** `reset` as a Date. */
  resetAt: Date;
}

export interface ApiErrorInit {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown> | null;
  requestId?: string | null;
  headers?: Headers | null;
  body?: unknown;
  rateLimit?: RateLimit | null;
  retryAfter?: number | null;
  cause?: unknown;
}

export class ApiError extends Error {
  /** The HTTP status (0 when no response arrived: ApiConnectionError). */
  readonly status: number;
  /** The envelope's `code`, e.g. `resource_not_found`. */
  readonly code: string;
  /** The envelope's `details` (a field -> messages map for validation errors), `{}` when absent. */
  readonly details: Record<string, unknown>;
  /** The envelope's `request_id` (else the X-Request-Id header): quote it to support. */
  readonly requestId: string | null;
  readonly headers: Headers | null;
  /** The parsed response body (or its text when it was not JSON). */
  readonly body: unknown;
  readonly rateLimit: RateLimit | null;
  /** Seconds to wait before retrying (Retry-After / `error.retry_after`), where the API said. */
  readonly retryAfter: number | null;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.details = (init.details as Record<string, unknown>) ?? {};
    this.requestId = init.requestId ?? null;
    this.headers = init.headers ?? null;
    this.body = init.body;
    this.rateLimit = init.rateLimit ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }

  /** The envelope's name for `requestId`. */
  get request_id(): string | null {
    return this.requestId;
  }

  /** `retryAfter`, as the envelope names it. */
  get retry_after(): number | null {
    return this.retryAfter;
  }
}

/** 400 or 422: the request was malformed or failed validation (`details` names the fields). */
export class ValidationError extends ApiError {}
/** 401: missing, invalid, expired or revoked credentials. */
export class AuthenticationError extends ApiError {}
/** 403: a missing scope, a role too low, or an entitlement limit (`code` says which). */
export class PermissionDeniedError extends ApiError {}
/** 404: no such object — or one of another tenant's. */
export class NotFoundError extends ApiError {}
/** 409: a duplicate, a concurrent change, or an Idempotency-Key still in use. */
export class ConflictError extends ApiError {}
/** 429: a rate-limit window is full; `retryAfter` (seconds) and `reset` say when it frees up. */
export class RateLimitError extends ApiError {
  /** When the exhausted window resets, epoch seconds (X-RateLimit-Reset), where known. */
  get reset(): number | null {
    return this.rateLimit?.reset ?? null;
  }
}
/** 5xx: the API failed; retried automatically before this is thrown. */
export class ServerError extends ApiError {}
/** No response: the connection failed (after the retries). `status` is 0. */
export class ApiConnectionError extends ApiError {}
/** No response within the timeout (after the retries). */
export class ApiTimeoutError extends ApiConnectionError {}

/** The ApiError subclass for an HTTP status. */
export function errorClassFor(status: number): typeof ApiError {
  if (status === 400 || status === 422) return ValidationError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return ServerError;
  return ApiError;
}
