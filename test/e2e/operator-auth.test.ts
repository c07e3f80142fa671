import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService, type TokenService } from '../../src/security/jwt.ts';
import * as userService from '../../src/users/user.service.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

const SECRET = 'e2e-test-secret-0123456789abcdef-0123456789';
const ADMIN = { username: 'root-admin', password: 'admin-password-123', role: 'ADMIN' as const };
const OPERATOR = { username: 'night-operator', password: 'operator-password-1', role: 'OPERATOR' as const };

let t: TestApp;
let base: string;
let tokens: TokenService;
let database: { db: TestApp['db'] };

beforeAll(async () => {
  t = await startTestApp({ env: { JWT_SECRET: SECRET, LOGIN_MAX_FAILURES: '3' } });
  database = { db: t.db };
  base = t.httpUrl;
  await userService.createUser(t.db, ADMIN);
  await userService.createUser(t.db, OPERATOR);
  // The same secret and lifetime as the app's, to check what it issues and to forge expired tokens.
  tokens = createTokenService({ secret: SECRET, accessTtlS: 900 });
});

afterAll(() => t.close());

interface Answer {
  status: number;
  headers: Headers;
  body: { status: number; data: any; message: string; code?: string };
}

async function call(method: string, path: string, options: { body?: unknown; rawBody?: string; token?: string; authorization?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization) headers.authorization = options.authorization;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.rawBody !== undefined ? { body: options.rawBody } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

async function login(credentials: { username: string; password: string }): Promise<string> {
  const res = await call('POST', '/api/v1/auth/login', { body: { username: credentials.username, password: credentials.password } });
  expect(res.status).toBe(200);
  return res.body.data.access_token as string;
}

describe('POST /api/v1/auth/login', () => {
  it('answers an access token in the CPO envelope', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await call('POST', '/api/v1/auth/login', { body: { username: ADMIN.username, password: ADMIN.password } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 200,
      data: { access_token: expect.any(String), access_expires_in: expect.any(Number), role: 'ADMIN' },
      message: 'Success',
    });
    // access_expires_in is the expiry instant in epoch seconds (as in the eMSP spec), not a duration.
    expect(res.body.data.access_expires_in).toBeGreaterThanOrEqual(before + 900);
    expect(res.body.data.access_expires_in).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 900);
    expect(tokens.verifyAccess(res.body.data.access_token).username).toBe(ADMIN.username);
  });

  it('accepts the username in another case', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: { username: 'NIGHT-Operator', password: OPERATOR.password } });
    expect(res.status).toBe(200);
    expect(res.body.data.role).toBe('OPERATOR');
  });

  it('answers 401 in the envelope for a wrong password and for an unknown user, alike', async () => {
    const wrong = await call('POST', '/api/v1/auth/login', { body: { username: ADMIN.username, password: 'not-the-password' } });
    const unknown = await call('POST', '/api/v1/auth/login', { body: { username: 'ghost', password: 'not-the-password' } });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ status: 401, data: null, message: 'invalid username or password', code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses a disabled account', async () => {
    const user = await userService.createUser(database.db, { username: 'gone-operator', password: 'gone-password-12', role: 'OPERATOR' });
    await userService.setDisabled(database.db, user.id, true);
    const res = await call('POST', '/api/v1/auth/login', { body: { username: 'gone-operator', password: 'gone-password-12' } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, message: 'this account is disabled', code: 'UNAUTHENTICATED' });
  });

  it.each([
    ['no body', undefined, 'body username: is required'],
    ['no password', { username: 'root-admin' }, 'body password: is required'],
    ['an empty password', { username: 'root-admin', password: '' }, 'body password: must not be empty'],
    ['a numeric username', { username: 42, password: 'whatever-password' }, 'body username: must be a string'],
  ])('answers 400 for %s', async (_why, body, where) => {
    const res = await call('POST', '/api/v1/auth/login', { body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toContain(where);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await call('POST', '/api/v1/auth/login', { rawBody: '{"username": "root-admin",' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'PAYLOAD_INVALID', data: null });
  });
});

describe('GET /api/v1/users/me', () => {
  it('answers the logged-in user, with a token from login', async () => {
    const token = await login(OPERATOR);
    const res = await call('GET', '/api/v1/users/me', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 200,
      data: {
        id: expect.any(Number),
        username: OPERATOR.username,
        role: 'OPERATOR',
        cpo_owner_id: null,
        must_change_password: false,
        disabled: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      message: 'Success',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password_hash|scrypt/);
  });

  it('answers 401 without a token, with a WWW-Authenticate challenge', async () => {
    const res = await call('GET', '/api/v1/users/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringContaining('Authorization') });
  });

  it.each([
    ['a garbage token', 'Bearer not.a.token'],
    ['another scheme', 'Basic cm9vdDpwdw=='],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 for %s', async (_why, authorization) => {
    const res = await call('GET', '/api/v1/users/me', { authorization });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 401 for an expired token and says so', async () => {
    const anHourAgo = createTokenService({ secret: SECRET, accessTtlS: 900, now: () => new Date(Date.now() - 3_600_000) });
    const me = await userService.authenticate(database.db, OPERATOR.username, OPERATOR.password);
    const res = await call('GET', '/api/v1/users/me', { token: anHourAgo.issueAccess({ ...me, sessionId: randomUUID() }).token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.body).toEqual({ status: 401, data: { reason: 'expired' }, message: 'access token has expired', code: 'UNAUTHENTICATED' });
  });

  it('answers 401 for a token signed with another secret', async () => {
    const forger = createTokenService({ secret: 'f'.repeat(40), accessTtlS: 900 });
    const res = await call('GET', '/api/v1/users/me', { token: forger.issueAccess({ id: 1, username: ADMIN.username, role: 'ADMIN', cpoOwnerId: null, sessionId: randomUUID() }).token });
    expect(res.status).toBe(401);
    expect(res.body.data).toEqual({ reason: 'bad_signature' });
  });
});

describe('sessions behind /api/v1 tokens', () => {
  it('opens a session per login, named in the token, without a refresh token (no refresh endpoint here)', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: { username: OPERATOR.username, password: OPERATOR.password } });
    const claims = tokens.verifyAccess(res.body.data.access_token);
    const session = await database.db.selectFrom('authSession').selectAll().where('id', '=', claims.sessionId).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ userId: claims.id, revokedAt: null, currentRefreshJti: null });
    expect(session.refreshExpiresAt).toEqual(claims.expiresAt);
  });

  it('refuses a validly signed token whose session was revoked, or never existed', async () => {
    const token = await login(OPERATOR);
    expect((await call('GET', '/api/v1/chargers', { token })).status).toBe(200);
    const { sessionId } = tokens.verifyAccess(token);
    await database.db.updateTable('authSession').set({ revokedAt: new Date() }).where('id', '=', sessionId).execute();
    for (const path of ['/api/v1/users/me', '/api/v1/chargers']) {
      const res = await call('GET', path, { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', data: { reason: 'revoked' } });
    }
    const me = await userService.authenticate(database.db, OPERATOR.username, OPERATOR.password);
    const unknown = await call('GET', '/api/v1/users/me', { token: tokens.issueAccess({ ...me, sessionId: randomUUID() }).token });
    expect(unknown.body).toMatchObject({ status: 401, data: { reason: 'revoked' } });
  });

  it('refuses the token of a user disabled after login', async () => {
    const user = await userService.createUser(database.db, { username: 'soon-gone', password: 'soon-gone-password', role: 'OPERATOR' });
    const token = await login({ username: 'soon-gone', password: 'soon-gone-password' });
    expect((await call('GET', '/api/v1/users/me', { token })).status).toBe(200);
    await userService.setDisabled(database.db, user.id, true);
    const res = await call('GET', '/api/v1/users/me', { token });
    expect(res.body).toEqual({ status: 401, data: { reason: 'disabled' }, message: 'this account is disabled', code: 'UNAUTHENTICATED' });
  });

  it('refuses a refresh token as an access token', async () => {
    const me = await userService.authenticate(database.db, OPERATOR.username, OPERATOR.password);
    const res = await call('GET', '/api/v1/users/me', { token: tokens.issueRefresh({ ...me, sessionId: randomUUID() }).token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ message: 'access token is not the right kind of token', data: { reason: 'wrong_type' } });
  });

  it('answers 403 PASSWORD_CHANGE_REQUIRED to a user who must change the password', async () => {
    await userService.createUser(database.db, { username: 'fresh-operator', password: 'one-time-password-1', role: 'OPERATOR', mustChangePassword: true });
    const token = await login({ username: 'fresh-operator', password: 'one-time-password-1' });
    for (const path of ['/api/v1/users/me', '/api/v1/chargers']) {
      const res = await call('GET', path, { token });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ status: 403, code: 'PASSWORD_CHANGE_REQUIRED', message: expect.stringContaining('change-old-password') });
    }
  });
});

describe('login throttling on /api/v1/auth/login (LOGIN_MAX_FAILURES=3)', () => {
  const victim = { username: 'throttled-operator', password: 'throttled-password-1', role: 'OPERATOR' as const };
  beforeAll(() => userService.createUser(database.db, victim));

  it('counts failures per username, refuses with 429 and Retry-After once the limit is reached, and forgets them after a success', async () => {
    const wrong = { username: victim.username, password: 'wrong-password-123' };
    expect((await call('POST', '/api/v1/auth/login', { body: wrong })).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', { body: wrong })).status).toBe(401);
    // Two failures: a success still goes through, and clears them.
    await login(victim);
    for (let i = 0; i < 3; i++) expect((await call('POST', '/api/v1/auth/login', { body: { ...wrong, username: 'THROTTLED-operator' } })).status).toBe(401);
    const refused = await call('POST', '/api/v1/auth/login', { body: { username: victim.username, password: victim.password } });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', data: { retry_after_s: expect.any(Number), retry_at: expect.any(String) } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(refused.body.message).toContain(`try again in ${retryAfter} seconds`);
    // Other usernames are not affected.
    expect((await call('POST', '/api/v1/auth/login', { body: { username: OPERATOR.username, password: OPERATOR.password } })).status).toBe(200);
  });
});

describe('POST /api/v1/users', () => {
  const newUser = { username: 'day-operator', password: 'day-operator-pw1', role: 'OPERATOR' };

  it('is refused to an OPERATOR with 403', async () => {
    const res = await call('POST', '/api/v1/users', { token: await login(OPERATOR), body: newUser });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'this operation needs the role ADMIN' });
  });

  it('is refused without a token with 401, before the body is looked at', async () => {
    const res = await call('POST', '/api/v1/users', { body: { nonsense: true } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('creates the user for an ADMIN (201), who can then log in', async () => {
    const res = await call('POST', '/api/v1/users', { token: await login(ADMIN), body: newUser });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 201,
      data: { id: expect.any(Number), username: 'day-operator', role: 'OPERATOR', created_at: expect.any(String) },
      message: 'Success',
    });
    expect(res.body.data).not.toHaveProperty('password');
    expect(JSON.stringify(res.body)).not.toMatch(/password_hash|scrypt|day-operator-pw1/);
    const token = await login(newUser);
    expect((await call('GET', '/api/v1/users/me', { token })).body.data.id).toBe(res.body.data.id);
  });

  it('answers 409 for a taken username', async () => {
    const res = await call('POST', '/api/v1/users', { token: await login(ADMIN), body: { ...newUser, username: 'DAY-OPERATOR' } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, code: 'CONFLICT', message: 'username DAY-OPERATOR is already taken' });
  });

  it.each([
    ['a short password', { ...newUser, username: 'u-short-pw', password: 'short' }, 'body password: must be at least 12 characters'],
    ['a bad username', { ...newUser, username: 'no spaces please' }, 'body username: must be 3 to 64 characters'],
    ['the CPO_OWNER role', { ...newUser, username: 'u-cpo', role: 'CPO_OWNER' }, 'body role'],
    ['a missing role', { username: 'u-no-role', password: 'long-enough-pw-1' }, 'body role: must be ADMIN or OPERATOR'],
    ['a missing password', { username: 'u-no-pw', role: 'OPERATOR' }, 'body password: is required'],
    ['an unknown field', { ...newUser, username: 'u-extra', is_admin: true }, 'is_admin'],
  ])('answers 400 for %s with a clear message', async (_why, body, message) => {
    const res = await call('POST', '/api/v1/users', { token: await login(ADMIN), body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toContain(message);
  });
});

describe('OpenAPI', () => {
  it('documents the routes with their prefix and bearer security', async () => {
    type Op = { security?: unknown };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, { get?: Op; post?: Op }> };
    const paths = doc.paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users', '/api/v1/users/me']));
    expect(paths['/api/v1/users']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/api/v1/users/me']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/api/v1/auth/login']?.post?.security).toBeUndefined();
  });
});
