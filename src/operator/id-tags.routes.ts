import type Router from '@koa/router';
import { ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import * as idTagService from '../id-tags/id-tag.service.ts';
import { errorResponses, Page, SECURITY, type OperatorDeps } from './operator-router.ts';
import * as json from './serializers.ts';

const IdTag = z.string().min(1).max(20).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const Status = z.enum(['Accepted', 'Blocked', 'Expired', 'Invalid']);

export function idTagRoutes(router: Router, deps: OperatorDeps): void {
  const { db, registry } = deps;

  defineRoute(router, registry, {
    method: 'post', path: '/id-tags', summary: 'Create an id tag (RFID card, app token)', tags: ['Operator: id tags'], security: SECURITY,
    body: z.object({
      id_tag: IdTag,
      status: Status.default('Accepted'),
      expiry_date: z.coerce.date().nullable().default(null),
      parent_id_tag: IdTag.nullable().default(null),
    }).openapi('NewIdTag'),
    responses: { 201: { description: 'Created' }, 409: { description: 'Exists already' }, ...errorResponses },
  }, async (ctx, { body }) => {
    const row = await idTagService.create(db, { idTag: body.id_tag, status: body.status, expiryDate: body.expiry_date, parentIdTag: body.parent_id_tag });
    ok(ctx, json.idTagJson(row), 201);
  });

  defineRoute(router, registry, {
    method: 'get', path: '/id-tags', summary: 'Id tags', tags: ['Operator: id tags'], security: SECURITY,
    query: Page.extend({ status: Status.optional() }),
    responses: { 200: { description: 'By id tag' }, ...errorResponses },
  }, async (ctx, { query }) => {
    ok(ctx, (await idTagService.list(db, { status: query.status, limit: query.limit, offset: query.offset })).map(json.idTagJson));
  });

  for (const [verb, status] of [['block', 'Blocked'], ['unblock', 'Accepted']] as const) {
    defineRoute(router, registry, {
      method: 'post', path: `/id-tags/:id_tag/${verb}`, summary: `${verb === 'block' ? 'Block' : 'Unblock'} an id tag`, tags: ['Operator: id tags'], security: SECURITY,
      params: z.object({ id_tag: IdTag }),
      responses: { 200: { description: 'The id tag' }, ...errorResponses },
    }, async (ctx, { params }) => {
      ok(ctx, json.idTagJson(await idTagService.setStatus(db, params.id_tag, status)));
    });
  }
}
