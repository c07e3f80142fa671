import Router from '@koa/router';
import type { Context } from 'koa';
import type { Database } from '../db/database.ts';
import { isAppError } from '../errors.ts';
import { z, type OpenAPIRegistry } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { BecknErrorCode } from './beckn-codes.ts';
import { ACK, becknErrorOf, httpStatusOf, nack } from './beckn-errors.ts';
import { prepare } from './beckn-flow.ts';
import * as becknMessageRepository from './beckn-message.repository.ts';
import { BECKN_ACTIONS, checkContext } from './context.ts';
import { authenticateRequest, type Registry } from './registry.ts';
import { SIGNED_HEADERS } from './signature.ts';

export interface BecknRouteDeps {
  db: Database;
  registry: OpenAPIRegistry;
  keys: Registry;
  bppId: string;
  domains: readonly string[];
  /** Off only by explicit configuration (BECKN_SIGNING=off), for development. */
  signing: boolean;
  /** Wakes the callback dispatcher once a request is acknowledged. */
  acknowledged(): void;
  now: () => Date;
}

const Ack = z.object({ message: z.object({ ack: z.object({ status: z.enum(['ACK', 'NACK']) }) }), error: z.object({ code: z.string(), paths: z.string().optional(), message: z.string() }).optional() }).openapi('BecknAck');

/**
 * POST /beckn/{action}: verify the signature, check the context, check the message, record it once,
 * answer ACK — then the callback dispatcher acts and POSTs on_{action} to bap_uri. A NACK says why,
 * with the HTTP status that fits (401 signature, 400 context or message, 404 unknown order or item,
 * 409 a replayed message id).
 */
export function becknRoutes(deps: BecknRouteDeps): Router {
  const router = new Router({ prefix: '/beckn' });
  defineRoute(router, deps.registry, {
    method: 'post', path: '/:action', summary: 'Beckn BPP endpoint (search, select, init, confirm, status, update, cancel, rating, support)',
    tags: ['Beckn BPP'],
    params: z.object({ action: z.enum(BECKN_ACTIONS) }),
    responses: {
      200: { description: 'ACK: on_{action} follows at bap_uri', schema: Ack },
      400: { description: 'NACK: invalid context or message', schema: Ack },
      401: { description: 'NACK: missing or invalid signature', schema: Ack },
      404: { description: 'NACK: the order or item named does not exist', schema: Ack },
      409: { description: 'NACK: this message id was received before', schema: Ack },
    },
  }, async (ctx, { params }) => {
    const body = (ctx.request as { body?: unknown }).body;
    const raw = (ctx.request as { rawBody?: string }).rawBody ?? '';
    const now = deps.now();

    if (deps.signing) {
      const auth = await authenticateRequest(deps.keys, { header: ctx.get('Authorization') || undefined, body: raw, now });
      const bapId = (body as { context?: { bap_id?: unknown } } | undefined)?.context?.bap_id;
      if (!auth.ok || auth.signature.subscriberId !== bapId) {
        ctx.set('WWW-Authenticate', `Signature realm="${deps.bppId}",headers="${SIGNED_HEADERS}"`);
        const why = auth.ok ? `the request is signed by ${auth.signature.subscriberId}, not by context.bap_id` : auth.message;
        return answer(ctx, 401, nack({ code: BecknErrorCode.invalidSignature, paths: 'Authorization', message: `invalid signature: ${why}` }));
      }
    }

    const checked = checkContext(body, { action: params.action, bppId: deps.bppId, domains: deps.domains, now });
    if ('rejection' in checked) {
      const r = checked.rejection;
      return answer(ctx, r.httpStatus, nack({ code: r.code, paths: r.path, message: r.message }));
    }
    const { context } = checked;
    const message = (body as { message: unknown }).message;
    try {
      await prepare(deps.db, params.action, context, message);
    } catch (err) {
      if (!isAppError(err)) throw err;
      return answer(ctx, httpStatusOf(err), nack(becknErrorOf(err)));
    }

    const fresh = await deps.db.transaction().execute(async (tx) => {
      const first = await becknMessageRepository.insertMessageOnce(tx, {
        bapId: context.bap_id, messageId: context.message_id, action: params.action, transactionId: context.transaction_id,
        bapUri: context.bap_uri, payload: { context, message },
      });
      // The callback is owed from this commit on: recorded with the message, built and sent by the dispatcher.
      if (first) {
        await becknMessageRepository.enqueueCallback(tx, {
          action: `on_${params.action}`, bapId: context.bap_id, bapUri: context.bap_uri, transactionId: context.transaction_id,
          messageId: context.message_id, body: null,
        });
      }
      return first;
    });
    if (!fresh) {
      return answer(ctx, 409, nack({ code: BecknErrorCode.duplicateMessage, paths: 'context.message_id', message: `message ${context.message_id} was received before` }));
    }
    deps.acknowledged();
    answer(ctx, 200, ACK);
  });
  return router;
}

function answer(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.body = body;
}
