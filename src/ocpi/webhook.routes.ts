import Router from '@koa/router';
import type { Config } from '../config.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { currentCpoOwner, requireTokenC } from '../http/token-c-auth.ts';
import { EvseInputSchema, LocationInputSchema } from '../locations/location-input.ts';
import * as locationService from '../locations/location.service.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

// The CPO webhooks of shared/spec/emsp-v2-cpo-api.md: a CPO back end adds locations and EVSEs with its
// token C. Every EVSE becomes an OCPP charger; its password is mailed to the CPO's contact address.

const PartyParams = z.object({
  country_code: z.string().regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code'),
  party_id: z.string().min(1).max(3),
});

const AddLocationsBody = z
  .object({
    locations: z
      .array(LocationInputSchema, { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of locations') })
      .min(1, 'must have at least one location')
      .max(100, 'must have at most 100 locations per call'),
  })
  .openapi('WebhookAddLocations');

const AddEvseBody = z
  .object({
    location_id: z.number({ error: (i) => (i.input === undefined ? 'is required' : 'must be a location id') }).int().positive(),
  })
  .and(EvseInputSchema)
  .openapi('WebhookAddEvse');

const errors = {
  400: { description: 'Invalid body or unknown reference code', schema: EnvelopedError },
  401: { description: 'Missing or unknown token C', schema: EnvelopedError },
  403: { description: 'The token belongs to another party', schema: EnvelopedError },
  409: { description: 'An EVSE uid is already registered', schema: EnvelopedError },
};

/** wss://host for the credentials mail when the public URL also serves OCPP; else the mail gives the path only. */
export function ocppBaseUrl(config: Config): string | undefined {
  if (!config.publicUrl || config.ocppPort !== undefined) return undefined;
  return config.publicUrl.replace(/^http/i, 'ws').replace(/\/+$/, '');
}

export function webhookRoutes(deps: OcpiDeps): Router {
  const { db, registry, mailer, config } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/api/v1/webhook' });
  // Mounted on the paths (not router-wide) so the middleware sees :country_code and :party_id.
  router.use(['/locations/:country_code/:party_id', '/evse/:country_code/:party_id'], requireTokenC(db));
  const serviceDeps = { mailer, ocppBaseUrl: ocppBaseUrl(config) };

  defineRoute(router, registry, {
    method: 'post', path: '/locations/:country_code/:party_id', tags: ['CPO webhooks'], security: ['bearerAuth'],
    summary: 'Add locations with their EVSEs and connectors (token C); each EVSE becomes an OCPP charger',
    params: PartyParams,
    body: AddLocationsBody,
    responses: { 200: { description: 'Created (pending review); the ids of the new locations', schema: enveloped(z.array(z.object({ location_id: z.number().int() }))) }, ...errors },
  }, async (ctx, { body }) => {
    const owner = currentCpoOwner(ctx);
    const created = await locationService.createLocations(db, owner.id, body.locations, serviceDeps);
    ok(ctx, created.locationIds.map((id) => ({ location_id: id })));
  });

  defineRoute(router, registry, {
    method: 'post', path: '/evse/:country_code/:party_id', tags: ['CPO webhooks'], security: ['bearerAuth'],
    summary: 'Add an EVSE with its connectors to one of the CPO\'s locations (token C); it becomes an OCPP charger',
    params: PartyParams,
    body: AddEvseBody,
    responses: {
      200: { description: 'Created', schema: enveloped(z.literal('SUCCESS')) },
      ...errors,
      404: { description: 'No such location of this CPO', schema: EnvelopedError },
    },
  }, async (ctx, { body }) => {
    const owner = currentCpoOwner(ctx);
    const { location_id: locationId, ...evse } = body;
    await locationService.addEvse(db, owner.id, locationId, evse, serviceDeps);
    ok(ctx, 'SUCCESS');
  });

  return router;
}
