import type { Context, Next } from 'koa';
import type { RateLimitDetails } from '../auth/auth.service.ts';
import type { Authenticator, SessionUser } from '../auth/authenticator.ts';
import type { UserRole } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';

/** The caller of an authenticated request, as its access token and live session name it (`ctx.state.user`). */
export type AuthUser = SessionUser;

export const ALL_ROLES: readonly UserRole[] = ['ADMIN', 'OPERATOR', 'CPO_OWNER'];

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;

export interface RequireRoleOptions {
  /**
   * Let a user who must change their password through (logout, change-old-password). Everywhere
   * else such a user is refused with 403 PASSWORD_CHANGE_REQUIRED.
   */
  allowPendingPasswordChange?: boolean;
}

/**
 * Koa middleware: the request must carry `Authorization: Bearer <access token>` of a live session
 * whose user has one of `roles`. 401 (UNAUTHENTICATED) without a valid token or once the session has
 * ended, 403 (FORBIDDEN) for another role, 403 (PASSWORD_CHANGE_REQUIRED) while the password must change.
 * Put it before the route's own validation so an anonymous caller learns nothing about the body rules.
 */
export function requireRole(authenticator: Authenticator, roles: readonly UserRole[], options: RequireRoleOptions = {}) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const token = bearerToken(ctx, 'access');
    let user: AuthUser;
    try {
      user = await authenticator.authenticate(token);
    } catch (err) {
      if (isAppError(err) && err.code === 'UNAUTHENTICATED') ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw err;
    }
    if (!roles.includes(user.role)) {
      throw new AppError('FORBIDDEN', `this operation needs the role ${roles.join(' or ')}`);
    }
    if (user.mustChangePassword && !options.allowPendingPasswordChange) {
      throw new AppError(
        'PASSWORD_CHANGE_REQUIRED',
        'the password of this account must be changed first (POST /ocpi/cpo/api/auth/v1/change-old-password)',
      );
    }
    ctx.state.user = user;
    await next();
  };
}

/**
 * The token of `Authorization: Bearer <token>`; 401 with a WWW-Authenticate challenge when the header
 * is missing or not of that form. `kind` only words the message.
 */
export function bearerToken(ctx: Context, kind: 'access' | 'refresh'): string {
  const header = ctx.get('Authorization');
  if (!header) {
    ctx.set('WWW-Authenticate', 'Bearer');
    throw new AppError('UNAUTHENTICATED', `missing Authorization: Bearer <${kind} token> header`, { reason: 'missing' });
  }
  const match = BEARER.exec(header);
  if (!match) {
    ctx.set('WWW-Authenticate', 'Bearer error="invalid_request"');
    throw new AppError('UNAUTHENTICATED', `Authorization header must be "Bearer <${kind} token>"`, { reason: 'malformed' });
  }
  return match[1]!;
}

/** Runs `action`; a RATE_LIMITED refusal (login throttling) also says when to retry in a Retry-After header. */
export async function withRetryAfter<T>(ctx: Context, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (isAppError(err) && err.code === 'RATE_LIMITED') {
      const seconds = (err.details as Partial<RateLimitDetails> | undefined)?.retry_after_s;
      if (typeof seconds === 'number') ctx.set('Retry-After', String(seconds));
    }
    throw err;
  }
}

/** The authenticated caller; only valid behind requireRole. */
export function currentUser(ctx: Context): AuthUser {
  const user = ctx.state.user as AuthUser | undefined;
  if (!user) throw new Error('currentUser() called on a route without requireRole()');
  return user;
}
