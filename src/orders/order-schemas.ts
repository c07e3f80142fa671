import { isDecimalMultiple } from '../decimal.ts';
import { z } from '../http/openapi.ts';
import { VEHICLE_TYPES } from '../vehicles/vehicle-catalogue.ts';

// Request bodies of the driver order API, as the contract names them (snake_case, its enums).

export const PAYMENT_METHODS = ['UPI', 'Card', 'Wallet', 'BankTransfer', 'NetBanking'] as const;

const decimals = (places: number) => (v: number) => isDecimalMultiple(v, 10 ** -places);

export const TimeWindow = z
  .object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'end must be after start', path: ['end'] });

export const Vehicle = z.object({
  make: z.string().trim().min(1).max(64),
  model: z.string().trim().min(1).max(64),
  type: z.enum(VEHICLE_TYPES as unknown as [string, ...string[]]),
});

export const SearchQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

export const SearchBody = z
  .object({
    evse_id: z.string().trim().min(1).max(64).optional(),
    geo_coordinates: z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]).optional().describe('[latitude, longitude]'),
    distance_meters: z.number().min(0).max(50_000).optional(),
    time_window: TimeWindow.optional(),
    filters: z
      .object({
        cpo: z.string().trim().min(1).max(64).optional(),
        station: z.string().trim().min(1).max(64).optional(),
        connector_type: z.string().trim().min(1).max(32).optional().describe('TYPE_1, TYPE_2, CCS2 (and CCS1, CHADEMO, GBT)'),
        vehicle: Vehicle.partial().optional(),
      })
      .optional(),
  })
  .superRefine((b, ctx) => {
    const byEvse = b.evse_id !== undefined;
    const byGeo = b.geo_coordinates !== undefined || b.distance_meters !== undefined;
    if (byEvse === byGeo) {
      ctx.addIssue({ code: 'custom', message: 'give either evse_id or geo_coordinates with distance_meters, not both and not neither', path: [] });
    } else if (byGeo && (b.geo_coordinates === undefined || b.distance_meters === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'geo_coordinates and distance_meters go together', path: [b.geo_coordinates ? 'distance_meters' : 'geo_coordinates'] });
    }
  });

export const EstimateBody = z.object({
  evse_id: z.string().trim().min(1).max(64),
  connector_id: z.string().trim().min(1).max(80),
  vehicle: Vehicle,
  time_window: TimeWindow.optional(),
  energy: z
    .object({
      value: z.number().min(0.001).max(1000).refine(decimals(3), 'at most 3 decimals'),
      unit: z.enum(['kWh', 'Wh']).default('kWh'),
    })
    .refine((e) => e.unit === 'kWh' || Number.isInteger(e.value), { message: 'Wh must be a whole number', path: ['value'] })
    .optional(),
  amount: z
    .object({
      value: z.number().min(0).max(10_000_000).refine(decimals(2), 'at most 2 decimals'),
      currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code'),
    })
    .optional(),
  offer_id: z.string().regex(/^offer-[1-9][0-9]{0,9}$/, 'must be an offer id from search, offer-<n>').optional(),
});

export const PaymentBody = z.object({ payment_method: z.enum(PAYMENT_METHODS).optional() });

export const StopBody = z.object({ reason_code: z.string().trim().max(64).optional(), message: z.string().trim().max(500).optional() });

export const CancelQuery = z.object({
  activity: z.string().max(64).optional(),
  cancel_reason: z.string().max(500).optional(),
  cancel_code: z.string().max(64).optional(),
});

export const CancelBody = z.object({ cancel_reason: z.string().trim().max(500).optional(), cancel_code: z.string().trim().max(64).optional() });

export const RatingBody = z.object({
  value: z.number().int().min(1).max(5),
  feedback: z.object({ comments: z.string().max(2000).optional(), tags: z.array(z.string().trim().min(1).max(40)).max(20).optional() }).optional(),
});

export const OrderIdParam = z.object({ order_id: z.string().min(1).max(64) });

/** A decimal string of a JSON number validated above (its shortest form, never an exponent within these bounds). */
export const decimalOf = (n: number): string => String(n);
