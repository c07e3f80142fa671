import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import { kilowatts } from '../catalog/connector-speed.ts';
import { AppError } from '../errors.ts';
import { dec } from '../money/decimal-money.ts';
import * as applicableTariffs from '../tariffs/applicable-tariffs.ts';
import { energyForAmount, minutesAtPower, priceSession, type PriceComponent } from '../tariffs/pricing.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import { estimateCharging, defaultEnergyKwh } from '../vehicles/charging-estimate.ts';
import { canUseConnector, lookupVehicle, type VehicleProfile } from '../vehicles/vehicle-catalogue.ts';
import type { OrderClient, OrderDeps } from './order-deps.ts';
import * as orderRepository from './order.repository.ts';

export interface EstimateInput {
  /** The EVSE as the catalog named it: its EVSE id ("PH*DCC*E0001") or charger identity. */
  evseId: string;
  /** The catalog's public connector id, `{charger identity}-{connector number}`. */
  connectorId: string;
  vehicle: { make: string; model: string; type: string };
  timeWindow?: { start: Date; end: Date } | undefined;
  energyKwh?: string | undefined;
  amount?: { value: string; currency: string } | undefined;
  /** The tariff behind the chosen offer. */
  tariffId?: number | undefined;
}

export interface Estimate {
  order: ChargingOrderRow;
  tariff: Tariff;
  vehicle: VehicleProfile;
  components: PriceComponent[];
  powerKw: string;
}

/** How far ahead a charging window may be booked. */
const MAX_BOOKING_AHEAD_MS = 7 * 86_400_000;
const CONNECTOR_REF = /^(.+)-(\d{1,4})$/;

/**
 * Prices a prospective session and records it as an order in state `quoted`: the tariff is copied
 * into the order, so what the driver pays for is what was shown, whatever the CPO changes later.
 */
export async function estimate(db: Database, deps: OrderDeps, client: OrderClient, input: EstimateInput): Promise<Estimate> {
  const now = deps.now();
  const connector = await findConnector(db, input.evseId, input.connectorId);
  const tariff = await chooseTariff(db, connector.connectorId, input.tariffId);
  const vehicle = lookupVehicle(input.vehicle);
  const powerType = connector.powerType === 'DC' ? 'DC' : 'AC';
  const connectorType = connector.connectorType ?? connector.standard;
  if (!canUseConnector(vehicle, connectorType, powerType)) {
    throw new AppError('UNPROCESSABLE', `A ${vehicle.make} ${vehicle.model} (${vehicle.type}) cannot charge on a ${connectorType} ${powerType} connector`, {
      connector_id: input.connectorId,
    });
  }
  const window = checkWindow(input.timeWindow, now);
  const startAt = window?.start ?? now;
  const reservation = window !== undefined;
  const connectorMaxKw = kilowatts(connector.maxElectricPower);
  // The power this car draws here (the lower of connector and car) sets the minutes a time price bills.
  const powerKw = estimateCharging({ energyKwh: '1', connectorMaxKw, powerType, vehicle }).powerKw;
  const energyKwh = requestedEnergy(input, tariff, vehicle, { powerKw, startAt, reservation });
  const charging = estimateCharging({ energyKwh, connectorMaxKw, powerType, vehicle });
  const minutes = minutesAtPower(energyKwh, powerKw);
  const bill = priceSession(tariff, { energyKwh, minutes, idleMinutes: '0', startAt, reservation });

  const order = await orderRepository.insert(db, {
    id: `ord-${randomUUID()}`,
    apiClientId: client.apiClientId,
    channel: client.channel,
    externalRef: client.externalRef ?? null,
    status: 'quoted',
    mode: reservation ? 'reservation' : 'instant',
    cpoOwnerId: connector.cpoOwnerId,
    locationId: connector.locationId,
    evseId: connector.evseId,
    connectorId: connector.connectorId,
    chargePointId: connector.evseUid,
    ocppConnectorId: connector.ocppConnectorId,
    connectorType,
    tariffId: tariff.id,
    tariff: JSON.stringify(tariff),
    vehicleMake: vehicle.make,
    vehicleModel: vehicle.model,
    vehicleType: vehicle.type,
    energyKwh,
    durationMinutes: charging.durationMinutes,
    batteryPercent: charging.batteryPercent,
    currency: bill.currency,
    quotedAmount: bill.total,
    quote: JSON.stringify(bill.components),
    validFrom: window?.start ?? now,
    validUntil: window?.end ?? new Date(now.getTime() + deps.orders.validityS * 1000),
  });
  return { order, tariff, vehicle, components: bill.components, powerKw: charging.powerKw };
}

async function findConnector(db: Database, evseId: string, connectorRef: string) {
  const match = CONNECTOR_REF.exec(connectorRef);
  const connector = match ? await orderRepository.findSellableConnector(db, match[1]!, Number(match[2])) : undefined;
  if (!connector || !connector.publish) {
    throw new AppError('NOT_FOUND', `Connector ${connectorRef} not found.`, { connector_id: connectorRef });
  }
  const names = [connector.evseUid, connector.evseCode].filter(Boolean).map((n) => n!.toLowerCase());
  if (!names.includes(evseId.toLowerCase())) {
    throw new AppError('NOT_FOUND', `Connector ${connectorRef} is not on EVSE ${evseId}.`, { evse_id: evseId, connector_id: connectorRef });
  }
  return connector;
}

async function chooseTariff(db: Database, connectorId: number, tariffId: number | undefined): Promise<Tariff> {
  const tariffs = (await applicableTariffs.forConnectors(db, [connectorId])).get(connectorId) ?? [];
  if (tariffs.length === 0) throw new AppError('CONFLICT', 'This connector has no tariff yet: it cannot be booked.');
  if (tariffId === undefined) return tariffs[0]!;
  const chosen = tariffs.find((t) => t.id === tariffId);
  if (!chosen) throw new AppError('UNPROCESSABLE', `Offer offer-${tariffId} does not apply to this connector.`, { offer_id: `offer-${tariffId}` });
  return chosen;
}

function checkWindow(window: EstimateInput['timeWindow'], now: Date) {
  if (!window) return undefined;
  if (window.end <= window.start) throw new AppError('UNPROCESSABLE', 'time_window.end must be after time_window.start');
  if (window.end <= now) throw new AppError('UNPROCESSABLE', 'time_window is over already');
  if (window.start.getTime() > now.getTime() + MAX_BOOKING_AHEAD_MS) throw new AppError('UNPROCESSABLE', 'time_window starts more than 7 days ahead');
  // A window that began already starts now: nothing is sold for the past.
  return { start: window.start < now ? now : window.start, end: window.end };
}

function requestedEnergy(
  input: EstimateInput,
  tariff: Tariff,
  vehicle: VehicleProfile,
  at: { powerKw: string; startAt: Date; reservation: boolean },
): string {
  if (input.energyKwh !== undefined) return input.energyKwh;
  if (input.amount) {
    if (input.amount.currency.toUpperCase() !== tariff.currency) {
      throw new AppError('UNPROCESSABLE', `amount.currency must be ${tariff.currency}, the tariff's currency`);
    }
    const energy = energyForAmount(tariff, input.amount.value, at);
    if (energy === null || !dec(energy).gt(0)) {
      throw new AppError('UNPROCESSABLE', `${input.amount.value} ${tariff.currency} does not cover this tariff's fixed fees`);
    }
    return energy;
  }
  return defaultEnergyKwh(vehicle);
}
