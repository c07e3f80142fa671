import type Router from '@koa/router';
import { COMMAND_ACTIONS, isCommandAction } from '../commands/charger-commands.ts';
import * as commandService from '../commands/command.service.ts';
import * as chargingProfileService from '../charging-profiles/charging-profile.service.ts';
import { AppError } from '../errors.ts';
import { currentUser } from '../http/auth.ts';
import { enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import * as reservationService from '../reservations/reservation.service.ts';
import { ChargerIdParam, errorResponses, Page, SECURITY, type OperatorDeps } from './operator-router.ts';
import * as json from './serializers.ts';

const CommandAnswer = enveloped(
  z.object({ command_id: z.number().int(), action: z.string(), response: z.record(z.string(), z.unknown()) }),
).openapi('CommandAnswer');

const commandErrors = {
  ...errorResponses,
  409: { description: 'The charger is not connected' },
  502: { description: 'The charger answered with a CALLERROR (details carry its code)' },
  504: { description: 'The charger did not answer in time' },
};

export function chargerCommandRoutes(router: Router, deps: OperatorDeps): void {
  const { db, gateway, registry } = deps;

  defineRoute(router, registry, {
    method: 'post', path: '/chargers/:id/commands/:action', tags: ['Operator: commands'], security: SECURITY,
    summary: 'Send an OCPP 1.6 command; answers the charger\'s response',
    params: ChargerIdParam.extend({ action: z.string().openapi({ enum: [...COMMAND_ACTIONS] }) }),
    query: z.object({ timeout_ms: z.coerce.number().int().min(100).max(300_000).optional() }),
    body: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The OCPP 1.6 request payload of the action, e.g. {"type":"Soft"} for Reset' }),
    responses: { 200: { description: 'The charger answered', schema: CommandAnswer }, ...commandErrors },
  }, async (ctx, { params, query, body }) => {
    if (!isCommandAction(params.action)) {
      throw new AppError('NOT_FOUND', `unknown command ${params.action}; one of ${COMMAND_ACTIONS.join(', ')}`);
    }
    const outcome = await commandService.execute(db, gateway, params.id, params.action, body ?? {}, {
      requestedBy: `user:${currentUser(ctx).username}`,
      ...(query.timeout_ms ? { timeoutMs: query.timeout_ms } : {}),
    });
    ok(ctx, { command_id: outcome.commandId, action: params.action, response: outcome.response });
  });

  defineRoute(router, registry, {
    method: 'get', path: '/chargers/:id/commands', summary: 'Recent commands sent to a charger', tags: ['Operator: commands'], security: SECURITY,
    params: ChargerIdParam, query: Page.extend({ action: z.string().max(40).optional() }),
    responses: { 200: { description: 'Newest first' }, ...errorResponses },
  }, async (ctx, { params, query }) => {
    const rows = await commandService.listCommands(db, { chargePointId: params.id, action: query.action, limit: query.limit, offset: query.offset });
    ok(ctx, rows.map(json.commandJson));
  });

  defineRoute(router, registry, {
    method: 'get', path: '/commands', summary: 'Recent commands to all chargers', tags: ['Operator: commands'], security: SECURITY,
    query: Page.extend({ action: z.string().max(40).optional() }),
    responses: { 200: { description: 'Newest first' }, ...errorResponses },
  }, async (ctx, { query }) => {
    ok(ctx, (await commandService.listCommands(db, { action: query.action, limit: query.limit, offset: query.offset })).map(json.commandJson));
  });

  defineRoute(router, registry, {
    method: 'get', path: '/chargers/:id/reservations', summary: 'Reservations of a charger', tags: ['Operator: reservations'], security: SECURITY,
    params: ChargerIdParam,
    query: z.object({ status: z.enum(['requested', 'reserved', 'rejected', 'used', 'expired', 'cancelled']).optional() }),
    responses: { 200: { description: 'Newest first' }, ...errorResponses },
  }, async (ctx, { params, query }) => {
    ok(ctx, (await reservationService.list(db, params.id, query.status)).map(json.reservationJson));
  });

  defineRoute(router, registry, {
    method: 'get', path: '/chargers/:id/charging-profiles', summary: 'Charging profiles a charger holds', tags: ['Operator: smart charging'], security: SECURITY,
    params: ChargerIdParam,
    responses: { 200: { description: 'As confirmed by the charger' }, ...errorResponses },
  }, async (ctx, { params }) => {
    ok(ctx, (await chargingProfileService.listInstalled(db, params.id)).map(json.installedProfileJson));
  });

  defineRoute(router, registry, {
    method: 'post', path: '/chargers/:id/charging-profiles', summary: 'Install a named charging profile (SetChargingProfile)', tags: ['Operator: smart charging'], security: SECURITY,
    params: ChargerIdParam,
    body: z.object({
      charging_profile_id: z.number().int().positive(),
      connector_id: z.number().int().min(0),
      transaction_id: z.number().int().positive().optional(),
    }),
    responses: { 200: { description: 'The charger answered', schema: CommandAnswer }, ...commandErrors },
  }, async (ctx, { params, body }) => {
    const named = await chargingProfileService.getNamed(db, body.charging_profile_id);
    const payload = { connectorId: body.connector_id, csChargingProfiles: chargingProfileService.toChargerProfile(named, body.transaction_id) };
    const outcome = await commandService.execute(db, gateway, params.id, 'SetChargingProfile', payload, {
      requestedBy: `user:${currentUser(ctx).username}`,
    });
    ok(ctx, { command_id: outcome.commandId, action: 'SetChargingProfile', response: outcome.response });
  });
}
