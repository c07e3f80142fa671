import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { createTokenService, type SessionSubject } from '../../src/security/jwt.ts';

const SECRET = 'unit-test-secret-0123456789abcdef-0123456789';
const OTHER_SECRET = 'another-secret-0123456789abcdef-0123456789xx';
const SESSION = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const alice: SessionSubject = { id: 42, username: 'alice', role: 'OPERATOR', cpoOwnerId: null, sessionId: SESSION };

/** The AppError a call throws (fails the test when it does not throw one). */
function rejectionOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodePart = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString()) as Record<string, unknown>;

describe('token service: issue and verify', () => {
  it('round-trips the subject with standard claims', () => {
    const now = new Date('2026-11-22T10:00:00.500Z');
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 900, now: () => now });
    const { token, expiresAt } = tokens.issueAccess(alice);
    expect(expiresAt.toISOString()).toBe('2026-11-22T10:15:00.000Z');

    const claims = tokens.verifyAccess(token);
    expect(claims).toMatchObject({ id: 42, username: 'alice', role: 'OPERATOR', cpoOwnerId: null, sessionId: SESSION });
    expect(claims.expiresAt).toEqual(expiresAt);
    expect(claims.issuedAt.toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(claims.tokenId).toMatch(/^[0-9a-f-]{36}$/);

    expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodePart(token, 1)).toMatchObject({
      typ: 'access', sub: '42', username: 'alice', role: 'OPERATOR', cpo_owner_id: null, sid: SESSION,
      iss: 'charging-platform', aud: 'charging-platform-api', iat: Date.parse('2026-11-22T10:00:00Z') / 1000, exp: Date.parse('2026-11-22T10:15:00Z') / 1000,
    });
  });

  it('gives every token its own id', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 900 });
    const a = tokens.verifyAccess(tokens.issueAccess(alice).token);
    const b = tokens.verifyAccess(tokens.issueAccess(alice).token);
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  it('carries the CPO owner of a CPO_OWNER user', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const claims = tokens.verifyAccess(tokens.issueAccess({ id: 7, username: 'cpo@example.com', role: 'CPO_OWNER', cpoOwnerId: 3, sessionId: SESSION }).token);
    expect(claims).toMatchObject({ role: 'CPO_OWNER', cpoOwnerId: 3 });
  });

  it('refuses a weak secret or a bad TTL at construction', () => {
    expect(() => createTokenService({ secret: 'short', accessTtlS: 900 })).toThrow(/32 characters/);
    expect(() => createTokenService({ secret: SECRET, accessTtlS: 0 })).toThrow(/accessTtlS/);
    expect(() => createTokenService({ secret: SECRET, accessTtlS: 60, refreshTtlS: 1.5 })).toThrow(/refreshTtlS/);
  });

  it('issues no token outside a session', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    expect(() => tokens.issueAccess({ ...alice, sessionId: undefined as never })).toThrow(/session/);
    expect(() => tokens.issueRefresh({ ...alice, sessionId: 'not-a-uuid' })).toThrow(/session/);
  });
});

describe('token service: refresh tokens', () => {
  it('round-trips with their own lifetime, type and id, in the same session', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 900, refreshTtlS: 30 * 86_400, now: () => now });
    expect(tokens.refreshTtlS).toBe(30 * 86_400);
    const refresh = tokens.issueRefresh(alice);
    const access = tokens.issueAccess(alice);
    expect(refresh.expiresAt.toISOString()).toBe('2026-12-22T10:00:00.000Z');
    expect(refresh.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(refresh.tokenId).not.toBe(access.tokenId);

    const claims = tokens.verifyRefresh(refresh.token);
    expect(claims).toMatchObject({ id: 42, role: 'OPERATOR', sessionId: SESSION, tokenId: refresh.tokenId });
    expect(claims.expiresAt).toEqual(refresh.expiresAt);
    expect(decodePart(refresh.token, 1)).toMatchObject({ typ: 'refresh', sid: SESSION, jti: refresh.tokenId });
    expect(tokens.verifyAccess(access.token).tokenId).toBe(access.tokenId);
  });

  it('defaults to 30 days', () => {
    expect(createTokenService({ secret: SECRET, accessTtlS: 60 }).refreshTtlS).toBe(30 * 86_400);
  });

  it('never takes one kind for the other', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    expect(rejectionOf(() => tokens.verifyAccess(tokens.issueRefresh(alice).token))).toMatchObject({
      message: 'access token is not the right kind of token', details: { reason: 'wrong_type' },
    });
    expect(rejectionOf(() => tokens.verifyRefresh(tokens.issueAccess(alice).token))).toMatchObject({
      message: 'refresh token is not the right kind of token', details: { reason: 'wrong_type' },
    });
  });

  it('refuses an expired refresh token', () => {
    let now = new Date('2026-11-22T10:00:00Z');
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60, refreshTtlS: 3600, now: () => now });
    const { token } = tokens.issueRefresh(alice);
    now = new Date('2026-11-22T11:00:00Z');
    expect(rejectionOf(() => tokens.verifyRefresh(token))).toMatchObject({ message: 'refresh token has expired', details: { reason: 'expired' } });
  });
});

describe('token service: refusals', () => {
  it('refuses an expired token, and accepts it just before', () => {
    let now = new Date('2026-11-22T10:00:00Z');
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60, now: () => now });
    const { token } = tokens.issueAccess(alice);
    now = new Date('2026-11-22T10:00:59Z');
    expect(tokens.verifyAccess(token).id).toBe(42);
    now = new Date('2026-11-22T10:01:00Z');
    const err = rejectionOf(() => tokens.verifyAccess(token));
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', message: 'access token has expired', details: { reason: 'expired' } });
  });

  it('refuses an expired token on the real clock (tiny TTL)', async () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 1 });
    const { token } = tokens.issueAccess(alice);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(rejectionOf(() => tokens.verifyAccess(token)).details).toEqual({ reason: 'expired' });
  });

  it('refuses a token signed with another secret', () => {
    const token = createTokenService({ secret: OTHER_SECRET, accessTtlS: 60 }).issueAccess(alice).token;
    const err = rejectionOf(() => createTokenService({ secret: SECRET, accessTtlS: 60 }).verifyAccess(token));
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', message: 'access token has an invalid signature' });
  });

  it('refuses a token whose payload was altered (role escalation)', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const [header, , signature] = tokens.issueAccess(alice).token.split('.');
    const forged = `${header}.${b64({ ...decodePart(tokens.issueAccess(alice).token, 1), role: 'ADMIN' })}.${signature}`;
    expect(rejectionOf(() => tokens.verifyAccess(forged)).details).toEqual({ reason: 'bad_signature' });
  });

  it('refuses a tampered signature', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const token = tokens.issueAccess(alice).token;
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(rejectionOf(() => tokens.verifyAccess(tampered)).details).toEqual({ reason: 'bad_signature' });
  });

  it('refuses alg "none"', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const payload = decodePart(tokens.issueAccess(alice).token, 1);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...payload, role: 'ADMIN' })}.`;
    const err = rejectionOf(() => tokens.verifyAccess(unsigned));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.details).toEqual({ reason: 'unsupported_algorithm' });
  });

  it('refuses another HMAC algorithm even with the right secret', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const payload = decodePart(tokens.issueAccess(alice).token, 1);
    const hs512 = jwt.sign(payload, SECRET, { algorithm: 'HS512' });
    expect(rejectionOf(() => tokens.verifyAccess(hs512)).details).toEqual({ reason: 'unsupported_algorithm' });
  });

  it('refuses a validly signed token of another type', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const payload = decodePart(tokens.issueAccess(alice).token, 1);
    const refresh = jwt.sign({ ...payload, typ: 'refresh' }, SECRET, { algorithm: 'HS256' });
    const untyped = jwt.sign({ ...payload, typ: undefined }, SECRET, { algorithm: 'HS256' });
    expect(rejectionOf(() => tokens.verifyAccess(refresh))).toMatchObject({ message: 'access token is not the right kind of token', details: { reason: 'wrong_type' } });
    expect(rejectionOf(() => tokens.verifyAccess(untyped)).details).toEqual({ reason: 'wrong_type' });
  });

  it('refuses a token from another issuer or for another audience', () => {
    const mine = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const otherIssuer = createTokenService({ secret: SECRET, accessTtlS: 60, issuer: 'someone-else' });
    const otherAudience = createTokenService({ secret: SECRET, accessTtlS: 60, audience: 'another-api' });
    expect(rejectionOf(() => mine.verifyAccess(otherIssuer.issueAccess(alice).token)).details).toEqual({ reason: 'wrong_audience' });
    expect(rejectionOf(() => mine.verifyAccess(otherAudience.issueAccess(alice).token)).details).toEqual({ reason: 'wrong_audience' });
  });

  it('refuses signed tokens with missing or ill-typed claims', () => {
    const tokens = createTokenService({ secret: SECRET, accessTtlS: 60 });
    const payload = decodePart(tokens.issueAccess(alice).token, 1);
    for (const change of [
      { sub: 'alice' }, { role: 'ROOT' }, { username: 5 }, { cpo_owner_id: 'x' }, { jti: undefined }, { jti: 'abc' },
      { sid: undefined }, { sid: 'not-a-uuid' }, { sid: 7 },
    ]) {
      const token = jwt.sign({ ...payload, ...change }, SECRET, { algorithm: 'HS256' });
      expect(rejectionOf(() => tokens.verifyAccess(token)).details, JSON.stringify(change)).toEqual({ reason: 'malformed' });
    }
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['empty', ''],
    ['three junk parts', 'a.b.c'],
    ['non-JSON payload', `${b64({ alg: 'HS256', typ: 'JWT' })}.${Buffer.from('hello').toString('base64url')}.${createHmac('sha256', SECRET).update('x').digest('base64url')}`],
  ])('refuses a malformed token (%s) without leaking library text', (_name, token) => {
    const err = rejectionOf(() => createTokenService({ secret: SECRET, accessTtlS: 60 }).verifyAccess(token));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toMatch(/^access token (is malformed|has an invalid signature|is invalid)$/);
    expect(err.message).not.toMatch(/jwt|jsonwebtoken|expected/i);
  });
});
