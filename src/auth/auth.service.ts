import { randomUUID } from 'node:crypto';
import type { Database, Db } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { IssuedToken, SessionSubject, TokenService } from '../security/jwt.ts';
import * as userService from '../users/user.service.ts';
import * as sessionRepository from './auth-session.repository.ts';
import { liveSession, type SessionUser } from './authenticator.ts';
import * as loginFailureRepository from './login-failure.repository.ts';

/**
 * Login sessions: every login opens one (auth_session), and every token issued in it carries its id,
 * so logging out ends them all at once. Refresh tokens rotate: each refresh hands out a new pair and
 * only the newest refresh token of a session counts; presenting an older one means two parties hold
 * the session's tokens, so the session is revoked (OAuth 2.0 Security BCP, refresh token rotation).
 * Failed logins are counted per username; past the limit, logins are refused before the password is
 * even checked, until the oldest counted failure leaves the window.
 */
export interface LoginThrottle {
  maxFailures: number;
  windowS: number;
}

export interface AuthServiceOptions {
  tokens: TokenService;
  throttle: LoginThrottle;
  /** Security events (refresh token reuse). */
  log?: Logger;
  /** The clock of sessions and failures, for tests (tokens are stamped by the token service's). */
  now?: () => Date;
}

export interface LoginInput {
  username: string;
  password: string;
  /** Recorded with a failure, for whoever investigates it. */
  remoteAddress: string | null;
}

export interface AccessSession {
  sessionId: string;
  user: SessionSubject;
  access: IssuedToken;
}

export interface SessionTokens extends AccessSession {
  refresh: IssuedToken;
}

/** `details` of a RATE_LIMITED refusal. */
export interface RateLimitDetails {
  retry_after_s: number;
  retry_at: string;
}

export interface AuthService {
  /** Username and password → a new session with an access and a refresh token. */
  login(db: Db, input: LoginInput): Promise<SessionTokens>;
  /** The same, for an API that has no refresh endpoint: the session lasts as long as its access token. */
  loginWithoutRefresh(db: Db, input: LoginInput): Promise<AccessSession>;
  /** A refresh token → a new access and refresh token in the same session; the presented one stops counting. */
  refresh(db: Db, refreshToken: string): Promise<SessionTokens>;
  /** Ends the session: its access and refresh tokens are refused from now on. */
  logout(db: Db, sessionId: string): Promise<void>;
  /**
   * Changes the caller's password, clears must_change_password and ends the user's other sessions
   * (the caller's own goes on). A wrong old password is VALIDATION_FAILED, and counts as a failed login.
   */
  changePassword(
    db: Database,
    caller: SessionUser,
    input: { oldPassword: string; newPassword: string; remoteAddress: string | null },
  ): Promise<{ revokedSessions: number }>;
}

export function createAuthService(options: AuthServiceOptions): AuthService {
  const { tokens, throttle } = options;
  const clock = options.now ?? (() => new Date());
  const windowMs = throttle.windowS * 1000;

  async function assertNotThrottled(db: Db, username: string, now: Date): Promise<void> {
    const since = new Date(now.getTime() - windowMs);
    const nth = await loginFailureRepository.nthMostRecentSince(db, username, since, throttle.maxFailures);
    if (!nth) return;
    const retryAt = new Date(nth.getTime() + windowMs);
    const retryAfterS = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
    const details: RateLimitDetails = { retry_after_s: retryAfterS, retry_at: retryAt.toISOString() };
    throw new AppError(
      'RATE_LIMITED',
      `too many failed login attempts for this username; try again in ${retryAfterS} seconds (after ${details.retry_at})`,
      details,
    );
  }

  async function checkCredentials(db: Db, input: LoginInput, now: Date): Promise<userService.User> {
    await assertNotThrottled(db, input.username, now);
    try {
      const user = await userService.authenticate(db, input.username, input.password);
      await loginFailureRepository.deleteForUsername(db, input.username);
      return user;
    } catch (err) {
      if (isAppError(err) && err.code === 'UNAUTHENTICATED') {
        await loginFailureRepository.insert(db, { username: input.username, remoteAddress: input.remoteAddress, at: now });
      }
      throw err;
    }
  }

  function subjectOf(user: { id: number; username: string; role: UserRole; cpoOwnerId: number | null }, sessionId: string): SessionSubject {
    return { id: user.id, username: user.username, role: user.role, cpoOwnerId: user.cpoOwnerId, sessionId };
  }

  async function revokeForReuse(db: Db, session: { id: string; userId: number }, now: Date): Promise<never> {
    await sessionRepository.revoke(db, session.id, now);
    options.log?.warn({ sessionId: session.id, userId: session.userId }, 'refresh token reused: session revoked');
    throw new AppError('UNAUTHENTICATED', 'refresh token has already been used; the session has been revoked, log in again', { reason: 'reused' });
  }

  return {
    async login(db, input) {
      const now = clock();
      const user = await checkCredentials(db, input, now);
      const sessionId = randomUUID();
      const subject = subjectOf(user, sessionId);
      const access = tokens.issueAccess(subject);
      const refresh = tokens.issueRefresh(subject);
      await sessionRepository.insert(db, {
        id: sessionId, userId: user.id, currentRefreshJti: refresh.tokenId, refreshExpiresAt: refresh.expiresAt, createdAt: now,
      });
      return { sessionId, user: subject, access, refresh };
    },

    async loginWithoutRefresh(db, input) {
      const now = clock();
      const user = await checkCredentials(db, input, now);
      const sessionId = randomUUID();
      const subject = subjectOf(user, sessionId);
      const access = tokens.issueAccess(subject);
      // No refresh token can match a null jti, so the session ends, in effect, with its access token.
      await sessionRepository.insert(db, { id: sessionId, userId: user.id, currentRefreshJti: null, refreshExpiresAt: access.expiresAt, createdAt: now });
      return { sessionId, user: subject, access };
    },

    async refresh(db, refreshToken) {
      const claims = tokens.verifyRefresh(refreshToken);
      const { session, user } = await liveSession(db, claims, 'refresh');
      const now = clock();
      if (session.currentRefreshJti !== claims.tokenId) return revokeForReuse(db, session, now);
      const access = tokens.issueAccess(user);
      const refresh = tokens.issueRefresh(user);
      const rotated = await sessionRepository.rotateRefresh(db, session.id, {
        expectedJti: claims.tokenId, newJti: refresh.tokenId, refreshExpiresAt: refresh.expiresAt,
      });
      // Another request presented the same token a moment earlier and won: this one is the reuse.
      if (!rotated) return revokeForReuse(db, session, now);
      return { sessionId: session.id, user: subjectOf(user, session.id), access, refresh };
    },

    async logout(db, sessionId) {
      await sessionRepository.revoke(db, sessionId, clock());
    },

    async changePassword(db, caller, input) {
      const now = clock();
      // A stolen access token must not become a way to guess the password: same budget as logins.
      await assertNotThrottled(db, caller.username, now);
      const change = await userService.preparePasswordChange(db, caller.id, input);
      if (!change) {
        await loginFailureRepository.insert(db, { username: caller.username, remoteAddress: input.remoteAddress, at: now });
        throw new AppError('VALIDATION_FAILED', 'old_password is incorrect');
      }
      const revokedSessions = await db.transaction().execute(async (tx) => {
        await userService.applyPasswordChange(tx, change, now);
        return sessionRepository.revokeOthers(tx, caller.id, caller.sessionId, now);
      });
      await loginFailureRepository.deleteForUsername(db, caller.username);
      return { revokedSessions };
    },
  };
}

/**
 * Forgets what can no longer matter: login failures older than the throttle window and sessions
 * whose refresh token expired (both kept a day longer, for an operator looking into an incident).
 */
export async function purgeExpired(db: Db, now: Date, throttleWindowS: number): Promise<{ failures: number; sessions: number }> {
  const dayMs = 86_400_000;
  const failures = await loginFailureRepository.deleteOlderThan(db, new Date(now.getTime() - throttleWindowS * 1000 - dayMs));
  const sessions = await sessionRepository.deleteExpiredBefore(db, new Date(now.getTime() - dayMs));
  return { failures, sessions };
}
