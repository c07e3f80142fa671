import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const SECRET = 'abcdefghijklmnopqrstuvwxyz012345'; // exactly 32 characters

/** Runs loadConfig expecting a ConfigError and returns its message. */
function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('fills every default from an empty environment', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(8080);
    expect(c.host).toBe('0.0.0.0');
    expect(c.ocppPort).toBeUndefined();
    expect(c.publicUrl).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databasePoolSize).toBe(10);
    expect(c.dataDir).toBe('./data');
    expect(c.logLevel).toBe('info');
    expect(c.tls).toBeUndefined();
    expect(c.nodeId).toBe(`node-${process.pid}`);
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(c.ocpp).toEqual({
      heartbeatIntervalS: 300,
      bootRetryIntervalS: 60,
      pingIntervalS: 300,
      unknownChargers: 'reject',
      callTimeoutMs: 30_000,
      maxFrameBytes: 65_536,
      maxBadMessages: 50,
    });
    expect(c.writeBatch).toEqual({ max: 500, delayMs: 2, concurrency: 2 });
  });

  it('turns demo data on without DATABASE_URL', () => {
    expect(loadConfig({}).demoData).toBe(true);
  });

  it('turns demo data off with DATABASE_URL', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' });
    expect(c.databaseUrl).toBe('postgres://u:p@localhost:5432/db');
    expect(c.demoData).toBe(false);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('DEMO_DATA=%s overrides the default (-> %s)', (value, expected) => {
    expect(loadConfig({ DEMO_DATA: value }).demoData).toBe(expected);
    expect(loadConfig({ DEMO_DATA: value, DATABASE_URL: 'postgres://localhost/db' }).demoData).toBe(expected);
  });

  it('defaults the ping interval to the heartbeat interval', () => {
    const c = loadConfig({ OCPP_HEARTBEAT_INTERVAL_S: '120' });
    expect(c.ocpp.heartbeatIntervalS).toBe(120);
    expect(c.ocpp.pingIntervalS).toBe(120);
  });

  it('keeps an explicit ping interval, including 0', () => {
    expect(loadConfig({ OCPP_HEARTBEAT_INTERVAL_S: '120', OCPP_PING_INTERVAL_S: '30' }).ocpp.pingIntervalS).toBe(30);
    expect(loadConfig({ OCPP_PING_INTERVAL_S: '0' }).ocpp.pingIntervalS).toBe(0);
  });
});

describe('loadConfig parsing', () => {
  it('coerces numbers and reads every variable', () => {
    const c = loadConfig({
      NODE_ENV: 'test',
      PORT: '9000',
      HOST: '127.0.0.1',
      OCPP_PORT: '9001',
      PUBLIC_URL: 'https://cs.example.com',
      DATABASE_POOL_SIZE: '20',
      DATA_DIR: '/var/lib/cs',
      LOG_LEVEL: 'debug',
      NODE_ID: 'node-a',
      JWT_SECRET: SECRET,
      OCPP_BOOT_RETRY_INTERVAL_S: '15',
      OCPP_UNKNOWN_CHARGERS: 'pending',
      OCPP_CALL_TIMEOUT_MS: '5000',
      OCPP_MAX_FRAME_BYTES: '2048',
      OCPP_MAX_BAD_MESSAGES: '7',
      WRITE_BATCH_MAX: '100',
      WRITE_BATCH_DELAY_MS: '0.5',
      WRITE_BATCH_CONCURRENCY: '3',
    });
    expect(c.env).toBe('test');
    expect(c.port).toBe(9000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.ocppPort).toBe(9001);
    expect(c.publicUrl).toBe('https://cs.example.com');
    expect(c.databasePoolSize).toBe(20);
    expect(c.dataDir).toBe('/var/lib/cs');
    expect(c.logLevel).toBe('debug');
    expect(c.nodeId).toBe('node-a');
    expect(c.jwtSecret).toBe(SECRET);
    expect(c.ocpp.bootRetryIntervalS).toBe(15);
    expect(c.ocpp.unknownChargers).toBe('pending');
    expect(c.ocpp.callTimeoutMs).toBe(5000);
    expect(c.ocpp.maxFrameBytes).toBe(2048);
    expect(c.ocpp.maxBadMessages).toBe(7);
    expect(c.writeBatch).toEqual({ max: 100, delayMs: 0.5, concurrency: 3 });
  });

  it('accepts PORT 0 and 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('sets tls when both TLS files are given', () => {
    expect(loadConfig({ TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' }).tls).toEqual({
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
  });

  it('accepts production with a 32-character JWT_SECRET', () => {
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET });
    expect(c.env).toBe('production');
    expect(c.jwtSecret).toBe(SECRET);
  });

  it('returns a frozen object, nested sections included', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.ocpp)).toBe(true);
    expect(Object.isFrozen(c.writeBatch)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c.ocpp as { heartbeatIntervalS: number }).heartbeatIntervalS = 1;
    }).toThrow(TypeError);
    expect(c.port).toBe(8080);
    expect(c.ocpp.heartbeatIntervalS).toBe(300);
  });

  it('does not mutate the environment passed in', () => {
    const env: NodeJS.ProcessEnv = { PORT: '1234' };
    loadConfig(env);
    expect(env).toEqual({ PORT: '1234' });
  });
});

describe('loadConfig errors', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['OCPP_PORT', { OCPP_PORT: '70000' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['OCPP_UNKNOWN_CHARGERS', { OCPP_UNKNOWN_CHARGERS: 'accept' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'example.com' }],
    ['DATABASE_POOL_SIZE', { DATABASE_POOL_SIZE: '0' }],
    ['DEMO_DATA', { DEMO_DATA: 'maybe' }],
    ['OCPP_HEARTBEAT_INTERVAL_S', { OCPP_HEARTBEAT_INTERVAL_S: '5' }],
    ['OCPP_CALL_TIMEOUT_MS', { OCPP_CALL_TIMEOUT_MS: '50' }],
    ['OCPP_MAX_FRAME_BYTES', { OCPP_MAX_FRAME_BYTES: '100' }],
    ['WRITE_BATCH_MAX', { WRITE_BATCH_MAX: '0' }],
    ['WRITE_BATCH_CONCURRENCY', { WRITE_BATCH_CONCURRENCY: '0' }],
    ['WRITE_BATCH_DELAY_MS', { WRITE_BATCH_DELAY_MS: '1001' }],
    ['NODE_ID', { NODE_ID: 'x'.repeat(65) }],
  ] as Array<[string, NodeJS.ProcessEnv]>)('names %s when it is invalid (%j)', (variable, env) => {
    const message = configError(env);
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain(`  ${variable}: `);
  });

  it('requires TLS_KEY_FILE with TLS_CERT_FILE', () => {
    const message = configError({ TLS_CERT_FILE: '/c.pem' });
    expect(message).toContain('TLS_CERT_FILE: TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  });

  it('requires TLS_CERT_FILE with TLS_KEY_FILE', () => {
    expect(configError({ TLS_KEY_FILE: '/k.pem' })).toContain('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  });

  it('requires JWT_SECRET in production', () => {
    expect(configError({ NODE_ENV: 'production' })).toContain('JWT_SECRET: JWT_SECRET is required when NODE_ENV=production');
  });

  it('rejects a JWT_SECRET shorter than 32 characters, in any environment', () => {
    const short = SECRET.slice(0, 31);
    expect(configError({ JWT_SECRET: short })).toContain('JWT_SECRET: JWT_SECRET must be at least 32 characters');
    expect(configError({ NODE_ENV: 'production', JWT_SECRET: short })).toContain('JWT_SECRET');
  });

  it('lists every invalid variable, one per line', () => {
    const message = configError({ PORT: 'abc', LOG_LEVEL: 'loud', OCPP_UNKNOWN_CHARGERS: 'maybe' });
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.trim().split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'OCPP_UNKNOWN_CHARGERS', 'PORT']);
  });

  it('ConfigError is an Error', () => {
    expect(() => loadConfig({ PORT: 'x' })).toThrow(Error);
    expect(() => loadConfig({ PORT: 'x' })).toThrow(ConfigError);
  });
});

describe('empty environment variables', () => {
  it('treats an empty value as unset, as .env and compose files mean it', () => {
    const config = loadConfig({ PORT: '', OCPP_PING_INTERVAL_S: '  ', OCPP_HEARTBEAT_INTERVAL_S: '120', DATABASE_URL: '' });
    expect(config.port).toBe(8080);
    expect(config.ocpp.pingIntervalS).toBe(120);
    expect(config.databaseUrl).toBeUndefined();
  });
});
