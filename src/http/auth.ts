import type { Context, Next } from 'koa';
import type { UserRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { TokenService, TokenSubject } from '../security/jwt.ts';

/** The caller of an authenticated request, as its access token names it (`ctx.state.user`). */
export type AuthUser = TokenSubject;

export const ALL_ROLES: readonly UserRole[] = ['ADMIN', 'OPERATOR', 'CPO_OWNER'];

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;

/**
 * Koa middleware: the request must carry `Authorization: Bearer <access token>` of a user whose role
 * is one of `roles`. 401 (UNAUTHENTICATED) without a valid token, 403 (FORBIDDEN) for another role.
 * Put it before the route's own validation so an anonymous caller learns nothing about the body rules.
 */
export function requireRole(tokens: TokenService, roles: readonly UserRole[]) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('Authorization');
    if (!header) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new AppError('UNAUTHENTICATED', 'missing Authorization: Bearer <access token> header', { reason: 'missing' });
    }
    const match = BEARER.exec(header);
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_request"');
      throw new AppError('UNAUTHENTICATED', 'Authorization header must be "Bearer <access token>"', { reason: 'malformed' });
    }
    let user: AuthUser;
    try {
      const claims = tokens.verifyAccess(match[1]!);
      user = { id: claims.id, username: claims.username, role: claims.role, cpoOwnerId: claims.cpoOwnerId };
    } catch (err) {
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw err;
    }
    if (!roles.includes(user.role)) {
      throw new AppError('FORBIDDEN', `this operation needs the role ${roles.join(' or ')}`);
    }
    ctx.state.user = user;
    await next();
  };
}

/** The authenticated caller; only valid behind requireRole. */
export function currentUser(ctx: Context): AuthUser {
  const user = ctx.state.user as AuthUser | undefined;
  if (!user) throw new Error('currentUser() called on a route without requireRole()');
  return user;
}
