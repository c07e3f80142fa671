import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService, purgeExpired, type AuthService } from '../../src/auth/auth.service.ts';
import { createAuthenticator, type Authenticator } from '../../src/auth/authenticator.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { rejectionOf } from '../fixtures/app-error.ts';
import { createTokenService, type TokenService } from '../../src/security/jwt.ts';
import * as userService from '../../src/users/user.service.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const SECRET = 'integration-auth-secret-0123456789abcdef-0123';
const WINDOW_S = 600;

let handle: DatabaseHandle;
let now: Date;
let tokens: TokenService;
let auth: AuthService;
let authenticator: Authenticator;

const clock = () => now;
const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));

beforeAll(async () => {
  handle = await createTestDatabase();
  // Whole seconds: JWT times are, so expiries compare exactly.
  now = new Date(Math.floor(Date.now() / 1000) * 1000);
  tokens = createTokenService({ secret: SECRET, accessTtlS: 900, refreshTtlS: 86_400, now: clock });
  auth = createAuthService({ tokens, throttle: { maxFailures: 3, windowS: WINDOW_S }, now: clock });
  authenticator = createAuthenticator({ tokens, db: handle.db });
});
afterAll(() => handle.close());

let count = 0;
async function newUser(options: { mustChangePassword?: boolean; role?: 'OPERATOR' | 'ADMIN' } = {}) {
  const input = { username: `session-user-${++count}`, password: `session-password-${count}`, role: options.role ?? ('OPERATOR' as const) };
  const user = await userService.createUser(handle.db, { ...input, ...(options.mustChangePassword ? { mustChangePassword: true } : {}) });
  return { ...input, id: user.id, login: { username: input.username, password: input.password, remoteAddress: '10.0.0.7' } };
}

const sessionRow = (id: string) => handle.db.selectFrom('authSession').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('login', () => {
  it('opens a session that names the current refresh token', async () => {
    const user = await newUser();
    const s = await auth.login(handle.db, user.login);
    expect(s.user).toMatchObject({ id: user.id, username: user.username, role: 'OPERATOR', sessionId: s.sessionId });
    expect(tokens.verifyAccess(s.access.token).sessionId).toBe(s.sessionId);
    expect(tokens.verifyRefresh(s.refresh.token)).toMatchObject({ sessionId: s.sessionId, tokenId: s.refresh.tokenId });
    expect(await sessionRow(s.sessionId)).toMatchObject({
      userId: user.id, revokedAt: null, currentRefreshJti: s.refresh.tokenId, refreshExpiresAt: s.refresh.expiresAt, createdAt: now,
    });
  });

  it('without a refresh token: the session ends with the access token', async () => {
    const user = await newUser();
    const s = await auth.loginWithoutRefresh(handle.db, user.login);
    expect(s).not.toHaveProperty('refresh');
    expect(await sessionRow(s.sessionId)).toMatchObject({ currentRefreshJti: null, refreshExpiresAt: s.access.expiresAt });
    // A refresh token for that session (which no one was given) would not match: refused as reuse.
    const stray = tokens.issueRefresh(s.user);
    expect((await rejectionOf(auth.refresh(handle.db, stray.token))).details).toEqual({ reason: 'reused' });
  });
});

describe('throttling', () => {
  it('refuses after maxFailures within the window, says until when, and lets the window run out', async () => {
    const user = await newUser();
    const t0 = now;
    for (let i = 0; i < 3; i++) {
      expect((await rejectionOf(auth.login(handle.db, { ...user.login, password: 'wrong-password' }))).code).toBe('UNAUTHENTICATED');
      advance(10);
    }
    const refused = await rejectionOf(auth.login(handle.db, user.login));
    expect(refused.code).toBe('RATE_LIMITED');
    const retryAt = new Date(t0.getTime() + WINDOW_S * 1000);
    expect(refused.details).toEqual({ retry_after_s: WINDOW_S - 30, retry_at: retryAt.toISOString() });
    expect(refused.message).toBe(`too many failed login attempts for this username; try again in ${WINDOW_S - 30} seconds (after ${retryAt.toISOString()})`);

    // One second before the first failure leaves the window: still refused; at that instant: allowed.
    now = new Date(retryAt.getTime() - 1000);
    expect((await rejectionOf(auth.login(handle.db, user.login))).details).toMatchObject({ retry_after_s: 1 });
    now = retryAt;
    await auth.login(handle.db, user.login);
    const left = await handle.db.selectFrom('loginFailure').select('id').where('username', '=', user.username).execute();
    expect(left).toEqual([]);
  });

  it('records the remote address, and counts unknown usernames too (no hint that they do not exist)', async () => {
    for (let i = 0; i < 3; i++) await rejectionOf(auth.login(handle.db, { username: 'Nobody-Here', password: 'x', remoteAddress: '192.0.2.1' }));
    const rows = await handle.db.selectFrom('loginFailure').selectAll().where('username', '=', 'nobody-here').execute();
    expect(rows.map((r) => r.remoteAddress)).toEqual(['192.0.2.1', '192.0.2.1', '192.0.2.1']);
    expect((await rejectionOf(auth.login(handle.db, { username: 'nobody-here', password: 'x', remoteAddress: null }))).code).toBe('RATE_LIMITED');
  });

  it('ignores failures older than the window', async () => {
    const user = await newUser();
    for (let i = 0; i < 2; i++) await rejectionOf(auth.login(handle.db, { ...user.login, password: 'wrong-password' }));
    advance(WINDOW_S + 1);
    for (let i = 0; i < 2; i++) await rejectionOf(auth.login(handle.db, { ...user.login, password: 'wrong-password' }));
    await auth.login(handle.db, user.login);
  });
});

describe('authenticator', () => {
  it('answers the user as the database has it now', async () => {
    const user = await newUser();
    const s = await auth.login(handle.db, user.login);
    expect(await authenticator.authenticate(s.access.token)).toEqual({
      id: user.id, username: user.username, role: 'OPERATOR', cpoOwnerId: null, sessionId: s.sessionId, mustChangePassword: false,
    });
    await handle.db.updateTable('appUser').set({ role: 'ADMIN' }).where('id', '=', user.id).execute();
    expect((await authenticator.authenticate(s.access.token)).role).toBe('ADMIN');
  });

  it('refuses an ended session, a disabled user and a refresh token', async () => {
    const user = await newUser();
    const s = await auth.login(handle.db, user.login);
    expect((await rejectionOf(authenticator.authenticate(s.refresh.token))).details).toEqual({ reason: 'wrong_type' });
    await userService.setDisabled(handle.db, user.id, true);
    expect((await rejectionOf(authenticator.authenticate(s.access.token))).details).toEqual({ reason: 'disabled' });
    expect((await rejectionOf(auth.refresh(handle.db, s.refresh.token))).details).toEqual({ reason: 'disabled' });
    await userService.setDisabled(handle.db, user.id, false);
    await authenticator.authenticate(s.access.token);
    await auth.logout(handle.db, s.sessionId);
    await auth.logout(handle.db, s.sessionId);
    expect((await rejectionOf(authenticator.authenticate(s.access.token))).details).toEqual({ reason: 'revoked' });
  });
});

describe('refresh', () => {
  it('rotates the session’s refresh token and slides its expiry', async () => {
    const user = await newUser();
    const s = await auth.login(handle.db, user.login);
    advance(3600);
    const r = await auth.refresh(handle.db, s.refresh.token);
    expect(r.sessionId).toBe(s.sessionId);
    expect(r.refresh.expiresAt.getTime()).toBe(s.refresh.expiresAt.getTime() + 3600_000);
    expect(await sessionRow(s.sessionId)).toMatchObject({ currentRefreshJti: r.refresh.tokenId, refreshExpiresAt: r.refresh.expiresAt, revokedAt: null });
  });

  it('lets only one of two simultaneous uses of a refresh token win, and revokes the session', async () => {
    const user = await newUser();
    const s = await auth.login(handle.db, user.login);
    const results = await Promise.allSettled([auth.refresh(handle.db, s.refresh.token), auth.refresh(handle.db, s.refresh.token)]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'reused' } });
    expect((await sessionRow(s.sessionId)).revokedAt).toEqual(now);
  });
});

describe('changePassword', () => {
  it('changes it, clears must_change_password, ends the other sessions but not the caller’s', async () => {
    const user = await newUser({ mustChangePassword: true });
    const mine = await auth.login(handle.db, user.login);
    const other1 = await auth.login(handle.db, user.login);
    const other2 = await auth.login(handle.db, user.login);
    const someoneElse = await auth.login(handle.db, (await newUser()).login);
    const caller = await authenticator.authenticate(mine.access.token);
    expect(caller.mustChangePassword).toBe(true);

    const result = await auth.changePassword(handle.db, caller, { oldPassword: user.password, newPassword: 'the-new-password-1', remoteAddress: null });
    expect(result).toEqual({ revokedSessions: 2 });
    expect((await authenticator.authenticate(mine.access.token)).mustChangePassword).toBe(false);
    for (const s of [other1, other2]) expect((await sessionRow(s.sessionId)).revokedAt).toEqual(now);
    expect((await sessionRow(someoneElse.sessionId)).revokedAt).toBeNull();
    await auth.login(handle.db, { ...user.login, password: 'the-new-password-1' });
    expect((await rejectionOf(auth.login(handle.db, user.login))).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a wrong old password with VALIDATION_FAILED and records it as a failed login', async () => {
    const user = await newUser();
    const s = await auth.login(handle.db, user.login);
    const caller = await authenticator.authenticate(s.access.token);
    const err = await rejectionOf(auth.changePassword(handle.db, caller, { oldPassword: 'wrong-password', newPassword: 'the-new-password-1', remoteAddress: '10.1.1.1' }));
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message: 'old_password is incorrect' });
    const rows = await handle.db.selectFrom('loginFailure').select('remoteAddress').where('username', '=', user.username).execute();
    expect(rows).toEqual([{ remoteAddress: '10.1.1.1' }]);
  });
});

describe('housekeeping', () => {
  it('purges login failures past the window and sessions whose refresh token expired, keeping recent ones', async () => {
    const user = await newUser();
    const live = await auth.login(handle.db, user.login);
    const day = 86_400_000;
    const old = new Date(now.getTime() - WINDOW_S * 1000 - 2 * day);
    await handle.db.insertInto('loginFailure').values([
      { username: 'purge-me', remoteAddress: null, at: old },
      { username: 'keep-me', remoteAddress: null, at: now },
    ]).execute();
    await handle.db.insertInto('authSession').values({
      id: '00000000-0000-4000-8000-000000000001', userId: user.id, refreshExpiresAt: new Date(now.getTime() - 2 * day), currentRefreshJti: null,
    }).execute();

    const purged = await purgeExpired(handle.db, now, WINDOW_S);
    expect(purged.failures).toBeGreaterThanOrEqual(1);
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    const usernames = (await handle.db.selectFrom('loginFailure').select('username').execute()).map((r) => r.username);
    expect(usernames).toContain('keep-me');
    expect(usernames).not.toContain('purge-me');
    expect(await handle.db.selectFrom('authSession').select('id').where('id', '=', '00000000-0000-4000-8000-000000000001').executeTakeFirst()).toBeUndefined();
    expect((await sessionRow(live.sessionId)).revokedAt).toBeNull();
  });
});
