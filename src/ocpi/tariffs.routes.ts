import Router from '@koa/router';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { TariffCreateBody, TariffPatchBody } from '../tariffs/tariff-input.ts';
import * as tariffService from '../tariffs/tariff.service.ts';
import { cpoOwnerIdOf } from './accounts.routes.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

const Id = z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer').transform(Number);
const IdParam = z.object({ id: Id });

const ListQuery = z.object({
  location_id: Id.optional().describe('Tariffs at this location (its own, its chargers’ and connectors’)'),
  evse_uid: z.string().min(1).max(100).optional().describe('Tariffs of this charger (its own and its connectors’)'),
  include_inactive: z.enum(['true', 'false']).optional().transform((v) => v === 'true').describe('Also deleted tariffs'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const decimal = (description: string) => z.string().describe(description);

const TariffOut = z
  .object({
    id: z.number().int(),
    name: z.string(),
    currency: z.string().describe('ISO 4217'),
    scope: z
      .object({
        location_id: z.number().int().nullable(),
        evse_uid: z.string().nullable(),
        connector_id: z.number().int().nullable().describe('OCPP connector number of evse_uid'),
      })
      .describe('The narrowest one set decides; all null = every charger of yours'),
    energy_price: decimal('Per kWh, 4 decimals, e.g. "18.5000"'),
    time_price: decimal('Per minute, 4 decimals'),
    session_fee: decimal('Per session, 2 decimals'),
    reservation_fee: decimal('Per reservation order, 2 decimals'),
    idle_fee: decimal('Per idle minute after the grace, 4 decimals'),
    idle_grace_minutes: z.number().int(),
    tax_percent: decimal('e.g. "12.00"'),
    discount_percent: decimal('e.g. "10.00"'),
    discount_description: z.string().nullable(),
    surcharges: z.array(z.object({ from: z.string(), to: z.string(), days: z.array(z.number().int()).optional(), percent: z.string(), description: z.string().optional() })),
    cancellation_fee_percent: decimal('e.g. "30.00"'),
    payment_methods: z.array(z.string()),
    time_zone: z.string(),
    active: z.boolean().describe('false once deleted'),
    date_created: z.string().describe('ISO 8601'),
    date_modified: z.string().describe('ISO 8601'),
  })
  .openapi('Tariff');

type TariffOut = z.infer<typeof TariffOut>;

function tariffOut(t: tariffService.CpoTariff): TariffOut {
  return {
    id: t.id,
    name: t.name,
    currency: t.currency,
    scope: { location_id: t.scope.locationId, evse_uid: t.scope.evseUid, connector_id: t.scope.ocppConnectorId },
    energy_price: t.energyPrice,
    time_price: t.timePrice,
    session_fee: t.sessionFee,
    reservation_fee: t.reservationFee,
    idle_fee: t.idleFee,
    idle_grace_minutes: t.idleGraceMinutes,
    tax_percent: t.taxPercent,
    discount_percent: t.discountPercent,
    discount_description: t.discountDescription,
    surcharges: t.surcharges,
    cancellation_fee_percent: t.cancellationFeePercent,
    payment_methods: t.paymentMethods,
    time_zone: t.timeZone,
    active: t.active,
    date_created: t.dateCreated.toISOString(),
    date_modified: t.dateModified.toISOString(),
  };
}

/** The REST body's fields in the service's terms (scope aside). */
function fieldsOf(body: Omit<TariffPatchBody, 'location_id' | 'evse_uid' | 'connector_id'>): tariffService.TariffPatch {
  return {
    name: body.name,
    currency: body.currency,
    energyPrice: body.energy_price,
    timePrice: body.time_price,
    sessionFee: body.session_fee,
    reservationFee: body.reservation_fee,
    idleFee: body.idle_fee,
    idleGraceMinutes: body.idle_grace_minutes,
    taxPercent: body.tax_percent,
    discountPercent: body.discount_percent,
    discountDescription: body.discount_description,
    surcharges: body.surcharges,
    cancellationFeePercent: body.cancellation_fee_percent,
    paymentMethods: body.payment_methods,
    timeZone: body.time_zone,
  };
}

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });
const authErrors = {
  401: errorResponse('Missing, invalid or expired access token'),
  403: errorResponse('Not a CPO_OWNER user'),
};

/**
 * The CPO's tariffs under /ocpi/cpo/api/v1 (Bearer CPO_OWNER); model and rules in docs/tariffs.md and
 * src/tariffs/tariff.service.ts. Money goes out as decimal strings at their column's scale.
 */
export function tariffRoutes(deps: OcpiDeps): Router {
  const { db, registry } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/api/v1' });
  const cpoOwner = deps.requireUser(['CPO_OWNER']);
  const tags = ['CPO: tariffs'];

  defineRoute(router, registry, {
    method: 'post', path: '/tariffs', guard: cpoOwner, summary: 'Create a tariff', tags, security: ['bearerAuth'],
    body: TariffCreateBody,
    responses: {
      201: { description: 'Created', schema: enveloped(TariffOut) },
      400: errorResponse('A field is missing or invalid (the message names it); nothing is written'),
      ...authErrors,
      404: errorResponse('The location, charger or connector named is not yours'),
    },
  }, async (ctx, { body }) => {
    const tariff = await tariffService.create(db, cpoOwnerIdOf(ctx), {
      ...fieldsOf(body),
      name: body.name,
      currency: body.currency,
      scope: { locationId: body.location_id, evseUid: body.evse_uid, connectorId: body.connector_id },
    });
    ok(ctx, tariffOut(tariff), 201);
  });
  defineRoute(router, registry, {
    method: 'get', path: '/tariffs', guard: cpoOwner, summary: 'Your tariffs, oldest first', tags, security: ['bearerAuth'],
    query: ListQuery,
    responses: { 200: { description: 'One page', schema: enveloped(z.array(TariffOut)) }, 400: errorResponse('Invalid query'), ...authErrors },
  }, async (ctx, { query }) => {
    const tariffs = await tariffService.list(db, cpoOwnerIdOf(ctx), {
      locationId: query.location_id,
      evseUid: query.evse_uid,
      includeInactive: query.include_inactive,
      limit: query.limit,
      offset: query.offset,
    });
    ok(ctx, tariffs.map(tariffOut));
  });
  defineRoute(router, registry, {
    method: 'get', path: '/tariffs/:id', guard: cpoOwner, summary: 'One of your tariffs (deleted ones too)', tags, security: ['bearerAuth'],
    params: IdParam,
    responses: { 200: { description: 'The tariff', schema: enveloped(TariffOut) }, ...authErrors, 404: errorResponse('No such tariff among yours') },
  }, async (ctx, { params }) => {
    ok(ctx, tariffOut(await tariffService.get(db, cpoOwnerIdOf(ctx), params.id)));
  });
  defineRoute(router, registry, {
    method: 'patch', path: '/tariffs/:id', guard: cpoOwner, summary: 'Change some fields of a tariff (not its scope)', tags, security: ['bearerAuth'],
    params: IdParam,
    body: TariffPatchBody,
    responses: {
      200: { description: 'The changed tariff', schema: enveloped(TariffOut) },
      400: errorResponse('A field is invalid, or the scope was given (create a new tariff instead); nothing is written'),
      ...authErrors,
      404: errorResponse('No such tariff among yours'),
      409: errorResponse('The tariff is deleted'),
    },
  }, async (ctx, { params, body }) => {
    ok(ctx, tariffOut(await tariffService.update(db, cpoOwnerIdOf(ctx), params.id, fieldsOf(body))));
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/tariffs/:id', guard: cpoOwner, summary: 'Delete a tariff (it stops applying; quoted orders keep their copy)', tags, security: ['bearerAuth'],
    params: IdParam,
    responses: { 200: { description: 'The tariff, active false (again if already deleted)', schema: enveloped(TariffOut) }, ...authErrors, 404: errorResponse('No such tariff among yours') },
  }, async (ctx, { params }) => {
    ok(ctx, tariffOut(await tariffService.deactivate(db, cpoOwnerIdOf(ctx), params.id)));
  });

  return router;
}
