/**
 * Verifying webhook deliveries, on the raw request body, in constant time. Every delivery carries two schemes
 * (docs/webhooks.md; the same logic as platform_api/webhook_signing.py):
 *
 * - document 004's `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, keyed with the secret
 *   string exactly as shown (`whsec_...` included), with `X-Webhook-Timestamp`;
 * - Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
 *   `{id}.{timestamp}.{body}`, keyed with the base64-decoded part after `whsec_` (the raw string where it is
 *   not base64); one `v1,` entry per active secret during a rotation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import type { WebhookEvent } from './generated.js';

export const SECRET_PREFIX = 'whsec_';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Headers as a fetch Headers, a plain object or Node's IncomingHttpHeaders (names in any case). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;
export type RawBody = string | Uint8Array;

export interface VerifyOptions {
  /** How far the timestamp may be from now, seconds (default 300), both ways. */
  toleranceSeconds?: number;
  /** The current time, epoch seconds (for tests). */
  now?: number;
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

function header(headers: HeaderSource, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted && value !== undefined) return Array.isArray(value) ? value.join(' ') : value;
  }
  return null;
}

const bytes = (body: RawBody): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function secretList(secrets: string | readonly string[]): string[] {
  const list = typeof secrets === 'string' ? [secrets] : [...secrets];
  if (!list.length || !list.every((s) => typeof s === 'string' && s)) {
    throw new WebhookVerificationError('at least one non-empty signing secret is required');
  }
  return list;
}

/** The Standard Webhooks key of a secret: base64 after `whsec_`, else the secret string's bytes. */
export function standardKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    const key = Buffer.from(encoded, 'base64');
    if (key.length) return key;
  }
  return Buffer.from(secret, 'utf8');
}

/** `sha256=` + hex HMAC-SHA256 of the raw body, keyed with the secret string as stored (document 004). */
export function legacySignature(secret: string, body: RawBody): string {
  return `sha256=${createHmac('sha256', secret).update(bytes(body)).digest('hex')}`;
}

/** One Standard Webhooks entry: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`. */
export function standardSignature(secret: string, messageId: string, timestamp: number, body: RawBody): string {
  const hmac = createHmac('sha256', standardKey(secret));
  hmac.update(`${messageId}.${timestamp}.`, 'utf8');
  hmac.update(bytes(body));
  return `v1,${hmac.digest('base64')}`;
}

/** Document 004's check: `X-Webhook-Signature` against the raw body (any of `secrets` during a rotation). */
export function verifyLegacy(secrets: string | readonly string[], signatureHeader: string | null | undefined, body: RawBody): boolean {
  if (!signatureHeader) return false;
  let list: string[];
  try {
    list = secretList(secrets);
  } catch {
    return false;
  }
  const given = signatureHeader.trim();
  return list.map((secret) => safeEqual(given, legacySignature(secret, body))).some(Boolean);
}

/** The Standard Webhooks check: a timestamp within the tolerance and at least one matching `v1` signature. */
export function verifyStandard(
  secrets: string | readonly string[],
  headers: HeaderSource,
  body: RawBody,
  options: VerifyOptions = {},
): boolean {
  const messageId = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatureText = header(headers, 'webhook-signature');
  if (!messageId || !timestampText || !signatureText) return false;
  if (!/^\s*[+-]?\d+\s*$/.test(timestampText)) return false;
  const timestamp = parseInt(timestampText, 10);
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  let list: string[];
  try {
    list = secretList(secrets);
  } catch {
    return false;
  }
  const expected = list.map((secret) => standardSignature(secret, messageId, timestamp, body));
  let matched = false;
  for (const entry of signatureText.split(/\s+/)) {
    if (!entry.startsWith('v1,')) continue;
    for (const candidate of expected) matched = safeEqual(entry, candidate) || matched;
  }
  return matched;
}

/**
 * Checks a delivery and returns its event. With Standard Webhooks headers present, they must verify (the
 * timestamp is signed with them); otherwise `X-Webhook-Signature` must, and `X-Webhook-Timestamp` must be
 * within the tolerance. Throws WebhookVerificationError.
 */
export function verifyWebhook(
  body: RawBody,
  headers: HeaderSource,
  secrets: string | readonly string[],
  options: VerifyOptions = {},
): WebhookEvent {
  if (header(headers, 'webhook-signature')) {
    if (!verifyStandard(secrets, headers, body, options)) {
      throw new WebhookVerificationError('the webhook-signature does not match, or webhook-timestamp is too old');
    }
  } else {
    const signature = header(headers, 'x-webhook-signature');
    if (!signature) throw new WebhookVerificationError('no webhook signature header');
    if (!verifyLegacy(secrets, signature, body)) {
      throw new WebhookVerificationError('the X-Webhook-Signature does not match');
    }
    const timestampText = header(headers, 'x-webhook-timestamp');
    if (timestampText !== null) {
      const now = options.now ?? Date.now() / 1000;
      const timestamp = Number(timestampText);
      if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
        throw new WebhookVerificationError('the X-Webhook-Timestamp is outside the tolerance');
      }
    }
  }
  try {
    return JSON.parse(bytes(body).toString('utf8')) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('the body is not JSON');
  }
}

/** The headers the API signs a delivery with (for tests and local tools). */
export function signatureHeaders(
  secrets: string | readonly string[],
  messageId: string,
  body: RawBody,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const list = secretList(secrets);
  return {
    'X-Webhook-Signature': legacySignature(list[0], body),
    'X-Webhook-Timestamp': String(timestamp),
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': list.map((s) => standardSignature(s, messageId, timestamp, body)).join(' '),
  };
}

/** The helpers as one namespace: `Webhooks.verify(body, headers, secret)`. */
export const Webhooks = {
  verify: verifyWebhook,
  verifyLegacy,
  verifyStandard,
  legacySignature,
  standardSignature,
  signatureHeaders,
} as const;
