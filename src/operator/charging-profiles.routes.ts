import type Router from '@koa/router';
import { isDecimalMultiple } from '../decimal.ts';
import * as chargingProfileService from '../charging-profiles/charging-profile.service.ts';
import { ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { errorResponses, SECURITY, type OperatorDeps } from './operator-router.ts';
import * as json from './serializers.ts';

// Decimal limits are given with at most one fraction digit, as the OCPP 1.6 schema (multipleOf 0.1) wants.
const oneDecimal = z.number().refine((n) => isDecimalMultiple(n, 0.1), 'at most one decimal (OCPP multipleOf 0.1)');

const Schedule = z.object({
  duration: z.number().int().positive().optional(),
  start_schedule: z.coerce.date().optional(),
  charging_rate_unit: z.enum(['A', 'W']),
  periods: z.array(z.object({
    start_period: z.number().int().min(0),
    limit: oneDecimal.refine((n) => n >= 0, 'limit must not be negative'),
    number_phases: z.number().int().min(1).max(3).optional(),
  })).min(1).max(48),
  min_charging_rate: oneDecimal.optional(),
});

const NamedProfile = z.object({
  name: z.string().min(1).max(80),
  purpose: z.enum(['ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile']),
  stack_level: z.number().int().min(0).max(100),
  kind: z.enum(['Absolute', 'Recurring', 'Relative']),
  recurrency_kind: z.enum(['Daily', 'Weekly']).optional(),
  valid_from: z.coerce.date().optional(),
  valid_to: z.coerce.date().optional(),
  schedule: Schedule,
}).openapi('NamedChargingProfile');

export function chargingProfileRoutes(router: Router, deps: OperatorDeps): void {
  const { db, registry } = deps;

  defineRoute(router, registry, {
    method: 'post', path: '/charging-profiles', summary: 'Create a named charging profile', tags: ['Operator: smart charging'], security: SECURITY,
    body: NamedProfile,
    responses: { 201: { description: 'Created' }, 409: { description: 'Name taken' }, ...errorResponses },
  }, async (ctx, { body }) => {
    const s = body.schedule;
    const row = await chargingProfileService.createNamed(db, {
      name: body.name,
      purpose: body.purpose,
      stackLevel: body.stack_level,
      kind: body.kind,
      recurrencyKind: body.recurrency_kind ?? null,
      validFrom: body.valid_from ?? null,
      validTo: body.valid_to ?? null,
      schedule: {
        ...(s.duration !== undefined ? { duration: s.duration } : {}),
        ...(s.start_schedule ? { startSchedule: s.start_schedule.toISOString() } : {}),
        chargingRateUnit: s.charging_rate_unit,
        chargingSchedulePeriod: s.periods.map((p) => ({
          startPeriod: p.start_period,
          limit: p.limit,
          ...(p.number_phases !== undefined ? { numberPhases: p.number_phases } : {}),
        })),
        ...(s.min_charging_rate !== undefined ? { minChargingRate: s.min_charging_rate } : {}),
      },
    });
    ok(ctx, json.chargingProfileJson(row), 201);
  });

  defineRoute(router, registry, {
    method: 'get', path: '/charging-profiles', summary: 'Named charging profiles', tags: ['Operator: smart charging'], security: SECURITY,
    responses: { 200: { description: 'By name' }, ...errorResponses },
  }, async (ctx) => {
    ok(ctx, (await chargingProfileService.listNamed(db)).map(json.chargingProfileJson));
  });
}
