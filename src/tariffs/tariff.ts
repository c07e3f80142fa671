import type { TariffRow } from '../db/schema.ts';

// The domain's tariff: what a CPO charges for a session on a connector. Money and percentages are
// decimal strings ("18.5000", "12.00"), never floats; arithmetic on them goes through src/money/.

export interface Surcharge {
  /** Local time of day (tariff.timeZone), "HH:MM"; a window may wrap midnight (22:00 → 06:00). */
  from: string;
  to: string;
  /** Days it applies, ISO numbering 1 = Monday … 7 = Sunday; absent = every day. */
  days?: number[];
  /** Added on top of the energy and time charges, e.g. "20" for 20 %. */
  percent: string;
  description?: string;
}

export interface Tariff {
  id: number;
  cpoOwnerId: number;
  name: string;
  /** ISO 4217, upper case. */
  currency: string;
  /** Per kWh. */
  energyPrice: string;
  /** Per minute of the session. */
  timePrice: string;
  /** Once per session. */
  sessionFee: string;
  /** Once per order booked for a later time window (mode reservation). */
  reservationFee: string;
  /** Per minute plugged in but not charging, after idleGraceMinutes. */
  idleFee: string;
  idleGraceMinutes: number;
  /** Applied to the whole subtotal, e.g. "12" for 12 %. */
  taxPercent: string;
  /** Offer discount on the energy, time and surcharge lines, e.g. "15". */
  discountPercent: string;
  discountDescription: string | null;
  surcharges: Surcharge[];
  /** Share of the paid amount kept when a paid order is cancelled before charging. */
  cancellationFeePercent: string;
  /** Contract names: UPI, Card, Wallet, BankTransfer, NetBanking. */
  paymentMethods: string[];
  timeZone: string;
}

/** Where a tariff applies: the narrowest of these that is set (all null = every charger of the CPO). */
export interface TariffScope {
  locationId: number | null;
  evseId: number | null;
  connectorId: number | null;
}

/** The domain tariff of a `tariff` row (numeric columns arrive as strings, jsonb parsed). */
export function tariffFromRow(row: TariffRow): Tariff {
  return {
    id: row.id,
    cpoOwnerId: row.cpoOwnerId,
    name: row.name,
    currency: row.currency,
    energyPrice: row.energyPrice,
    timePrice: row.timePrice,
    sessionFee: row.sessionFee,
    reservationFee: row.reservationFee,
    idleFee: row.idleFee,
    idleGraceMinutes: row.idleGraceMinutes,
    taxPercent: row.taxPercent,
    discountPercent: row.discountPercent,
    discountDescription: row.discountDescription,
    surcharges: (row.surcharges ?? []) as Surcharge[],
    cancellationFeePercent: row.cancellationFeePercent,
    paymentMethods: row.paymentMethods,
    timeZone: row.timeZone,
  };
}
