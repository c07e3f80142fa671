import Router from '@koa/router';
import * as pendingService from '../cpo/pending.service.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { cpoOwnerIdOf } from './accounts.routes.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

export const NO_PENDING = 'NO_PENDING_LOCATIONS_AND_EVSES';

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });
const Id = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a positive integer').transform(Number);

const PendingQuery = z.object({
  cpo_owner_id: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const PendingLocation = z
  .object({
    id: z.number().int(),
    cpo_owner_id: z.number().int(),
    cpo_owner_name: z.string(),
    country_code: z.string(),
    party_id: z.string(),
    name: z.string(),
    address: z.string(),
    city: z.string().nullable(),
    province: z.string().nullable(),
    evse_count: z.number().int(),
    date_created: z.string().describe('ISO 8601'),
  })
  .openapi('PendingLocation');

const PendingEvse = z
  .object({
    id: z.number().int(),
    uid: z.string().describe("The charger's OCPP identity"),
    evse_id: z.string().nullable(),
    location_id: z.number().int(),
    location_name: z.string(),
    cpo_owner_id: z.number().int(),
    registered: z.boolean().describe('Whether the charger is provisioned (it has not booted yet either way)'),
    date_created: z.string().describe('ISO 8601'),
  })
  .openapi('PendingEvse');

const adminErrors = {
  400: errorResponse('Invalid query or id'),
  401: errorResponse('Missing, invalid or expired access token'),
  403: errorResponse('Not an ADMIN'),
};

/**
 * What is not live yet (rules: src/cpo/pending.service.ts). For the CPO's user (Bearer CPO_OWNER):
 * GET /ocpi/cpo/2.2/locations/pending, its own counts, or NO_PENDING_LOCATIONS_AND_EVSES when both are
 * zero. For eMSP administrators (Bearer ADMIN, under /api/v1): the approval queue and the approval.
 */
export function pendingRoutes(deps: OcpiDeps): Router[] {
  const { db, registry } = deps;

  const cpo = new Router({ prefix: '/ocpi/cpo/2.2' });
  cpo.get('/locations/pending', deps.requireUser(['CPO_OWNER']));
  defineRoute(cpo, registry, {
    method: 'get', path: '/locations/pending', summary: 'Counts of your pending locations and EVSEs', tags: ['CPO: pending'],
    security: ['bearerAuth'],
    responses: {
      200: {
        description: `[{pending_locations, pending_evses}], or the string ${NO_PENDING} when both are 0`,
        schema: enveloped(z.union([z.array(z.object({ pending_locations: z.number().int(), pending_evses: z.number().int() })), z.literal(NO_PENDING)])),
      },
      401: errorResponse('Missing, invalid or expired access token'),
      403: errorResponse('Not a CPO_OWNER user'),
    },
  }, async (ctx) => {
    const counts = await pendingService.countsFor(db, cpoOwnerIdOf(ctx));
    if (counts.pendingLocations === 0 && counts.pendingEvses === 0) ok(ctx, NO_PENDING);
    else ok(ctx, [{ pending_locations: counts.pendingLocations, pending_evses: counts.pendingEvses }]);
  });

  const admin = new Router({ prefix: '/api/v1' });
  const adminOnly = deps.requireUser(['ADMIN']);

  admin.get('/pending/locations', adminOnly);
  defineRoute(admin, registry, {
    method: 'get', path: '/pending/locations', summary: 'Locations waiting for approval (ADMIN)', tags: ['Admin: approvals'],
    security: ['bearerAuth'],
    query: PendingQuery,
    responses: { 200: { description: 'Oldest first', schema: enveloped(z.array(PendingLocation)) }, ...adminErrors },
  }, async (ctx, { query }) => {
    const rows = await pendingService.listPendingLocations(db, { cpoOwnerId: query.cpo_owner_id, limit: query.limit, offset: query.offset });
    ok(
      ctx,
      rows.map((r) => ({
        id: r.id,
        cpo_owner_id: r.cpoOwnerId,
        cpo_owner_name: r.cpoOwnerName,
        country_code: r.countryCode,
        party_id: r.partyId,
        name: r.name,
        address: r.address,
        city: r.city,
        province: r.province,
        evse_count: Number(r.evseCount ?? 0),
        date_created: r.dateCreated.toISOString(),
      }) satisfies z.infer<typeof PendingLocation>),
    );
  });

  admin.get('/pending/evses', adminOnly);
  defineRoute(admin, registry, {
    method: 'get', path: '/pending/evses', summary: 'EVSEs whose charger has not booted yet (ADMIN)', tags: ['Admin: approvals'],
    security: ['bearerAuth'],
    query: PendingQuery,
    responses: { 200: { description: 'Oldest first', schema: enveloped(z.array(PendingEvse)) }, ...adminErrors },
  }, async (ctx, { query }) => {
    const rows = await pendingService.listPendingEvses(db, { cpoOwnerId: query.cpo_owner_id, limit: query.limit, offset: query.offset });
    ok(
      ctx,
      rows.map((r) => ({
        id: r.id,
        uid: r.uid,
        evse_id: r.evseId,
        location_id: r.locationId!,
        location_name: r.locationName,
        cpo_owner_id: r.cpoOwnerId,
        registered: Boolean(r.registered),
        date_created: r.dateCreated.toISOString(),
      }) satisfies z.infer<typeof PendingEvse>),
    );
  });

  admin.post('/locations/:id/approve', adminOnly);
  defineRoute(admin, registry, {
    method: 'post', path: '/locations/:id/approve', summary: 'Approve (publish) a location (ADMIN)', tags: ['Admin: approvals'],
    security: ['bearerAuth'],
    params: z.object({ id: Id }),
    responses: {
      200: { description: 'Published (approving again changes nothing)', schema: enveloped(z.object({ id: z.number().int(), name: z.string(), publish: z.boolean() })) },
      ...adminErrors,
      404: errorResponse('No such location'),
    },
  }, async (ctx, { params }) => {
    const location = await pendingService.approveLocation(db, params.id);
    ok(ctx, { id: location.id, name: location.name, publish: location.publish });
  });

  return [cpo, admin];
}
