import { BECKN_VERSION, BecknErrorCode } from './beckn-codes.ts';

// The Beckn request context: the checks every request passes before it is acknowledged. Pure.

export const BECKN_ACTIONS = ['search', 'select', 'init', 'confirm', 'status', 'update', 'cancel', 'rating', 'support'] as const;
export type BecknAction = (typeof BECKN_ACTIONS)[number];

export const CORE_VERSION = BECKN_VERSION;
/** How long a request lives when its context gives no ttl. */
const DEFAULT_TTL_MS = 30_000;
/** Clock difference tolerated between a BAP and us. */
const CLOCK_SKEW_MS = 30_000;

export interface BecknContext {
  domain: string;
  action: BecknAction;
  version: string;
  bap_id: string;
  bap_uri: string;
  bpp_id: string;
  bpp_uri?: string;
  transaction_id: string;
  message_id: string;
  timestamp: string;
  ttl?: string;
  location?: unknown;
  [key: string]: unknown;
}

/** A NACK: what went wrong, where, and the HTTP status it is answered with. */
export interface BecknRejection {
  httpStatus: number;
  code: string;
  path: string;
  message: string;
}

export interface ContextRules {
  action: BecknAction;
  bppId: string;
  domains: readonly string[];
  now: Date;
}

/** The context if it passes every rule, else the first rule it breaks. */
export function checkContext(body: unknown, rules: ContextRules): { context: BecknContext } | { rejection: BecknRejection } {
  const reject = (httpStatus: number, code: string, path: string, message: string) => ({ rejection: { httpStatus, code, path, message } });
  if (!isObject(body)) return reject(400, CONTEXT_ERROR, '', 'the body must be a JSON object with context and message');
  const context = body.context;
  if (!isObject(context)) return reject(400, CONTEXT_ERROR, 'context', 'context is required');
  if (!isObject(body.message)) return reject(400, CONTEXT_ERROR, 'message', 'message is required');
  for (const field of ['domain', 'action', 'version', 'bap_id', 'bap_uri', 'transaction_id', 'message_id', 'timestamp'] as const) {
    if (typeof context[field] !== 'string' || (context[field] as string).trim() === '') {
      return reject(400, CONTEXT_ERROR, `context.${field}`, `context.${field} is required`);
    }
  }
  if (context.action !== rules.action) {
    return reject(400, CONTEXT_ERROR, 'context.action', `context.action is ${String(context.action)}, but this is /${rules.action}`);
  }
  if (!rules.domains.includes(context.domain as string)) {
    return reject(400, DOMAIN_ERROR, 'context.domain', `domain ${String(context.domain)} is not served here (${rules.domains.join(', ')})`);
  }
  if (context.version !== CORE_VERSION) {
    return reject(400, VERSION_ERROR, 'context.version', `version ${String(context.version)} is not supported (${CORE_VERSION})`);
  }
  if (context.bpp_id !== undefined && context.bpp_id !== rules.bppId) {
    return reject(400, CONTEXT_ERROR, 'context.bpp_id', `context.bpp_id names ${String(context.bpp_id)}, this is ${rules.bppId}`);
  }
  if (rules.action !== 'search' && context.bpp_id === undefined) {
    return reject(400, CONTEXT_ERROR, 'context.bpp_id', 'context.bpp_id is required');
  }
  if (!isHttpUrl(context.bap_uri as string)) return reject(400, CONTEXT_ERROR, 'context.bap_uri', 'context.bap_uri must be an http(s) URL');
  const sent = Date.parse(context.timestamp as string);
  if (Number.isNaN(sent)) return reject(400, CONTEXT_ERROR, 'context.timestamp', 'context.timestamp must be an RFC 3339 date-time');
  const ttlMs = context.ttl === undefined ? DEFAULT_TTL_MS : parseDuration(context.ttl);
  if (ttlMs === undefined) return reject(400, CONTEXT_ERROR, 'context.ttl', 'context.ttl must be an ISO 8601 duration such as PT30S');
  const now = rules.now.getTime();
  if (sent > now + CLOCK_SKEW_MS) return reject(400, STALE_ERROR, 'context.timestamp', 'context.timestamp is in the future');
  if (sent + ttlMs + CLOCK_SKEW_MS < now) return reject(400, STALE_ERROR, 'context.ttl', 'the request expired (timestamp + ttl is past)');
  return { context: { ...context, bpp_id: rules.bppId } as BecknContext };
}

/** PT30S, PT10M, P1D, PT1H30M… in milliseconds; undefined when not a duration. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, min, s] = m;
  return (((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60 + Number(s ?? 0)) * 1000;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const CONTEXT_ERROR = BecknErrorCode.invalidRequest;
const DOMAIN_ERROR = BecknErrorCode.unsupportedDomain;
const VERSION_ERROR = BecknErrorCode.unsupportedVersion;
const STALE_ERROR = BecknErrorCode.staleRequest;
