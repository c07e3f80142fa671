import { z } from '../http/openapi.ts';

// The rules a tariff's fields obey, once: plain checks the service applies whatever adapter it was
// reached through, and the zod schemas of the REST bodies built on the same checks (so the OpenAPI
// document and the 400 messages say the same thing). Decimals stay strings from end to end: a JSON
// number is read through its shortest round-trip text, never computed with.

export const PAYMENT_METHODS = ['UPI', 'Card', 'Wallet', 'BankTransfer', 'NetBanking'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Scale and size of a numeric column: numeric(12, 4) leaves 8 digits before the point. */
export interface DecimalRule {
  scale: number;
  integerDigits: number;
  /** Percentages: at most 100. */
  percent?: boolean;
}

/** Per kWh, per minute: numeric(12, 4). */
export const UNIT_PRICE: DecimalRule = { scale: 4, integerDigits: 8 };
/** Once-per-session amounts: numeric(12, 2). */
export const AMOUNT: DecimalRule = { scale: 2, integerDigits: 10 };
/** numeric(5, 2), 0 to 100. */
export const PERCENT: DecimalRule = { scale: 2, integerDigits: 3, percent: true };

export const MAX_SURCHARGES = 24;
export const MAX_IDLE_GRACE_MINUTES = 24 * 60;

export type DecimalInput = string | number;
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * `value` as a plain decimal string with exactly `rule.scale` decimals ("18.5" → "18.5000" for a unit
 * price), or why it is refused: not a decimal, negative, too many decimals or digits, a percent over 100.
 */
export function checkDecimal(value: unknown, rule: DecimalRule): Checked<string> {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, message: 'must be a finite decimal number' };
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return { ok: false, message: 'must be a decimal number (a JSON number or a string such as "18.50")' };
  }
  if (/^-/.test(text) && text !== '-0') return { ok: false, message: 'must not be negative' };
  const match = DECIMAL.exec(text.replace(/^-0$/, '0'));
  if (!match) return { ok: false, message: 'must be a plain decimal number such as 18.50' };
  const integer = match[1]!.replace(/^0+(?=[0-9])/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > rule.scale) return { ok: false, message: `must have at most ${rule.scale} decimals` };
  if (rule.percent) {
    if (integer.length > 3 || Number(integer) > 100 || (integer === '100' && fraction !== '')) {
      return { ok: false, message: 'must be a percentage from 0 to 100' };
    }
  } else if (integer.length > rule.integerDigits) {
    return { ok: false, message: `must be less than 10^${rule.integerDigits}` };
  }
  return { ok: true, value: rule.scale === 0 ? integer : `${integer}.${fraction.padEnd(rule.scale, '0')}` };
}

/** ISO 4217, upper case, a currency the runtime knows ("PHP", "INR", "USD"). */
export function checkCurrency(value: string): Checked<string> {
  if (!/^[A-Z]{3}$/.test(value)) return { ok: false, message: 'must be an ISO 4217 code of three upper-case letters, e.g. PHP' };
  if (!Intl.supportedValuesOf('currency').includes(value)) return { ok: false, message: `${value} is not an ISO 4217 currency` };
  return { ok: true, value };
}

/** An IANA time zone, in its canonical spelling ("asia/manila" → "Asia/Manila"). */
export function checkTimeZone(value: string): Checked<string> {
  try {
    return { ok: true, value: new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone };
  } catch {
    return { ok: false, message: `${JSON.stringify(value.slice(0, 60))} is not an IANA time zone such as Asia/Manila` };
  }
}

export const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** A window's end may also be 24:00 (18:00–24:00 ends at midnight). */
export const END_OF_WINDOW = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** Surcharge as stored in the tariff's jsonb (tariffs/tariff.ts Surcharge), percent at scale 2. */
export interface SurchargeInput {
  from: string;
  to: string;
  days?: number[] | undefined;
  percent: DecimalInput;
  description?: string | undefined;
}

const text = (what = 'a string') =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) });

/** A decimal field for the REST bodies: JSON number or string in, canonical string out. */
export function decimalField(rule: DecimalRule) {
  return z
    .union([z.string(), z.number()], { error: () => 'must be a decimal number (a JSON number or a string such as "18.50")' })
    .transform((value, ctx) => {
      const checked = checkDecimal(value, rule);
      if (checked.ok) return checked.value;
      ctx.addIssue({ code: 'custom', message: checked.message });
      return z.NEVER;
    });
}

const fromChecked = (check: (v: string) => Checked<string>) => (value: string, ctx: z.RefinementCtx) => {
  const checked = check(value);
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.message });
  return z.NEVER;
};

export const CurrencyField = text('a string').transform(fromChecked(checkCurrency)).openapi({ example: 'PHP', description: 'ISO 4217' });
export const TimeZoneField = text('a string').transform(fromChecked(checkTimeZone)).openapi({ example: 'Asia/Manila', description: 'IANA time zone the surcharge windows are read in' });

export const SurchargeField = z
  .strictObject({
    from: text().regex(TIME_OF_DAY, 'must be a time of day HH:MM, 00:00 to 23:59'),
    to: text().regex(END_OF_WINDOW, 'must be a time of day HH:MM, 00:00 to 24:00'),
    days: z
      .array(z.number().int('must be whole days').min(1, 'days are 1 (Monday) to 7 (Sunday)').max(7, 'days are 1 (Monday) to 7 (Sunday)'))
      .min(1, 'must name at least one day (leave it out for every day)')
      .refine((d) => new Set(d).size === d.length, 'must not repeat a day')
      .optional()
      .describe('ISO days, 1 = Monday … 7 = Sunday; absent = every day'),
    percent: decimalField(PERCENT).describe('Added to the energy and time lines inside the window'),
    description: text().trim().max(200, 'must be at most 200 characters').optional(),
  })
  .refine((s) => s.from !== s.to, {
    message: 'must end at another time than it starts (a window may wrap midnight: 22:00 to 06:00)',
    path: ['to'],
  })
  .openapi('TariffSurcharge');

const Name = text().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters');
const Description = text().trim().max(200, 'must be at most 200 characters').nullable();
const PaymentMethods = z
  .array(z.enum(PAYMENT_METHODS, { error: () => `must be one of ${PAYMENT_METHODS.join(', ')}` }))
  .min(1, 'must name at least one payment method')
  .refine((m) => new Set(m).size === m.length, 'must not repeat a method');
const IdleGrace = z
  .number({ error: () => 'must be a whole number of minutes' })
  .int('must be a whole number of minutes')
  .min(0, 'must not be negative')
  .max(MAX_IDLE_GRACE_MINUTES, `must be at most ${MAX_IDLE_GRACE_MINUTES}`);

/** Price lines of a tariff, in the REST spelling; every one optional (default 0 / column default). */
const priceFields = {
  energy_price: decimalField(UNIT_PRICE).optional().openapi({ description: 'Per kWh, ≤ 4 decimals', example: '18.50' }),
  time_price: decimalField(UNIT_PRICE).optional().openapi({ description: 'Per minute of the session, ≤ 4 decimals' }),
  session_fee: decimalField(AMOUNT).optional().openapi({ description: 'Once per session, ≤ 2 decimals' }),
  reservation_fee: decimalField(AMOUNT).optional().openapi({ description: 'Once per order booked for a later window' }),
  idle_fee: decimalField(UNIT_PRICE).optional().openapi({ description: 'Per minute plugged in but not charging, after the grace' }),
  idle_grace_minutes: IdleGrace.optional(),
  tax_percent: decimalField(PERCENT).optional().openapi({ description: 'On the whole subtotal', example: '12' }),
  discount_percent: decimalField(PERCENT).optional().openapi({ description: 'On the energy, time and surcharge lines' }),
  discount_description: Description.optional(),
  surcharges: z.array(SurchargeField).max(MAX_SURCHARGES, `must have at most ${MAX_SURCHARGES} surcharges`).optional(),
  cancellation_fee_percent: decimalField(PERCENT).optional().openapi({ description: 'Kept of the paid amount when a paid order is cancelled before charging' }),
  payment_methods: PaymentMethods.optional().openapi({ description: 'Default UPI, Card, Wallet' }),
  time_zone: TimeZoneField.optional(),
};

const positiveInt = (what: string) =>
  z.number({ error: () => `must be ${what}` }).int(`must be ${what}`).min(1, `must be ${what}`);

export const TariffCreateBody = z
  .strictObject({
    name: Name,
    currency: CurrencyField,
    location_id: positiveInt('a location id').optional().describe('One of your locations'),
    evse_uid: text().trim().min(1, 'must not be empty').max(100).optional().describe("One of your chargers, by its OCPP identity (evse.uid)"),
    connector_id: z
      .number({ error: () => 'must be a connector number' })
      .int('must be a connector number')
      .min(1, 'connectors are numbered from 1')
      .optional()
      .describe('OCPP connector number (1..n) of evse_uid'),
    ...priceFields,
  })
  .refine((b) => b.connector_id === undefined || b.evse_uid !== undefined, {
    message: 'connector_id needs evse_uid (the charger the connector belongs to)',
    path: ['connector_id'],
  })
  .openapi('TariffCreate');

const SCOPE_FIXED = 'the scope of a tariff cannot change; create a new tariff for the new scope (and delete this one)';

export const TariffPatchBody = z
  .strictObject({
    name: Name.optional(),
    currency: CurrencyField.optional(),
    location_id: z.unknown().optional(),
    evse_uid: z.unknown().optional(),
    connector_id: z.unknown().optional(),
    ...priceFields,
  })
  .superRefine((b, ctx) => {
    for (const key of ['location_id', 'evse_uid', 'connector_id'] as const) {
      if (b[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: SCOPE_FIXED });
    }
    if (Object.values(b).every((v) => v === undefined)) ctx.addIssue({ code: 'custom', path: [], message: 'must change at least one field' });
  })
  .openapi('TariffPatch');

export type TariffCreateBody = z.infer<typeof TariffCreateBody>;
export type TariffPatchBody = z.infer<typeof TariffPatchBody>;
