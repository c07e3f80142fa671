import path from 'node:path';
import { z } from 'zod';

/** Environment variables read by the platform; README.md documents each (keep them in sync). */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    OCPP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    PUBLIC_URL: z.string().url().optional(),
    DATABASE_URL: z.string().url().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().min(1).default('./data'),
    DEMO_DATA: booleanFlag.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    NODE_ID: z.string().min(1).max(64).optional(),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    REFRESH_TOKEN_TTL_S: z.coerce.number().int().min(60).max(365 * 86_400).default(30 * 86_400),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    LOGIN_FAILURE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(900),
    UPLOAD_DIR: z.string().min(1).optional(),
    UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
    CSV_MAX_BYTES: z.coerce.number().int().min(1024).max(2 * 1024 * 1024 * 1024).default(200 * 1024 * 1024),
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().min(3).default('EV Charging Platform <no-reply@localhost>'),
    ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(86_400).default(900),
    OCPP_HEARTBEAT_INTERVAL_S: z.coerce.number().int().min(10).max(86_400).default(300),
    OCPP_BOOT_RETRY_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(60),
    OCPP_PING_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).optional(),
    OCPP_UNKNOWN_CHARGERS: z.enum(['reject', 'pending']).default('reject'),
    OCPP_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
    OCPP_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(65_536),
    OCPP_MAX_BAD_MESSAGES: z.coerce.number().int().min(1).default(50),
    CLUSTER_HEARTBEAT_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(10),
    CLUSTER_NODE_TIMEOUT_S: z.coerce.number().min(0.3).max(86_400).default(30),
    MAINTENANCE_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(15),
    WRITE_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(500),
    WRITE_BATCH_DELAY_MS: z.coerce.number().min(0).max(1_000).default(2),
    WRITE_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    GRAPHQL_INTROSPECTION: booleanFlag.optional(),
    GRAPHIQL: booleanFlag.optional(),
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(10),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
    GRAPHQL_MAX_LIMIT: z.coerce.number().int().min(1).max(10_000).default(100),
    BPP_ID: z.string().min(1).max(255).optional(),
    ORDER_QUOTE_TTL_S: z.coerce.number().int().min(10).max(86_400).default(900),
    ORDER_VALIDITY_S: z.coerce.number().int().min(60).max(7 * 86_400).default(4 * 3600),
    ORDER_COMMAND_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
    PAYMENT_GATEWAY_URL: z.string().url().optional(),
    PAYMENT_GATEWAY_API_KEY: z.string().min(8).optional(),
    PAYMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
    SUPPORT_NAME: z.string().min(1).default('Charging Platform Support'),
    SUPPORT_PHONE: z.string().min(1).default('+00 000 0000'),
    SUPPORT_EMAIL: z.string().email().default('support@localhost'),
    SUPPORT_URL: z.string().url().optional(),
    SUPPORT_HOURS: z.string().min(1).default('Mon–Sun 24/7'),
    BECKN_SUBSCRIBER_URL: z.string().url().optional(),
    BECKN_KEY_ID: z.string().min(1).max(128).optional(),
    BECKN_PRIVATE_KEY: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 of a 32-byte ed25519 seed').optional(),
    BECKN_REGISTRY_URL: z.string().url().optional(),
    BECKN_SIGNING: z.enum(['on', 'off']).default('on'),
    BECKN_DOMAINS: z.string().min(1).default('dent:0.1.0,uei:charging'),
    BECKN_CALLBACK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
    BECKN_CALLBACK_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(1_000),
    BECKN_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(500),
  })
  .refine((c) => Boolean(c.TLS_CERT_FILE) === Boolean(c.TLS_KEY_FILE), {
    message: 'TLS_CERT_FILE and TLS_KEY_FILE must be set together',
    path: ['TLS_CERT_FILE'],
  })
  .refine((c) => c.CLUSTER_NODE_TIMEOUT_S > c.CLUSTER_HEARTBEAT_INTERVAL_S * 2, {
    message: 'CLUSTER_NODE_TIMEOUT_S must exceed two heartbeat intervals, or live nodes would be declared dead',
    path: ['CLUSTER_NODE_TIMEOUT_S'],
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.PAYMENT_GATEWAY_URL || c.PAYMENT_WEBHOOK_SECRET, {
    message: 'PAYMENT_WEBHOOK_SECRET is required with PAYMENT_GATEWAY_URL when NODE_ENV=production',
    path: ['PAYMENT_WEBHOOK_SECRET'],
  })
  .refine((c) => Boolean(c.BECKN_PRIVATE_KEY) === Boolean(c.BECKN_KEY_ID) || !c.BECKN_PRIVATE_KEY, {
    message: 'BECKN_PRIVATE_KEY needs BECKN_KEY_ID',
    path: ['BECKN_KEY_ID'],
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.JWT_SECRET, {
    message: 'JWT_SECRET is required when NODE_ENV=production',
    path: ['JWT_SECRET'],
  });

export type UnknownChargerPolicy = 'reject' | 'pending';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** A separate port for OCPP websockets; unset → OCPP shares `port` with the APIs. */
  ocppPort: number | undefined;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  demoData: boolean;
  logLevel: string;
  nodeId: string;
  tls: { certFile: string; keyFile: string } | undefined;
  jwtSecret: string;
  auth: { accessTokenTtlS: number; refreshTokenTtlS: number; loginMaxFailures: number; loginFailureWindowS: number };
  uploads: { dir: string; maxBytes: number; csvMaxBytes: number };
  mail: { smtpUrl: string | undefined; from: string };
  ocpp: {
    heartbeatIntervalS: number;
    bootRetryIntervalS: number;
    pingIntervalS: number;
    unknownChargers: UnknownChargerPolicy;
    callTimeoutMs: number;
    maxFrameBytes: number;
    maxBadMessages: number;
  };
  writeBatch: { max: number; delayMs: number; concurrency: number };
  cluster: { heartbeatIntervalMs: number; nodeTimeoutMs: number };
  maintenanceIntervalMs: number;
  graphql: {
    introspection: boolean;
    graphiql: boolean;
    /** Deepest field nesting a query may have (introspection fields not counted). */
    maxDepth: number;
    /** Highest estimated cost (fields × list sizes) a query may have. */
    maxCost: number;
    /** Largest page (`limit`) a list query may ask for. */
    maxLimit: number;
  };
  orders: {
    /** Our id as a Beckn/driver-app provider platform: X-Bpp-Id must name it. */
    bppId: string;
    /** How long an estimate can be paid for. */
    quoteTtlS: number;
    /** Default charging window of an order without a requested time window. */
    validityS: number;
    /** How long start/stop wait for the charger's StartTransaction/StopTransaction before answering. */
    commandWaitMs: number;
  };
  payments: {
    /** Base URL of the payment gateway's API; unset = payments unavailable (503). */
    gatewayUrl: string | undefined;
    apiKey: string;
    /** HMAC key of the gateway's webhooks. */
    webhookSecret: string;
  };
  /** Platform support details, for CPOs that configured none. */
  support: { name: string; phone: string; email: string; url: string | undefined; hours: string };
  beckn: {
    /** Our subscriber id: the context's bpp_id must name it (BPP_ID). */
    subscriberId: string;
    /** Where BAPs reach us (bpp_uri). */
    subscriberUrl: string;
    /** Which of our signing keys signs; unset = the newest in the database (one is generated on first start). */
    keyId: string | undefined;
    /** base64 ed25519 seed; with keyId, used instead of a generated key. */
    privateKey: string | undefined;
    /** A Beckn registry's base URL for /lookup; unset = the local beckn_subscriber table only. */
    registryUrl: string | undefined;
    /** 'off' only by explicit configuration, for development: no signature checked or sent. */
    signing: boolean;
    domains: string[];
    callbackMaxAttempts: number;
    /** First retry delay of a failed callback; doubles per attempt. */
    callbackRetryMs: number;
    /** How often each node looks for due callbacks and order changes to tell BAPs about. */
    dispatchIntervalMs: number;
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `PORT=` in a .env or compose file means "not set", not zero.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    ocppPort: e.OCPP_PORT,
    publicUrl: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    // Demo data makes a fresh embedded database useful at once; a real PostgreSQL is left alone unless asked.
    demoData: e.DEMO_DATA ?? !e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    nodeId: e.NODE_ID ?? `node-${process.pid}`,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
    // Development fallback only: production refuses to start without JWT_SECRET (see the refine above).
    jwtSecret: e.JWT_SECRET ?? 'development-only-secret-change-me-0123456789',
    auth: Object.freeze({
      accessTokenTtlS: e.ACCESS_TOKEN_TTL_S,
      refreshTokenTtlS: e.REFRESH_TOKEN_TTL_S,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginFailureWindowS: e.LOGIN_FAILURE_WINDOW_S,
    }),
    uploads: Object.freeze({
      dir: e.UPLOAD_DIR ?? path.join(e.DATA_DIR, 'uploads'),
      maxBytes: e.UPLOAD_MAX_BYTES,
      csvMaxBytes: e.CSV_MAX_BYTES,
    }),
    mail: Object.freeze({ smtpUrl: e.SMTP_URL, from: e.MAIL_FROM }),
    ocpp: Object.freeze({
      heartbeatIntervalS: e.OCPP_HEARTBEAT_INTERVAL_S,
      bootRetryIntervalS: e.OCPP_BOOT_RETRY_INTERVAL_S,
      // Dead sockets are found within about two heartbeat intervals: one ping per interval, dropped on a missed pong.
      pingIntervalS: e.OCPP_PING_INTERVAL_S ?? e.OCPP_HEARTBEAT_INTERVAL_S,
      unknownChargers: e.OCPP_UNKNOWN_CHARGERS,
      callTimeoutMs: e.OCPP_CALL_TIMEOUT_MS,
      maxFrameBytes: e.OCPP_MAX_FRAME_BYTES,
      maxBadMessages: e.OCPP_MAX_BAD_MESSAGES,
    }),
    writeBatch: Object.freeze({ max: e.WRITE_BATCH_MAX, delayMs: e.WRITE_BATCH_DELAY_MS, concurrency: e.WRITE_BATCH_CONCURRENCY }),
    cluster: Object.freeze({
      heartbeatIntervalMs: e.CLUSTER_HEARTBEAT_INTERVAL_S * 1000,
      nodeTimeoutMs: e.CLUSTER_NODE_TIMEOUT_S * 1000,
    }),
    maintenanceIntervalMs: e.MAINTENANCE_INTERVAL_S * 1000,
    graphql: Object.freeze({
      // A production schema is not advertised unless asked for; in development both help.
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxLimit: e.GRAPHQL_MAX_LIMIT,
    }),
    orders: Object.freeze({
      bppId: e.BPP_ID ?? (e.PUBLIC_URL ? new URL(e.PUBLIC_URL).host : 'charging-platform.local'),
      quoteTtlS: e.ORDER_QUOTE_TTL_S,
      validityS: e.ORDER_VALIDITY_S,
      commandWaitMs: e.ORDER_COMMAND_WAIT_MS,
    }),
    payments: Object.freeze({
      gatewayUrl: e.PAYMENT_GATEWAY_URL,
      // Development fallbacks; production refuses a gateway without a webhook secret (refine above).
      apiKey: e.PAYMENT_GATEWAY_API_KEY ?? 'development-gateway-key',
      webhookSecret: e.PAYMENT_WEBHOOK_SECRET ?? 'development-webhook-secret-0123',
    }),
    beckn: Object.freeze({
      subscriberId: e.BPP_ID ?? (e.PUBLIC_URL ? new URL(e.PUBLIC_URL).host : 'charging-platform.local'),
      subscriberUrl: e.BECKN_SUBSCRIBER_URL ?? `${e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`}/beckn`,
      keyId: e.BECKN_KEY_ID,
      privateKey: e.BECKN_PRIVATE_KEY,
      registryUrl: e.BECKN_REGISTRY_URL,
      signing: e.BECKN_SIGNING === 'on',
      domains: Object.freeze(e.BECKN_DOMAINS.split(',').map((d) => d.trim()).filter(Boolean)) as string[],
      callbackMaxAttempts: e.BECKN_CALLBACK_MAX_ATTEMPTS,
      callbackRetryMs: e.BECKN_CALLBACK_RETRY_MS,
      dispatchIntervalMs: e.BECKN_DISPATCH_INTERVAL_MS,
    }),
    support: Object.freeze({
      name: e.SUPPORT_NAME,
      phone: e.SUPPORT_PHONE,
      email: e.SUPPORT_EMAIL,
      url: e.SUPPORT_URL,
      hours: e.SUPPORT_HOURS,
    }),
  });
}
