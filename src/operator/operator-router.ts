import Router from '@koa/router';
import { createAuthenticator } from '../auth/authenticator.ts';
import type { ChargerGateway } from '../commands/charger-gateway.ts';
import type { Database } from '../db/database.ts';
import { requireRole } from '../http/auth.ts';
import { z, type OpenAPIRegistry } from '../http/openapi.ts';
import type { TokenService } from '../security/jwt.ts';

export interface OperatorDeps {
  db: Database;
  gateway: ChargerGateway;
  tokens: TokenService;
  registry: OpenAPIRegistry;
}

/** A router under /api/v1 for ADMIN and OPERATOR users (errors use the envelope app.ts assigns to /api/). */
export function operatorRouter(deps: OperatorDeps): Router {
  const router = new Router({ prefix: '/api/v1' });
  router.use(requireRole(createAuthenticator({ tokens: deps.tokens, db: deps.db }), ['ADMIN', 'OPERATOR']));
  return router;
}

export const SECURITY: Array<'bearerAuth'> = ['bearerAuth'];

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ChargerIdParam = z.object({ id: z.string().min(1).max(48) });

export const errorResponses = {
  400: { description: 'Invalid input' },
  401: { description: 'Missing or invalid access token' },
  403: { description: 'Not an ADMIN or OPERATOR' },
  404: { description: 'Not found' },
};
