import Router from '@koa/router';
import { createAuthService } from '../auth/auth.service.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { ALL_ROLES, currentUser, requireRole, withRetryAfter } from '../http/auth.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z, type OpenAPIRegistry } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import type { TokenService } from '../security/jwt.ts';
import * as userService from '../users/user.service.ts';

export interface OperatorAuthDeps {
  db: Database;
  tokens: TokenService;
  registry: OpenAPIRegistry;
  /** Login throttling (loginMaxFailures, loginFailureWindowS). */
  auth: Pick<Config['auth'], 'loginMaxFailures' | 'loginFailureWindowS'>;
}

/** "body username: is required" rather than zod's "expected string, received undefined". */
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

const Role = z.enum(['ADMIN', 'OPERATOR', 'CPO_OWNER']).openapi('UserRole');

const LoginBody = z
  .object({
    username: text().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
    password: text().min(1, 'must not be empty').max(userService.PASSWORD_MAX_LENGTH, `must be at most ${userService.PASSWORD_MAX_LENGTH} characters`),
  })
  .openapi('LoginRequest');

const LoginData = z
  .object({
    access_token: z.string().describe('JWT to send as `Authorization: Bearer <token>`'),
    access_expires_in: z.number().int().describe('When the access token expires, in seconds since the epoch'),
    role: Role,
  })
  .openapi('LoginResult');

const NewUserBody = z
  .strictObject({
    username: text()
      .regex(userService.USERNAME_PATTERN, 'must be 3 to 64 characters of letters, digits and . _ - @'),
    password: text()
      .min(userService.PASSWORD_MIN_LENGTH, `must be at least ${userService.PASSWORD_MIN_LENGTH} characters`)
      .max(userService.PASSWORD_MAX_LENGTH, `must be at most ${userService.PASSWORD_MAX_LENGTH} characters`),
    role: z.enum(['ADMIN', 'OPERATOR'], { error: () => 'must be ADMIN or OPERATOR' }),
  })
  .openapi('NewUser');

const UserOut = z
  .object({
    id: z.number().int(),
    username: z.string(),
    role: Role,
    cpo_owner_id: z.number().int().nullable(),
    must_change_password: z.boolean(),
    disabled: z.boolean(),
    created_at: z.string().describe('ISO 8601'),
    updated_at: z.string().describe('ISO 8601'),
  })
  .openapi('User');

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });

/** Operator accounts: login (JWT access tokens), creating users, who am I. CPO `{status, data, message}` envelope. */
export function operatorAuthRoutes(deps: OperatorAuthDeps): Router {
  const { db, tokens, registry } = deps;
  const router = new Router({ prefix: '/api/v1' });
  const authenticator = createAuthenticator({ tokens, db });
  const authService = createAuthService({
    tokens,
    throttle: { maxFailures: deps.auth.loginMaxFailures, windowS: deps.auth.loginFailureWindowS },
  });

  defineRoute(router, registry, {
    method: 'post', path: '/auth/login', summary: 'Log in with username and password; returns an access token', tags: ['Auth'],
    body: LoginBody,
    responses: {
      200: { description: 'Logged in', schema: enveloped(LoginData) },
      400: errorResponse('Malformed body'),
      401: errorResponse('Invalid username or password, or the account is disabled'),
      429: errorResponse('Too many failed logins for this username: try again after Retry-After seconds'),
    },
  }, async (ctx, { body }) => {
    // This API has no refresh endpoint: the session ends with the access token (or at logout elsewhere).
    const { user, access } = await withRetryAfter(ctx, () =>
      authService.loginWithoutRefresh(db, { username: body.username, password: body.password, remoteAddress: ctx.ip || null }));
    ok(ctx, {
      access_token: access.token,
      access_expires_in: Math.floor(access.expiresAt.getTime() / 1000),
      role: user.role,
    });
  });

  defineRoute(router, registry, {
    method: 'post', path: '/users', guard: requireRole(authenticator, ['ADMIN']), summary: 'Create an operator account (ADMIN only)', tags: ['Users'],
    security: ['bearerAuth'],
    body: NewUserBody,
    responses: {
      201: { description: 'Created', schema: enveloped(UserOut) },
      400: errorResponse('Invalid username, password or role'),
      401: errorResponse('Missing, invalid or expired access token'),
      403: errorResponse('Not an ADMIN, or the password must be changed first'),
      409: errorResponse('Username already taken'),
    },
  }, async (ctx, { body }) => {
    const user = await userService.createUser(db, body);
    ok(ctx, toUserJson(user), 201);
  });
  defineRoute(router, registry, {
    method: 'get', path: '/users/me', guard: requireRole(authenticator, ALL_ROLES), summary: 'The logged-in user', tags: ['Users'],
    security: ['bearerAuth'],
    responses: {
      200: { description: 'The user the access token belongs to', schema: enveloped(UserOut) },
      401: errorResponse('Missing, invalid or expired access token'),
      403: errorResponse('The password must be changed first (PASSWORD_CHANGE_REQUIRED)'),
      404: errorResponse('The user no longer exists'),
    },
  }, async (ctx) => {
    ok(ctx, toUserJson(await userService.getById(db, currentUser(ctx).id)));
  });

  return router;
}

function toUserJson(user: userService.User): z.infer<typeof UserOut> {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    cpo_owner_id: user.cpoOwnerId,
    must_change_password: user.mustChangePassword,
    disabled: user.disabled,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
