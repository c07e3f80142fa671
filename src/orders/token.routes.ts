import type Router from '@koa/router';
import * as clientToken from '../api-clients/api-client-token.ts';
import { AppError } from '../errors.ts';
import { parseBasic } from '../http/api-client-auth.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { errorResponses } from './order-responses.ts';
import type { OrdersRouteDeps } from './orders-deps.ts';

const TokenBody = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().min(1).max(64).optional(),
  client_secret: z.string().min(1).max(256).optional(),
});

/**
 * POST /v1/auth/token — the OAuth 2.0 client-credentials grant: an API client (issued by an
 * administrator: `npm run admin -- create-api-client`) trades its id and secret, as HTTP Basic or in
 * the body, for the bearer token every other /v1 endpoint wants.
 */
export function tokenRoutes(router: Router, deps: OrdersRouteDeps): void {
  defineRoute(router, deps.registry, {
    method: 'post', path: '/auth/token', summary: 'Bearer token for an API client (client credentials)', tags: ['Driver orders: auth'],
    security: ['basicAuth'], body: TokenBody,
    responses: {
      200: { description: 'A bearer token', schema: z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }) },
      ...errorResponses(400, 401),
    },
  }, async (ctx, { body }) => {
    const basic = parseBasic(ctx.get('Authorization') || undefined);
    const id = basic?.id ?? body.client_id;
    const secret = basic?.secret ?? body.client_secret;
    if (!id || !secret) throw new AppError('UNAUTHENTICATED', 'client credentials required: HTTP Basic, or client_id and client_secret');
    const issued = await clientToken.issue(deps.db, deps.tokens, id, secret);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn };
  });
}
