import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { SessionSubject, TokenClaims, TokenService, TokenType } from '../security/jwt.ts';
import * as sessionRepository from './auth-session.repository.ts';

/** The caller of an authenticated request: who the session belongs to, as the database says now. */
export interface SessionUser extends SessionSubject {
  /** Logged in with a one-time password: only logout and change-old-password until it is changed. */
  mustChangePassword: boolean;
}

export interface Authenticator {
  /**
   * The caller behind an access token: a valid signature and expiry (no database), then one lookup
   * by primary key: its session must be live and its user enabled. AppError UNAUTHENTICATED with
   * `details.reason` otherwise ('revoked' and 'disabled' beside the token service's reasons).
   */
  authenticate(accessToken: string): Promise<SessionUser>;
}

export function createAuthenticator(deps: { tokens: TokenService; db: Db }): Authenticator {
  const { tokens, db } = deps;
  return {
    authenticate: async (accessToken) => (await liveSession(db, tokens.verifyAccess(accessToken), 'access')).user,
  };
}

/**
 * The session a verified token belongs to, if it may still be used. The user's role, username and
 * CPO owner are taken from the database, not the token, so a change to them applies at once.
 */
export async function liveSession(
  db: Db,
  claims: TokenClaims,
  typ: TokenType,
): Promise<{ session: sessionRepository.SessionWithUser; user: SessionUser }> {
  const session = await sessionRepository.findWithUser(db, claims.sessionId);
  // A session of another user cannot happen with our own signatures; refused all the same.
  if (!session || session.userId !== claims.id || session.revokedAt) {
    throw new AppError('UNAUTHENTICATED', `${typ} token belongs to a session that has ended (logged out or revoked); log in again`, { reason: 'revoked' });
  }
  if (session.disabled) throw new AppError('UNAUTHENTICATED', 'this account is disabled', { reason: 'disabled' });
  return {
    session,
    user: {
      id: session.userId,
      username: session.username,
      role: session.role,
      cpoOwnerId: session.cpoOwnerId,
      sessionId: session.id,
      mustChangePassword: session.mustChangePassword,
    },
  };
}
