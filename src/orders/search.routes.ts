import type Router from '@koa/router';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import * as catalogService from '../catalog/catalog.service.ts';
import { errorResponses } from './order-responses.ts';
import { catalogPageJson } from './search-json.ts';
import { SearchBody, SearchQuery } from './order-schemas.ts';
import type { OrdersRouteDeps } from './orders-deps.ts';

/** POST /v1/search — connectors and offers near a point or on one EVSE (contract API 1). */
export function searchRoutes(router: Router, deps: OrdersRouteDeps): void {
  defineRoute(router, deps.registry, {
    method: 'post', path: '/search', guard: deps.searchGuard, summary: 'Search charging connectors and offers', tags: ['Driver orders'],
    security: ['bearerAuth'], query: SearchQuery, body: SearchBody,
    responses: { 200: { description: 'Catalogs (one per location) with connectors and offers', schema: z.record(z.string(), z.unknown()) }, ...errorResponses(400, 401, 422) },
  }, async (ctx, { query, body }) => {
    const page = await catalogService.search(deps.db, {
      ...(body.evse_id !== undefined ? { evseId: body.evse_id } : {}),
      ...(body.geo_coordinates && body.distance_meters !== undefined
        ? { near: { lat: body.geo_coordinates[0], lng: body.geo_coordinates[1], distanceMeters: body.distance_meters } }
        : {}),
      ...(body.filters?.cpo ? { cpo: body.filters.cpo } : {}),
      ...(body.filters?.station ? { station: body.filters.station } : {}),
      ...(body.filters?.connector_type ? { connectorType: body.filters.connector_type } : {}),
      ...(body.filters?.vehicle ? { vehicle: body.filters.vehicle } : {}),
      ...(body.time_window ? { timeWindow: { start: new Date(body.time_window.start), end: new Date(body.time_window.end) } } : {}),
      page: query.page,
      perPage: query.per_page,
    }, deps.orders.now());
    ctx.body = catalogPageJson(page, query.page, query.per_page);
  });
}
