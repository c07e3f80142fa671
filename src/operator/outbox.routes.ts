import type Router from '@koa/router';
import { AppError } from '../errors.ts';
import { currentUser } from '../http/auth.ts';
import { ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import * as mailService from '../mail/mail.service.ts';
import { errorResponses, Page, SECURITY, type OperatorDeps } from './operator-router.ts';

/**
 * The mail outbox, for an ADMIN: without SMTP (SMTP_URL unset) this is where one-time passwords,
 * token C and charger credentials wait to be handed over.
 */
export function outboxRoutes(router: Router, deps: OperatorDeps): void {
  defineRoute(router, deps.registry, {
    method: 'get', path: '/outbox', summary: 'Mail outbox, newest first (ADMIN)', tags: ['Operator: mail'], security: SECURITY,
    query: Page.extend({ recipient: z.string().max(320).optional() }),
    responses: { 200: { description: 'Queued and sent mail' }, ...errorResponses },
  }, async (ctx, { query }) => {
    if (currentUser(ctx).role !== 'ADMIN') throw new AppError('FORBIDDEN', 'the mail outbox is for ADMIN users');
    const rows = await mailService.list(deps.db, { recipient: query.recipient, limit: query.limit, offset: query.offset });
    ok(ctx, rows.map((m) => ({ id: m.id, recipient: m.recipient, subject: m.subject, body: m.body, created_at: m.createdAt, sent_at: m.sentAt, error: m.error })));
  });
}
