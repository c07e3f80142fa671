import Router from '@koa/router';
import type { Context } from 'koa';
import { createAuthService, type SessionTokens } from '../auth/auth.service.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import { ALL_ROLES, bearerToken, currentUser, requireRole, withRetryAfter } from '../http/auth.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { isAppError } from '../errors.ts';
import * as userService from '../users/user.service.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

/** "body username: is required" rather than zod's "expected string, received undefined". */
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
const MAX = userService.PASSWORD_MAX_LENGTH;
const MIN = userService.PASSWORD_MIN_LENGTH;

const LoginBody = z
  .object({
    username: text().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
    password: text().min(1, 'must not be empty').max(MAX, `must be at most ${MAX} characters`),
  })
  .openapi('CpoLoginRequest');

const TokenPair = z
  .object({
    access_token: z.string().describe('JWT to send as `Authorization: Bearer <token>`'),
    access_expires_in: z.number().int().describe('When the access token expires, in seconds since the epoch'),
    refresh_token: z.string().describe('JWT to send to GET /ocpi/cpo/api/auth/v1/refresh; usable once'),
    refresh_expires_in: z.number().int().describe('When the refresh token expires, in seconds since the epoch'),
    role: z.enum(['ADMIN', 'OPERATOR', 'CPO_OWNER']),
  })
  .openapi('CpoTokenPair');

const ChangePasswordBody = z
  .object({
    old_password: text().min(1, 'must not be empty').max(MAX, `must be at most ${MAX} characters`),
    new_password: text().min(MIN, `must be at least ${MIN} characters`).max(MAX, `must be at most ${MAX} characters`),
  })
  .refine((b) => b.new_password !== b.old_password, { path: ['new_password'], message: 'must differ from old_password' })
  .openapi('ChangeOldPasswordRequest');

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });
const epochS = (date: Date) => Math.floor(date.getTime() / 1000);

/** CPO login sessions (shared/spec/emsp-v2-cpo-api.md): login, refresh, logout, change-old-password. */
export function cpoAuthRoutes(deps: OcpiDeps): Router {
  const { db, registry, tokens } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/api/auth/v1' });
  const auth = createAuthService({
    tokens,
    throttle: { maxFailures: deps.config.auth.loginMaxFailures, windowS: deps.config.auth.loginFailureWindowS },
    log: deps.log.child({ component: 'auth' }),
  });
  // Not deps.requireUser: these two must stay open to a user who still has to change the one-time password.
  const signedIn = requireRole(createAuthenticator({ tokens, db }), ALL_ROLES, { allowPendingPasswordChange: true });

  const tokenPairJson = (s: SessionTokens): z.infer<typeof TokenPair> => ({
    access_token: s.access.token,
    access_expires_in: epochS(s.access.expiresAt),
    refresh_token: s.refresh.token,
    refresh_expires_in: epochS(s.refresh.expiresAt),
    role: s.user.role,
  });

  defineRoute(router, registry, {
    method: 'post', path: '/login', guard: deps.requireApiClient, summary: 'Log in with username and password; returns access and refresh tokens', tags: ['CPO auth'],
    security: ['basicAuth'],
    body: LoginBody,
    responses: {
      200: { description: 'Logged in (message "SUCCESS")', schema: enveloped(TokenPair) },
      400: errorResponse('Malformed body'),
      401: errorResponse('Missing or invalid API client, invalid username or password, or a disabled account'),
      429: errorResponse('Too many failed logins for this username: try again after Retry-After seconds'),
    },
  }, async (ctx, { body }) => {
    const session = await withRetryAfter(ctx, () =>
      auth.login(db, { username: body.username, password: body.password, remoteAddress: ctx.ip || null }));
    ok(ctx, tokenPairJson(session), 200, 'SUCCESS');
  });

  defineRoute(router, registry, {
    method: 'get', path: '/refresh', summary: 'Exchange a refresh token for a new access and refresh token (rotation)', tags: ['CPO auth'],
    security: ['bearerAuth'],
    responses: {
      200: { description: 'New tokens (message "SUCCESS"); the presented refresh token is spent', schema: enveloped(TokenPair) },
      401: errorResponse('Missing, invalid, expired or already used refresh token (reuse revokes the session), or an ended session'),
    },
  }, async (ctx) => {
    const token = bearerToken(ctx, 'refresh');
    const session = await invalidTokenChallenge(ctx, () => auth.refresh(db, token));
    ok(ctx, tokenPairJson(session), 200, 'SUCCESS');
  });
  defineRoute(router, registry, {
    method: 'post', path: '/logout', guard: signedIn, summary: 'End the session: its access and refresh tokens stop working at once', tags: ['CPO auth'],
    security: ['bearerAuth'],
    responses: {
      200: { description: 'Logged out', schema: enveloped(z.array(z.unknown()).max(0)) },
      401: errorResponse('Missing, invalid or expired access token, or an ended session'),
    },
  }, async (ctx) => {
    await auth.logout(db, currentUser(ctx).sessionId);
    ok(ctx, [], 200, 'Logged out successfully');
  });
  defineRoute(router, registry, {
    method: 'post', path: '/change-old-password', guard: signedIn, summary: 'Change the password (required after a one-time password); ends the other sessions', tags: ['CPO auth'],
    security: ['bearerAuth'],
    body: ChangePasswordBody,
    responses: {
      200: { description: 'Changed', schema: enveloped(z.literal('SUCCESS')) },
      400: errorResponse('Wrong old password, or an unfit new one'),
      401: errorResponse('Missing, invalid or expired access token, or an ended session'),
      429: errorResponse('Too many wrong passwords for this username: try again after Retry-After seconds'),
    },
  }, async (ctx, { body }) => {
    await withRetryAfter(ctx, () =>
      auth.changePassword(db, currentUser(ctx), { oldPassword: body.old_password, newPassword: body.new_password, remoteAddress: ctx.ip || null }));
    ok(ctx, 'SUCCESS', 200, 'Success');
  });

  return router;
}

/** A refused token gets the RFC 6750 challenge, as behind requireRole. */
async function invalidTokenChallenge<T>(ctx: Context, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (isAppError(err) && err.code === 'UNAUTHENTICATED') ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
    throw err;
  }
}
