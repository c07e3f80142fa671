import type { CatalogQuery } from '../catalog/catalog.service.ts';
import type { EstimateInput } from '../charging-orders/order-quote.service.ts';
import { Decimal } from '../money/decimal-money.ts';
import { MAX_ENERGY_KWH } from '../tariffs/pricing.ts';
import { normalizeConnectorType } from '../vehicles/vehicle-catalogue.ts';
import * as codes from './beckn-codes.ts';
import { parseItemId, type ItemRef } from './catalog-message.ts';
import { BecknRequestError, dateTime, decimal, invalid, list, need, obj, tagValues, text, type J } from './intent-read.ts';

// Incoming Beckn messages (the `message` of search … support) as plain domain inputs. Lenient where
// the DENT examples stray from core 1.1.0 (`providers` for `provider`, `order.order_id` in cancel,
// `support.order_id`, `billing.number`), strict on values: a bad one is a BecknRequestError naming the
// BECKN-005 code and the JSON path. Order ids are optional wherever the examples leave them out: the
// caller then finds the order by the context's transaction_id.

const KNOWN_CONNECTORS = new Set(Object.keys(codes.CONNECTOR_TYPE_NAMES));
/** A code that names a connector type ("CCS2", "Type 2"), else undefined ("energy", "green-tariff"). */
function connectorTypeOf(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const normalized = normalizeConnectorType(code);
  return KNOWN_CONNECTORS.has(normalized) ? normalized : undefined;
}

function timeWindowOf(stops: unknown, path: string): { start: Date; end: Date } | undefined {
  let start: Date | undefined;
  let end: Date | undefined;
  list(stops, path).forEach((s, i) => {
    const p = `${path}[${i}]`;
    const stop = obj(s, p);
    const time = obj(stop?.time, `${p}.time`);
    if (!stop || !time) return;
    const range = obj(time.range, `${p}.time.range`);
    const at = dateTime(time.timestamp, `${p}.time.timestamp`);
    const type = text(stop.type, `${p}.type`)?.toLowerCase();
    start ??= dateTime(range?.start, `${p}.time.range.start`) ?? (type !== codes.STOP_END ? at : undefined);
    end ??= dateTime(range?.end, `${p}.time.range.end`) ?? (type === codes.STOP_END ? at : undefined);
  });
  if (!start && !end) return undefined;
  const window = { start: start ?? end!, end: end ?? start! };
  if (window.end < window.start) throw invalid(path, 'the end of the time window is before its start');
  return window;
}

function vehicleOf(v: unknown, path: string): { make: string; model: string; type: string } {
  const vehicle = obj(v, path);
  return {
    make: text(vehicle?.make, `${path}.make`) ?? '',
    model: text(vehicle?.model, `${path}.model`) ?? '',
    type: text(vehicle?.category, `${path}.category`) ?? text(vehicle?.wheels_count, `${path}.wheels_count`) ?? '',
  };
}

export interface SearchOptions { page?: number; perPage?: number }

/** message.intent of search → the driver search's query. */
export function parseSearchIntent(message: unknown, options: SearchOptions = {}): CatalogQuery {
  const intent = need(need(message, 'message').intent, 'message.intent');
  const query: CatalogQuery = { page: options.page ?? 1, perPage: options.perPage ?? 20 };
  const fulfillment = obj(intent.fulfillment, 'message.intent.fulfillment');
  const item = obj(intent.item, 'message.intent.item');
  const provider = obj(intent.provider, 'message.intent.provider');

  // One of our item or fulfillment ids names the charger: search that, wherever the BAP stands.
  const itemId = text(item?.id, 'message.intent.item.id');
  const fulfillmentId = text(fulfillment?.id, 'message.intent.fulfillment.id');
  const evseUid = (itemId ? parseItemId(itemId)?.evseUid : undefined) ?? /^(.+)-\d{1,4}$/.exec(fulfillmentId ?? '')?.[1];
  if (evseUid) query.evseId = evseUid;
  else query.near = nearOf(intent, fulfillment);

  const cpo = text(provider?.id, 'message.intent.provider.id');
  if (cpo) query.cpo = cpo;
  const station = text(obj(list(provider?.locations, 'message.intent.provider.locations')[0], 'message.intent.provider.locations[0]')?.id, 'message.intent.provider.locations[0].id');
  if (station) query.station = station;

  const category = obj(intent.category, 'message.intent.category') ?? obj(item?.category, 'message.intent.item.category');
  const tagged = [
    ...tagValues(fulfillment?.tags, 'message.intent.fulfillment.tags', codes.INCOMING_CONNECTOR_TAG_CODES),
    ...tagValues(intent.tags, 'message.intent.tags', codes.INCOMING_CONNECTOR_TAG_CODES),
    ...tagValues(item?.tags, 'message.intent.item.tags', codes.INCOMING_CONNECTOR_TAG_CODES),
  ][0];
  const connectorType = (tagged ? normalizeConnectorType(tagged.value) : undefined)
    ?? connectorTypeOf(text(obj(category?.descriptor, 'message.intent.category.descriptor')?.code, 'message.intent.category.descriptor.code'))
    ?? connectorTypeOf(text(category?.id, 'message.intent.category.id'))
    ?? connectorTypeOf(text(obj(item?.descriptor, 'message.intent.item.descriptor')?.code, 'message.intent.item.descriptor.code'));
  if (connectorType) query.connectorType = connectorType;

  const vehicle = vehicleOf(fulfillment?.vehicle, 'message.intent.fulfillment.vehicle');
  if (vehicle.make || vehicle.model || vehicle.type) query.vehicle = vehicle;
  const window = timeWindowOf(fulfillment?.stops, 'message.intent.fulfillment.stops');
  if (window) query.timeWindow = window;
  return query;
}

const GPS = /^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$/;

function nearOf(intent: J, fulfillment: J | undefined): NonNullable<CatalogQuery['near']> {
  const candidates: Array<[unknown, string]> = [[intent.location, 'message.intent.location']];
  list(fulfillment?.stops, 'message.intent.fulfillment.stops').forEach((s, i) =>
    candidates.push([obj(s, `message.intent.fulfillment.stops[${i}]`)?.location, `message.intent.fulfillment.stops[${i}].location`]));
  for (const [value, path] of candidates) {
    const location = obj(value, path);
    const circle = obj(location?.circle, `${path}.circle`);
    const gpsPath = location?.gps !== undefined ? `${path}.gps` : `${path}.circle.gps`;
    const gps = text(location?.gps ?? circle?.gps, gpsPath);
    if (!gps) continue;
    const m = GPS.exec(gps);
    const lat = m ? Number(m[1]) : NaN;
    const lng = m ? Number(m[2]) : NaN;
    if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) throw invalid(gpsPath, `${gpsPath} must be "lat,lng"`);
    const radiusPath = circle?.radius !== undefined ? `${path}.circle.radius` : `${path}.radius`;
    return { lat, lng, distanceMeters: radiusMeters(circle?.radius ?? location?.radius, radiusPath) };
  }
  throw invalid('message.intent.location', 'a search needs a location (gps) or one of our item ids');
}

function radiusMeters(v: unknown, path: string): number {
  const radius = obj(v, path);
  const value = decimal(radius?.value, `${path}.value`);
  const unit = (text(radius?.unit, `${path}.unit`) ?? codes.UNIT_KM).toLowerCase();
  const perUnit = ['km', 'kms', 'kilometer', 'kilometers', 'kilometre', 'kilometres'].includes(unit) ? 1000
    : ['m', 'meter', 'meters', 'metre', 'metres'].includes(unit) ? 1 : undefined;
  if (perUnit === undefined) throw invalid(`${path}.unit`, `${path}.unit must be km or m`);
  if (value?.isNegative()) throw invalid(`${path}.value`, `${path}.value must not be negative`);
  const meters = value ? value.mul(perUnit) : Decimal.parse(codes.DEFAULT_RADIUS_KM).mul(1000);
  const max = Decimal.parse(codes.MAX_RADIUS_KM).mul(1000);
  return Number((meters.gt(max) ? max : meters).toFixed(0));
}

export interface Quantity { energyKwh?: string; amount?: { value: string; currency: string } }

function quantityOf(order: J, item: J | undefined, path: string): Quantity {
  const measurePath = `${path}.items[0].quantity.selected.measure`;
  const measure = obj(obj(obj(item?.quantity, `${path}.items[0].quantity`)?.selected, `${path}.items[0].quantity.selected`)?.measure, measurePath);
  const unit = text(measure?.unit, `${measurePath}.unit`);
  const value = decimal(measure?.value, `${measurePath}.value`);
  if (value && (!unit || /^kwh$/i.test(unit))) return { energyKwh: energyOf(value, `${measurePath}.value`) };
  if (value && unit && /^[a-z]{3}$/i.test(unit)) return { amount: amountOf(value, unit, `${measurePath}.value`) };
  if (value) throw invalid(`${measurePath}.unit`, `${measurePath}.unit must be kWh or a currency code`);
  const groups: Array<[unknown, string]> = [[order.tags, `${path}.tags`], [item?.tags, `${path}.items[0].tags`]];
  for (const [tags, p] of groups) {
    const energy = tagValues(tags, p, codes.INCOMING_ENERGY_TAG_CODES)[0];
    if (energy) return { energyKwh: energyOf(decimal(energy.value.replace(/\s*kwh$/i, ''), energy.path)!, energy.path) };
    const amount = tagValues(tags, p, codes.INCOMING_AMOUNT_TAG_CODES)[0];
    if (amount) return { amount: { value: positive(decimal(amount.value, amount.path)!, amount.path), currency: '' } };
  }
  return {};
}
function positive(value: Decimal, path: string): string {
  if (value.sign <= 0) throw invalid(path, `${path} must be more than 0`);
  return value.toString();
}
function energyOf(value: Decimal, path: string): string {
  const kwh = value.round(3);
  if (kwh.sign <= 0 || kwh.gt(MAX_ENERGY_KWH)) throw invalid(path, `${path} must be more than 0 and at most ${MAX_ENERGY_KWH} kWh`);
  return kwh.toFixed(3);
}
function amountOf(value: Decimal, currency: string, path: string): { value: string; currency: string } {
  return { value: positive(value, path), currency: currency.toUpperCase() };
}

export interface SelectRequest extends Quantity {
  providerId?: string;
  itemId: string;
  /** null: not one of our item ids (answer 30004 Item not found). */
  item: ItemRef | null;
  timeWindow?: { start: Date; end: Date };
  vehicle: { make: string; model: string; type: string };
}

/** message of select: the offer chosen, how much and when. */
export function parseSelect(message: unknown): SelectRequest {
  const order = need(need(message, 'message').order, 'message.order');
  const items = list(order.items, 'message.order.items');
  const item = obj(items[0], 'message.order.items[0]');
  const itemId = text(item?.id, 'message.order.items[0].id');
  if (!itemId) throw invalid('message.order.items[0].id', 'select needs the id of the item chosen');
  const fulfillment = obj(list(order.fulfillments, 'message.order.fulfillments')[0], 'message.order.fulfillments[0]');
  const request: SelectRequest = {
    itemId,
    item: parseItemId(itemId),
    vehicle: vehicleOf(fulfillment?.vehicle, 'message.order.fulfillments[0].vehicle'),
    ...quantityOf(order, item, 'message.order'),
  };
  const providerId = providerIdOf(order);
  if (providerId) request.providerId = providerId;
  const window = timeWindowOf(fulfillment?.stops, 'message.order.fulfillments[0].stops');
  if (window) request.timeWindow = window;
  return request;
}

/** The estimate a select asks for; an amount without a currency (a UEI tag) is taken in `currency`. */
export function toEstimateInput(select: SelectRequest, currency?: string): EstimateInput {
  const item = select.item;
  if (!item) throw new BecknRequestError(codes.BecknErrorCode.itemNotFound, 'message.order.items[0].id', `Item ${select.itemId} not found`);
  const input: EstimateInput = { evseId: item.evseUid, connectorId: item.connectorId, tariffId: item.tariffId, vehicle: select.vehicle };
  if (select.timeWindow) input.timeWindow = select.timeWindow;
  if (select.energyKwh) input.energyKwh = select.energyKwh;
  if (select.amount) input.amount = { value: select.amount.value, currency: select.amount.currency || (currency ?? '') };
  return input;
}

function providerIdOf(order: J): string | undefined {
  const provider = obj(order.provider, 'message.order.provider') ?? obj(order.providers, 'message.order.providers');
  return text(provider?.id, 'message.order.provider.id');
}

export { BecknRequestError } from './intent-read.ts';
export * from './intent-order.ts';
