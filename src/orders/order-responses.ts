import { z } from '../http/openapi.ts';

const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) })
  .openapi('OrderError');

const WHEN: Record<number, string> = {
  400: 'Malformed request: a missing or mistyped field or header (X-Transaction-Id, X-Bpp-Id)',
  401: 'Missing, invalid, expired or revoked bearer token',
  404: 'Order, EVSE or connector not found (or X-Bpp-Id names another platform)',
  409: 'The order is in the wrong state for this, or the charger could not do it now',
  422: 'A value is out of range or breaks a rule',
  503: 'No payment gateway configured',
};

/** The contract's error responses for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: WHEN[s] ?? 'Error', schema: ErrorBody }]));
}
