import type { Telemetry } from '../charging-orders/order.service.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import { dec } from '../money/decimal-money.ts';
import { priceSession } from '../tariffs/pricing.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import * as codes from './beckn-codes.ts';
import { tag, tagGroup, type BecknTagGroup, type BecknPrice } from './catalog-message.ts';

// The live charging session as the UEI on_status example carries it: a "Charging Session Details"
// tag group on the order (time elapsed, energy, SoC, voltage, current, power, cost so far).

/**
 * What the session has cost up to the last reading, under the tariff the order was sold on; the final
 * bill once the order is completed.
 */
export function costSoFar(order: ChargingOrderRow, telemetry: Telemetry): BecknPrice {
  if (order.status === 'completed' && order.finalAmount !== null) return { value: order.finalAmount, currency: order.currency };
  const bill = priceSession(order.tariff as Tariff, {
    energyKwh: telemetry.energyKwh,
    minutes: telemetry.sessionMinutes,
    idleMinutes: '0',
    startAt: order.chargingStartedAt ?? telemetry.eventTime,
    reservation: order.mode === 'reservation',
  });
  return { value: bill.total, currency: bill.currency };
}

export interface SessionDetailsOptions {
  /** The cost so far (see costSoFar). */
  cost?: BecknPrice | undefined;
  /** The state of charge when the session began, when known. */
  initialSoc?: number | null | undefined;
}

/** The "Charging Session Details" tag group of a reading; what the charger did not report is left out. */
export function sessionDetailsTags(telemetry: Telemetry, options: SessionDetailsOptions = {}): BecknTagGroup {
  const list = [
    tag(codes.Tag.timeElapsed, `${dec(telemetry.sessionMinutes).toString()} min`),
    tag(codes.Tag.energyDelivered, `${dec(telemetry.energyKwh).toString()} kWh`),
  ];
  if (telemetry.stateOfCharge !== null) list.push(tag(codes.Tag.currentSoc, `${telemetry.stateOfCharge} %`));
  if (options.initialSoc !== undefined && options.initialSoc !== null) list.push(tag(codes.Tag.initialSoc, `${options.initialSoc} %`));
  if (telemetry.voltageV !== null) list.push(tag(codes.Tag.voltage, `${telemetry.voltageV} V`));
  if (telemetry.currentA !== null) list.push(tag(codes.Tag.current, `${telemetry.currentA} A`));
  if (telemetry.powerKw !== null) list.push(tag(codes.Tag.power, `${dec(telemetry.powerKw).toString()} kW`));
  list.push(tag(codes.Tag.lastTimestamp, telemetry.eventTime.toISOString()));
  if (options.cost) list.push(tag(codes.Tag.lastCost, `${options.cost.value} ${options.cost.currency}`));
  return tagGroup(codes.Tag.session, list);
}

/** The session details of an order's latest reading, cost included. */
export function orderSessionTags(order: ChargingOrderRow, telemetry: Telemetry): BecknTagGroup {
  return sessionDetailsTags(telemetry, { cost: costSoFar(order, telemetry) });
}
