export { Client } from './client.js';
export { HttpCore, parseRateLimit, parseRetryAfter } from './core.js';
export type { CallOptions, ClientOptions, Model, ResponseInfo, Transport } from './core.js';
export {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  ValidationError,
  errorClassFor,
} from './errors.js';
export type { ApiErrorInit, RateLimit } from './errors.js';
export * from './generated.js';
export { Page, PageIterator } from './pagination.js';
export type { ListResponse } from './pagination.js';
export { VERSION, USER_AGENT } from './version.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  SECRET_PREFIX,
  WebhookVerificationError,
  Webhooks,
  legacySignature,
  signatureHeaders,
  standardKey,
  standardSignature,
  verifyLegacy,
  verifyStandard,
  verifyWebhook,
} from './webhooks.js';
export type { HeaderSource, RawBody, VerifyOptions } from './webhooks.js';
