import type Router from '@koa/router';
import * as chargerOverview from '../charge-points/charger-overview.service.ts';
import { CHARGE_POINT_ID_PATTERN } from '../charge-points/charge-point.service.ts';
import * as provisioningService from '../charge-points/provisioning.service.ts';
import { enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { generateChargerPassword } from '../security/password.ts';
import { booleanQuery, ChargerIdParam, errorResponses, Page, SECURITY, type OperatorDeps } from './operator-router.ts';
import * as json from './serializers.ts';

const ConnectorSpec = z.object({
  connector_id: z.number().int().min(1).max(99),
  standard: z.string().min(1).max(40).openapi({ example: 'IEC_62196_T2' }),
  format: z.enum(['SOCKET', 'CABLE']),
  power_type: z.enum(['AC_1_PHASE', 'AC_3_PHASE', 'DC']),
  max_voltage: z.number().int().positive(),
  max_amperage: z.number().int().positive(),
  max_electric_power: z.number().int().positive(),
});

const RegisterCharger = z
  .object({
    id: z.string().regex(CHARGE_POINT_ID_PATTERN, 'id: 1-48 characters of A-Z a-z 0-9 . _ : * + @ -'),
    password: z.string().min(16).max(40).nullable().optional()
      .openapi({ description: 'null: connects without credentials (closed networks only). Omit with generate_password.' }),
    generate_password: z.boolean().optional(),
    connectors: z.array(ConnectorSpec).max(32).default([]),
    location_id: z.number().int().positive().nullable().default(null),
    evse_id: z.string().max(48).nullable().default(null),
  })
  .refine((b) => (b.password !== undefined) !== Boolean(b.generate_password), {
    message: 'give either password (a string, or null for none) or generate_password: true',
    path: ['password'],
  })
  .openapi('RegisterCharger');

export function chargerRoutes(router: Router, deps: OperatorDeps): void {
  const { db, registry } = deps;

  defineRoute(router, registry, {
    method: 'get', path: '/chargers', summary: 'Chargers with online state and connectors', tags: ['Operator: chargers'], security: SECURITY,
    query: Page.extend({ online: booleanQuery.optional(), registration_status: z.enum(['Accepted', 'Pending', 'Rejected']).optional() }),
    responses: { 200: { description: 'A page of chargers', schema: enveloped(z.array(z.unknown())) }, ...errorResponses },
  }, async (ctx, { query }) => {
    const rows = await chargerOverview.list(db, {
      online: query.online,
      registrationStatus: query.registration_status,
      limit: query.limit,
      offset: query.offset,
    });
    ok(ctx, rows.map(json.chargerSummaryJson));
  });

  defineRoute(router, registry, {
    method: 'post', path: '/chargers', summary: 'Register (provision) a charger', tags: ['Operator: chargers'], security: SECURITY,
    body: RegisterCharger,
    responses: { 201: { description: 'Registered; `password` is shown once when generated' }, 409: { description: 'Already registered' }, ...errorResponses },
  }, async (ctx, { body }) => {
    const password = body.generate_password ? generateChargerPassword() : (body.password ?? null);
    const chargePoint = await provisioningService.provision(db, {
      id: body.id,
      password,
      connectors: body.connectors.map((c) => ({
        connectorId: c.connector_id,
        standard: c.standard,
        format: c.format,
        powerType: c.power_type,
        maxVoltage: c.max_voltage,
        maxAmperage: c.max_amperage,
        maxElectricPower: c.max_electric_power,
      })),
      locationId: body.location_id,
      evseId: body.evse_id,
    });
    ok(ctx, { ...json.chargePointJson(chargePoint), ...(body.generate_password ? { password } : {}) }, 201);
  });

  defineRoute(router, registry, {
    method: 'get', path: '/chargers/:id', summary: 'One charger: configuration, last boot, status history, active transactions with readings', tags: ['Operator: chargers'], security: SECURITY,
    params: ChargerIdParam,
    responses: { 200: { description: 'The charger' }, ...errorResponses },
  }, async (ctx, { params }) => {
    const d = await chargerOverview.details(db, params.id);
    ok(ctx, {
      ...json.chargePointJson(d.chargePoint),
      status: d.statuses.find((s) => s.connectorId === 0)?.status ?? null,
      connectors: json.connectorsJson(d.connectors, d.statuses),
      last_boot: json.bootJson(d.chargePoint),
      diagnostics_status: d.chargePoint.diagnosticsStatus,
      firmware_status: d.chargePoint.firmwareStatus,
      local_list_version: d.chargePoint.localListVersion,
      configuration: d.configuration.map((c) => ({ key: c.key, value: c.value, readonly: c.readonly, updated_at: c.updatedAt })),
      status_history: d.history.map((h) => ({
        connector_id: h.connectorId, status: h.status, error_code: h.errorCode, info: h.info, status_at: h.statusAt, received_at: h.receivedAt,
      })),
      active_transactions: d.activeTransactions.map((a) => ({ ...json.transactionJson(a.transaction), readings: json.readingsJson(a.readings) })),
      reservations: d.reservations.map(json.reservationJson),
      charging_profiles: d.profiles.map(json.installedProfileJson),
    });
  });
}
