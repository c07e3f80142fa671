import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as apiClientService from '../../src/api-clients/api-client.service.ts';
import { createTokenService, type TokenService } from '../../src/security/jwt.ts';
import * as userService from '../../src/users/user.service.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

const SECRET = 'e2e-cpo-auth-secret-0123456789abcdef-012345';
const AUTH = '/ocpi/cpo/api/auth/v1';
const ACCESS_TTL_S = 900;
const REFRESH_TTL_S = 7 * 86_400;

let t: TestApp;
let tokens: TokenService;
let basic: string;
let cpoOwnerId: number;

interface Answer {
  status: number;
  headers: Headers;
  body: { status: number; data: any; message: string; code?: string };
}

async function call(method: string, path: string, options: { body?: unknown; bearer?: string; authorization?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.authorization) headers.authorization = options.authorization;
  const res = await fetch(`${t.httpUrl}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

const loginCall = (username: string, password: string, authorization = basic) =>
  call('POST', `${AUTH}/login`, { authorization, body: { username, password } });

interface Pair {
  access: string;
  refresh: string;
}

async function login(user: { username: string; password: string }): Promise<Pair> {
  const res = await loginCall(user.username, user.password);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { access: res.body.data.access_token, refresh: res.body.data.refresh_token };
}

async function refresh(token: string): Promise<Pair> {
  const res = await call('GET', `${AUTH}/refresh`, { bearer: token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { access: res.body.data.access_token, refresh: res.body.data.refresh_token };
}

const me = (access: string) => call('GET', '/api/v1/users/me', { bearer: access });

let userCount = 0;
/** A fresh CPO_OWNER user of the test's CPO owner. */
async function cpoUser(options: { mustChangePassword?: boolean } = {}) {
  const user = { username: `cpo-user-${++userCount}@example.com`, password: `cpo-password-${userCount}-long` };
  await userService.createUser(t.db, { ...user, role: 'CPO_OWNER', cpoOwnerId, ...options });
  return user;
}

beforeAll(async () => {
  t = await startTestApp({ env: { JWT_SECRET: SECRET, LOGIN_MAX_FAILURES: '3', REFRESH_TOKEN_TTL_S: String(REFRESH_TTL_S) } });
  tokens = createTokenService({ secret: SECRET, accessTtlS: ACCESS_TTL_S, refreshTtlS: REFRESH_TTL_S });
  const owner = await t.db
    .insertInto('cpoOwner')
    .values({ name: 'Acme Charging', countryCode: 'PH', partyId: 'ACM' })
    .returning('id')
    .executeTakeFirstOrThrow();
  cpoOwnerId = owner.id;
  const { client, secret } = await apiClientService.issue(t.db, { name: 'cpo portal' });
  basic = `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`;
});

afterAll(() => t?.close());

describe('POST /ocpi/cpo/api/auth/v1/login', () => {
  it('answers access and refresh tokens exactly as the spec shows', async () => {
    const user = await cpoUser();
    const before = Math.floor(Date.now() / 1000);
    const res = await loginCall(user.username, user.password);
    const after = Math.floor(Date.now() / 1000);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 200,
      data: {
        access_token: expect.any(String),
        access_expires_in: expect.any(Number),
        refresh_token: expect.any(String),
        refresh_expires_in: expect.any(Number),
        role: 'CPO_OWNER',
      },
      message: 'SUCCESS',
    });
    const data = res.body.data;
    // Expiry instants in epoch seconds, as in the spec's example.
    expect(data.access_expires_in).toBeGreaterThanOrEqual(before + ACCESS_TTL_S);
    expect(data.access_expires_in).toBeLessThanOrEqual(after + ACCESS_TTL_S);
    expect(data.refresh_expires_in).toBeGreaterThanOrEqual(before + REFRESH_TTL_S);
    expect(data.refresh_expires_in).toBeLessThanOrEqual(after + REFRESH_TTL_S);

    const access = tokens.verifyAccess(data.access_token);
    const refreshClaims = tokens.verifyRefresh(data.refresh_token);
    expect(refreshClaims.sessionId).toBe(access.sessionId);
    const session = await t.db.selectFrom('authSession').selectAll().where('id', '=', access.sessionId).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ userId: access.id, revokedAt: null, currentRefreshJti: refreshClaims.tokenId });

    const who = await me(data.access_token);
    expect(who.status).toBe(200);
    expect(who.body.data).toMatchObject({ username: user.username, role: 'CPO_OWNER', cpo_owner_id: cpoOwnerId, must_change_password: false });
  });

  it('answers 401 without the Basic API client credentials, before looking at the body', async () => {
    const user = await cpoUser();
    const missing = await call('POST', `${AUTH}/login`, { body: { username: user.username, password: user.password } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(missing.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringContaining('Basic') });
    const noBody = await call('POST', `${AUTH}/login`, {});
    expect(noBody.status).toBe(401);
  });

  it.each([
    ['a wrong client secret', () => `Basic ${Buffer.from(`${Buffer.from(basic.slice(6), 'base64').toString().split(':')[0]}:wrong-secret-0123456789`).toString('base64')}`],
    ['an unknown client', () => `Basic ${Buffer.from('no-such-app:some-secret-0123456789').toString('base64')}`],
    ['a Bearer token instead', () => 'Bearer abc.def.ghi'],
    ['garbage', () => 'Basic %%%'],
  ])('answers 401 for %s', async (_why, authorization) => {
    const user = await cpoUser();
    const res = await loginCall(user.username, user.password, authorization());
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 401 for a revoked API client', async () => {
    const { client, secret } = await apiClientService.issue(t.db, { name: 'old portal' });
    await apiClientService.revoke(t.db, client.clientId);
    const user = await cpoUser();
    const res = await loginCall(user.username, user.password, `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('this API client has been revoked');
  });

  it('answers 401 for a wrong password and for an unknown user, alike', async () => {
    const user = await cpoUser();
    const wrong = await loginCall(user.username, 'not-the-password');
    const unknown = await loginCall('nobody@example.com', 'not-the-password');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ status: 401, data: null, message: 'invalid username or password', code: 'UNAUTHENTICATED' });
    }
  });

  it.each([
    ['no username', { password: 'whatever-password' }, 'body username: is required'],
    ['an empty password', { username: 'someone', password: '' }, 'body password: must not be empty'],
  ])('answers 400 for %s', async (_why, body, message) => {
    const res = await call('POST', `${AUTH}/login`, { authorization: basic, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining(message) });
  });
});

describe('login throttling (LOGIN_MAX_FAILURES=3)', () => {
  it('refuses with 429 and Retry-After once a username has 3 recent failures, even the right password', async () => {
    const user = await cpoUser();
    for (let i = 0; i < 3; i++) expect((await loginCall(user.username, `wrong-password-${i}`)).status).toBe(401);
    const refused = await loginCall(user.username, user.password);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(refused.body).toEqual({
      status: 429,
      data: { retry_after_s: retryAfter, retry_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      message: expect.stringContaining(`try again in ${retryAfter} seconds`),
      code: 'RATE_LIMITED',
    });
    // Whatever the case of the username (citext); the refusal itself is not counted.
    expect((await loginCall(user.username.toUpperCase(), user.password)).status).toBe(429);
    const failures = await t.db.selectFrom('loginFailure').selectAll().where('username', '=', user.username).execute();
    expect(failures).toHaveLength(3);
    expect(failures[0]!.remoteAddress).toMatch(/127\.0\.0\.1/);
    // Another user is not affected.
    const other = await cpoUser();
    await login(other);
  });

  it('forgets the failures after a successful login', async () => {
    const user = await cpoUser();
    for (let i = 0; i < 2; i++) expect((await loginCall(user.username, 'wrong-password')).status).toBe(401);
    await login(user);
    for (let i = 0; i < 2; i++) expect((await loginCall(user.username, 'wrong-password')).status).toBe(401);
    await login(user);
    for (let i = 0; i < 3; i++) expect((await loginCall(user.username, 'wrong-password')).status).toBe(401);
    expect((await loginCall(user.username, user.password)).status).toBe(429);
  });
});

describe('GET /ocpi/cpo/api/auth/v1/refresh', () => {
  it('rotates: a new access and refresh token in the same session, in the spec shape', async () => {
    const first = await login(await cpoUser());
    const res = await call('GET', `${AUTH}/refresh`, { bearer: first.refresh });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 200,
      data: {
        access_token: expect.any(String),
        access_expires_in: expect.any(Number),
        refresh_token: expect.any(String),
        refresh_expires_in: expect.any(Number),
        role: 'CPO_OWNER',
      },
      message: 'SUCCESS',
    });
    const second: Pair = { access: res.body.data.access_token, refresh: res.body.data.refresh_token };
    expect(second.refresh).not.toBe(first.refresh);
    const claims = tokens.verifyRefresh(second.refresh);
    expect(claims.sessionId).toBe(tokens.verifyRefresh(first.refresh).sessionId);
    const session = await t.db.selectFrom('authSession').select('currentRefreshJti').where('id', '=', claims.sessionId).executeTakeFirstOrThrow();
    expect(session.currentRefreshJti).toBe(claims.tokenId);

    expect((await me(second.access)).status).toBe(200);
    // The newest refresh token rotates again.
    const third = await refresh(second.refresh);
    expect((await me(third.access)).status).toBe(200);
  });

  it('treats a reused refresh token as theft: 401, and every token of the session dies', async () => {
    const first = await login(await cpoUser());
    const second = await refresh(first.refresh);
    const reused = await call('GET', `${AUTH}/refresh`, { bearer: first.refresh });
    expect(reused.status).toBe(401);
    expect(reused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(reused.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', data: { reason: 'reused' } });

    const legit = await call('GET', `${AUTH}/refresh`, { bearer: second.refresh });
    expect(legit.status).toBe(401);
    expect(legit.body.data).toEqual({ reason: 'revoked' });
    for (const access of [first.access, second.access]) {
      const res = await me(access);
      expect(res.status).toBe(401);
      expect(res.body.data).toEqual({ reason: 'revoked' });
    }
  });

  it('leaves the user’s other sessions alone when one is revoked for reuse', async () => {
    const user = await cpoUser();
    const stolen = await login(user);
    const other = await login(user);
    await refresh(stolen.refresh);
    expect((await call('GET', `${AUTH}/refresh`, { bearer: stolen.refresh })).status).toBe(401);
    expect((await me(other.access)).status).toBe(200);
    await refresh(other.refresh);
  });

  it('refuses an access token with 401 (wrong type) and spends nothing', async () => {
    const pair = await login(await cpoUser());
    const res = await call('GET', `${AUTH}/refresh`, { bearer: pair.access });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ message: 'refresh token is not the right kind of token', data: { reason: 'wrong_type' } });
    await refresh(pair.refresh);
  });

  it('answers 401 without a token, or with a forged or expired one', async () => {
    const missing = await call('GET', `${AUTH}/refresh`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.body.message).toContain('refresh token');
    expect((await call('GET', `${AUTH}/refresh`, { bearer: 'not.a.token' })).status).toBe(401);

    const pair = await login(await cpoUser());
    // The subject of a live session: only the signature or the expiry is wrong.
    const subject = tokens.verifyRefresh(pair.refresh);
    const forged = createTokenService({ secret: 'f'.repeat(40), accessTtlS: 60 }).issueRefresh(subject).token;
    expect((await call('GET', `${AUTH}/refresh`, { bearer: forged })).body.data).toEqual({ reason: 'bad_signature' });
    const longAgo = createTokenService({ secret: SECRET, accessTtlS: 60, refreshTtlS: 60, now: () => new Date(Date.now() - 3_600_000) });
    expect((await call('GET', `${AUTH}/refresh`, { bearer: longAgo.issueRefresh(subject).token })).body.data).toEqual({ reason: 'expired' });
  });
});

describe('access tokens', () => {
  it('refuses a refresh token used as an access token', async () => {
    const pair = await login(await cpoUser());
    for (const [method, path] of [['GET', '/api/v1/users/me'], ['POST', `${AUTH}/logout`]] as const) {
      const res = await call(method, path, { bearer: pair.refresh });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ message: 'access token is not the right kind of token', data: { reason: 'wrong_type' } });
    }
    expect((await me(pair.access)).status).toBe(200);
  });

  it('refuses an expired access token of a live session', async () => {
    const pair = await login(await cpoUser());
    const claims = tokens.verifyAccess(pair.access);
    const anHourAgo = createTokenService({ secret: SECRET, accessTtlS: ACCESS_TTL_S, now: () => new Date(Date.now() - 3_600_000) });
    const res = await me(anHourAgo.issueAccess(claims).token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.body).toEqual({ status: 401, data: { reason: 'expired' }, message: 'access token has expired', code: 'UNAUTHENTICATED' });
  });
});

describe('POST /ocpi/cpo/api/auth/v1/logout', () => {
  it('ends the session: its access and refresh tokens stop working at once', async () => {
    const user = await cpoUser();
    const pair = await login(user);
    const other = await login(user);
    const res = await call('POST', `${AUTH}/logout`, { bearer: pair.access });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: [], message: 'Logged out successfully' });

    const after = await me(pair.access);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'UNAUTHENTICATED', data: { reason: 'revoked' } });
    expect((await call('GET', `${AUTH}/refresh`, { bearer: pair.refresh })).status).toBe(401);
    expect((await call('POST', `${AUTH}/logout`, { bearer: pair.access })).status).toBe(401);
    // Only that session: the user's other login goes on.
    expect((await me(other.access)).status).toBe(200);
  });

  it('answers 401 without an access token', async () => {
    const res = await call('POST', `${AUTH}/logout`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});

describe('one-time passwords and POST /ocpi/cpo/api/auth/v1/change-old-password', () => {
  it('lets a user who must change the password log in, refresh and log out, but nothing else until it is changed', async () => {
    const user = await cpoUser({ mustChangePassword: true });
    const pair = await login(user);
    const blocked = await me(pair.access);
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({ status: 403, code: 'PASSWORD_CHANGE_REQUIRED', message: expect.stringContaining('change-old-password') });
    const refreshed = await refresh(pair.refresh);
    expect((await me(refreshed.access)).body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await call('POST', `${AUTH}/logout`, { bearer: refreshed.access })).status).toBe(200);
  });

  it('changes the password, lifts the requirement, and ends the user’s other sessions', async () => {
    const user = await cpoUser({ mustChangePassword: true });
    const mine = await login(user);
    const elsewhere = await login(user);
    const newPassword = 'a-brand-new-password';

    const res = await call('POST', `${AUTH}/change-old-password`, { bearer: mine.access, body: { old_password: user.password, new_password: newPassword } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 200, data: 'SUCCESS', message: 'Success' });

    // The same access token now reaches everything.
    const who = await me(mine.access);
    expect(who.status).toBe(200);
    expect(who.body.data.must_change_password).toBe(false);
    await refresh(mine.refresh);
    // The other session is over, access and refresh.
    expect((await me(elsewhere.access)).body.data).toEqual({ reason: 'revoked' });
    expect((await call('GET', `${AUTH}/refresh`, { bearer: elsewhere.refresh })).status).toBe(401);
    // Only the new password opens a session.
    expect((await loginCall(user.username, user.password)).status).toBe(401);
    await login({ username: user.username, password: newPassword });
  });

  it('answers 400 with a clear message for a wrong old password, and changes nothing', async () => {
    const user = await cpoUser({ mustChangePassword: true });
    const pair = await login(user);
    const res = await call('POST', `${AUTH}/change-old-password`, { bearer: pair.access, body: { old_password: 'not-my-password', new_password: 'a-brand-new-password' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, data: null, message: 'old_password is incorrect', code: 'VALIDATION_FAILED' });
    expect((await me(pair.access)).body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    await login(user);
  });

  it.each([
    ['a short new password', { new_password: 'short' }, 'body new_password: must be at least 12 characters'],
    ['the same password again', { new_password: 'SAME' }, 'body new_password: must differ from old_password'],
    ['no old password', { old_password: undefined, new_password: 'a-brand-new-password' }, 'body old_password: is required'],
  ])('answers 400 for %s', async (_why, change, message) => {
    const user = await cpoUser();
    const pair = await login(user);
    const body = { old_password: user.password, ...change };
    if (body.new_password === 'SAME') body.new_password = user.password;
    const res = await call('POST', `${AUTH}/change-old-password`, { bearer: pair.access, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining(message) });
  });

  it('counts wrong old passwords against the login throttle', async () => {
    const user = await cpoUser();
    const pair = await login(user);
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', `${AUTH}/change-old-password`, { bearer: pair.access, body: { old_password: `guess-${i}-password`, new_password: 'a-brand-new-password' } });
      expect(res.status).toBe(400);
    }
    const refused = await call('POST', `${AUTH}/change-old-password`, { bearer: pair.access, body: { old_password: user.password, new_password: 'a-brand-new-password' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await loginCall(user.username, user.password)).status).toBe(429);
  });

  it('answers 401 without an access token, or with a refresh token', async () => {
    const pair = await login(await cpoUser());
    const body = { old_password: 'whatever-password', new_password: 'a-brand-new-password' };
    expect((await call('POST', `${AUTH}/change-old-password`, { body })).status).toBe(401);
    expect((await call('POST', `${AUTH}/change-old-password`, { bearer: pair.refresh, body })).body.data).toEqual({ reason: 'wrong_type' });
  });
});

describe('OpenAPI', () => {
  it('documents the four endpoints with their security', async () => {
    type Op = { security?: unknown };
    const doc = (await (await fetch(`${t.httpUrl}/openapi.json`)).json()) as { paths: Record<string, { get?: Op; post?: Op }> };
    expect(doc.paths[`${AUTH}/login`]?.post?.security).toEqual([{ basicAuth: [] }]);
    expect(doc.paths[`${AUTH}/refresh`]?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths[`${AUTH}/logout`]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths[`${AUTH}/change-old-password`]?.post?.security).toEqual([{ bearerAuth: [] }]);
  });
});
