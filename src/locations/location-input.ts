import { z } from 'zod';
import { CHARGE_POINT_ID_PATTERN } from '../charge-points/charge-point.service.ts';

// What a CPO sends to create a location, an EVSE or a connector: the webhook bodies
// (shared/spec/emsp-v2-cpo-api.md) and the rows of the CSV import (docs/csv-import.md) are validated by
// the same schemas, so both ways in accept exactly the same values. Field names are the spec's
// (snake_case); the schemas turn them into the camelCase domain types below.
//
// Reference codes (facilities, capabilities, connector standards…) are only checked for shape here:
// whether a code exists is a question for the database's reference tables (location.service).

/** OCPI 2.2 EVSE statuses. */
export const EVSE_STATUSES = ['AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN'] as const;
export const CONNECTOR_FORMATS = ['SOCKET', 'CABLE'] as const;
export const POWER_TYPES = ['AC_1_PHASE', 'AC_3_PHASE', 'DC'] as const;

export type EvseStatus = (typeof EVSE_STATUSES)[number];
export type ConnectorFormat = (typeof CONNECTOR_FORMATS)[number];
export type PowerType = (typeof POWER_TYPES)[number];

export interface LocationFields {
  name: string;
  address: string;
  /** Decimal degrees as a string: the column is numeric(9,6) and never goes through a float. */
  lat: string;
  lng: string;
  city: string | null;
  province: string | null;
  region: string | null;
  postalCode: string | null;
  /** ISO 3166 alpha-2, upper case; null → the CPO's own country. */
  countryCode: string | null;
  facilities: string[];
  parkingTypes: string[];
  parkingRestrictions: string[];
}

export interface EvseFields {
  /** The charger's OCPP identity (it connects to /ocpp/{uid}); unique across the system. */
  uid: string;
  evseId: string | null;
  serialNumber: string | null;
  meterType: string | null;
  status: EvseStatus;
  kwh: string | null;
  capabilities: string[];
  paymentTypes: string[];
}

export interface ConnectorFields {
  /** OCPP connectorId; null → its position in the EVSE's list (1..n). */
  connectorId: number | null;
  standard: string;
  format: ConnectorFormat;
  powerType: PowerType;
  maxVoltage: number;
  maxAmperage: number;
  maxElectricPower: number;
  /** A connector_type code; null → the same as `standard`. */
  connectorType: string | null;
  rateSetting: string | null;
}

export interface EvseInput extends EvseFields {
  connectors: ConnectorFields[];
}

export interface LocationInput extends LocationFields {
  evses: EvseInput[];
}

const INT4_MAX = 2_147_483_647;

/** "is required" for a missing field, `must be …` for one of the wrong type. */
const expecting = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined || issue.input === null ? 'is required' : `must be ${what}`),
});

const requiredText = (max: number) =>
  z.string(expecting('a string')).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** Absent, null and '' all mean "not given". */
const optionalText = (max: number) =>
  z
    .string(expecting('a string'))
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A decimal given as a JSON number or as a string ("14.12345", as the spec's webhook example sends
 * coordinates), kept as a string so the numeric column receives exactly what was written.
 */
function decimal(what: string, min: number, max: number, maxFractionDigits?: number) {
  return z.union([z.number(), z.string()], expecting(`a number (${what})`)).transform((value, ctx) => {
    const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
    if (!DECIMAL.test(text)) {
      ctx.addIssue({ code: 'custom', message: `must be a decimal number (${what})` });
      return z.NEVER;
    }
    const n = Number(text);
    if (n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}` });
      return z.NEVER;
    }
    const fraction = text.split('.')[1] ?? '';
    if (maxFractionDigits !== undefined && fraction.length > maxFractionDigits) {
      ctx.addIssue({ code: 'custom', message: `must have at most ${maxFractionDigits} decimal places` });
      return z.NEVER;
    }
    return text.replace(/^\+/, '');
  });
}

/** A whole number, as a JSON number or a string of digits (a CSV cell). */
function integer(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.union([z.number(), z.string()], expecting('a whole number')).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return n;
  });
}

/** An upper-cased choice from `values`, with the accepted values in the error. */
function choice<const T extends readonly [string, ...string[]]>(values: T, aliases: Record<string, T[number]> = {}) {
  const message = `must be one of ${values.join(', ')}`;
  const described = Object.keys(aliases).length > 0 ? `One of ${values.join(', ')} (also ${Object.entries(aliases).map(([a, v]) => `${a} = ${v}`).join(', ')})` : `One of ${values.join(', ')}`;
  return z.string(expecting('a string')).describe(described).transform((value, ctx): T[number] => {
    const v = value.trim().toUpperCase();
    const found = (values as readonly string[]).includes(v) ? (v as T[number]) : aliases[v];
    if (found === undefined) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return found;
  });
}

/** A reference-table code (its existence is checked against the table, not here). */
const code = z
  .string(expecting('a string code'))
  .trim()
  .min(1, 'must not be empty')
  .max(40, 'must be at most 40 characters')
  .transform((v) => v.toUpperCase());

/** A list of codes; null/absent → none, repeats dropped. */
const codes = z
  .array(code, expecting('a list of codes'))
  .max(50, 'must have at most 50 entries')
  .nullish()
  .transform((list) => [...new Set(list ?? [])]);

export const locationFieldsShape = {
  name: requiredText(255),
  address: requiredText(500),
  lat: decimal('latitude in degrees', -90, 90),
  lng: decimal('longitude in degrees', -180, 180),
  city: optionalText(100),
  province: optionalText(100),
  region: optionalText(100),
  postal_code: optionalText(20),
  country_code: z
    .string(expecting('a two-letter country code'))
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code (ISO 3166-1 alpha-2)')
    .transform((v) => v.toUpperCase())
    .nullish()
    .transform((v) => v ?? null),
  facilities: codes,
  parking_types: codes,
  parking_restrictions: codes,
};

export const evseFieldsShape = {
  uid: z
    .string(expecting('a string'))
    .trim()
    .regex(CHARGE_POINT_ID_PATTERN, 'must be 1-48 characters of A-Z a-z 0-9 . _ : * + @ - (it is the charger\'s OCPP identity)'),
  evse_id: optionalText(48),
  serial_number: optionalText(100),
  meter_type: optionalText(50),
  status: choice(EVSE_STATUSES).nullish().transform((v) => v ?? 'AVAILABLE'),
  kwh: decimal('kWh', 0, 9_999_999, 3).nullish().transform((v) => v ?? null),
  capabilities: codes,
  payment_types: codes,
};

export const connectorShape = {
  connector_id: integer(1, 99).nullish().transform((v) => v ?? null),
  standard: code,
  format: choice(CONNECTOR_FORMATS),
  // The spec's own example says "AC" (230 V, 16 A: a single-phase socket): read as AC_1_PHASE.
  power_type: choice(POWER_TYPES, { AC: 'AC_1_PHASE' }),
  max_voltage: integer(1, INT4_MAX),
  max_amperage: integer(1, INT4_MAX),
  max_electric_power: integer(1, INT4_MAX),
  connector_type: code.nullish().transform((v) => v ?? null),
  rate_setting: decimal('price', 0, 99_999_999, 2).nullish().transform((v) => v ?? null),
};

type Out<S extends Record<string, z.ZodType>> = { [K in keyof S]: z.output<S[K]> };

const toLocationFields = (v: Out<typeof locationFieldsShape>): LocationFields => ({
  name: v.name,
  address: v.address,
  lat: v.lat,
  lng: v.lng,
  city: v.city,
  province: v.province,
  region: v.region,
  postalCode: v.postal_code,
  countryCode: v.country_code,
  facilities: v.facilities,
  parkingTypes: v.parking_types,
  parkingRestrictions: v.parking_restrictions,
});

const toEvseFields = (v: Out<typeof evseFieldsShape>): EvseFields => ({
  uid: v.uid,
  evseId: v.evse_id,
  serialNumber: v.serial_number,
  meterType: v.meter_type,
  status: v.status,
  kwh: v.kwh,
  capabilities: v.capabilities,
  paymentTypes: v.payment_types,
});

const toConnectorFields = (v: Out<typeof connectorShape>): ConnectorFields => ({
  connectorId: v.connector_id,
  standard: v.standard,
  format: v.format,
  powerType: v.power_type,
  maxVoltage: v.max_voltage,
  maxAmperage: v.max_amperage,
  maxElectricPower: v.max_electric_power,
  connectorType: v.connector_type,
  rateSetting: v.rate_setting,
});

/** Limits of one webhook call (its JSON body is at most 1 MB anyway); the CSV import has no such limits. */
export const MAX_CONNECTORS_PER_EVSE = 32;
export const MAX_EVSES_PER_LOCATION = 200;

export const LocationFieldsSchema = z.object(locationFieldsShape).transform(toLocationFields);
export const EvseFieldsSchema = z.object(evseFieldsShape).transform(toEvseFields);
export const ConnectorSchema = z.object(connectorShape).transform(toConnectorFields);

export const EvseInputSchema = z
  .object({
    ...evseFieldsShape,
    connectors: z
      .array(z.object(connectorShape).transform(toConnectorFields), expecting('a list of connectors'))
      .min(1, 'an EVSE needs at least one connector')
      .max(MAX_CONNECTORS_PER_EVSE, `must have at most ${MAX_CONNECTORS_PER_EVSE} connectors`),
  })
  .transform((v): EvseInput => ({ ...toEvseFields(v), connectors: v.connectors }));

export const LocationInputSchema = z
  .object({
    ...locationFieldsShape,
    evses: z
      .array(EvseInputSchema, expecting('a list of EVSEs'))
      .max(MAX_EVSES_PER_LOCATION, `must have at most ${MAX_EVSES_PER_LOCATION} EVSEs`)
      .nullish()
      .transform((v) => v ?? []),
  })
  .transform((v): LocationInput => ({ ...toLocationFields(v), evses: v.evses }));
