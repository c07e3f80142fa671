import Router from '@koa/router';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import * as referenceService from '../reference/reference.service.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

const Item = z.object({ id: z.number().int(), code: z.string(), description: z.string() }).openapi('FilterItem');

const Filters = z
  .object({
    connector_types: z.array(Item),
    facilities: z.array(Item),
    capabilities: z.array(Item),
    payment_types: z.array(Item),
    parking_types: z.array(Item),
    parking_restrictions: z.array(Item),
  })
  .openapi('Filters');

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });

/** The map filters under /ocpi/cpo/2.2 for API clients (Basic): reference lists and cities by province. */
export function filterRoutes(deps: OcpiDeps): Router {
  const { db, registry } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/2.2' });
  defineRoute(router, registry, {
    method: 'get', path: '/filters', guard: deps.requireApiClient, summary: 'Default filters: connector types, facilities, capabilities, payment and parking types, parking restrictions', tags: ['CPO: filters'],
    security: ['basicAuth'],
    responses: {
      200: { description: 'Each list ordered by id', schema: enveloped(Filters) },
      401: errorResponse('Missing, invalid or revoked API client credentials'),
    },
  }, async (ctx) => {
    const f = await referenceService.filters(db);
    ok(ctx, {
      connector_types: f.connectorTypes,
      facilities: f.facilities,
      capabilities: f.capabilities,
      payment_types: f.paymentTypes,
      parking_types: f.parkingTypes,
      parking_restrictions: f.parkingRestrictions,
    } satisfies z.infer<typeof Filters>);
  });
  defineRoute(router, registry, {
    method: 'get', path: '/filters/cities/:province_name', guard: deps.requireApiClient, summary: 'Cities with published locations in a province', tags: ['CPO: filters'],
    security: ['basicAuth'],
    params: z.object({ province_name: z.string().openapi({ example: 'Zambales' }) }),
    responses: {
      200: { description: 'Distinct cities, sorted; [] for an unknown province', schema: enveloped(z.array(z.object({ city: z.string() }))) },
      400: errorResponse('Empty or overlong province name'),
      401: errorResponse('Missing, invalid or revoked API client credentials'),
    },
  }, async (ctx, { params }) => {
    const cities = await referenceService.citiesOfProvince(db, params.province_name);
    ok(ctx, cities.map((city) => ({ city })));
  });

  return router;
}
