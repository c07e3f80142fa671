import type { Catalog, CatalogConnector, CatalogOffer, CatalogPage } from '../catalog/catalog.service.ts';
import { dec } from '../money/decimal-money.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import * as codes from './beckn-codes.ts';

// The on_search catalog: one Beckn provider per CPO, its locations, one item per (connector, tariff)
// and one CHARGING fulfillment per connector. Item and fulfillment ids carry what select needs to
// find the connector and tariff back, so no lookup table is kept between search and select.

export interface BecknDescriptor { name?: string; code?: string; short_desc?: string; long_desc?: string }
export interface BecknTag { descriptor: BecknDescriptor; value: string; display?: boolean }
export interface BecknTagGroup { descriptor: BecknDescriptor; list: BecknTag[]; display?: boolean }
export interface BecknPrice { value: string; currency: string }
export type BecknObject = Record<string, unknown>;

/** What an item id says: the connector (`${evseUid}-${n}`) and the tariff of the offer. */
export interface ItemRef {
  connectorId: string;
  evseUid: string;
  ocppConnectorId: number;
  tariffId: number;
}

const ITEM_ID = /^((.+)-(\d{1,4}))~offer-(\d{1,15})$/;

export function formatItemId(connectorPublicId: string, tariffId: number): string {
  return `${connectorPublicId}${codes.ITEM_OFFER_SEPARATOR}${tariffId}`;
}

/** The connector and tariff of one of our item ids; null for anything else (another BPP's id). */
export function parseItemId(itemId: string): ItemRef | null {
  const m = ITEM_ID.exec(itemId.trim());
  if (!m) return null;
  const tariffId = Number(m[4]);
  if (!Number.isSafeInteger(tariffId)) return null;
  return { connectorId: m[1]!, evseUid: m[2]!, ocppConnectorId: Number(m[3]), tariffId };
}

/** A connector's fulfillment is named after the connector itself. */
export const fulfillmentIdOf = (connectorPublicId: string): string => connectorPublicId;
export const locationIdOf = (locationId: number): string => String(locationId);

/** "lat,lng" as Beckn's Gps pattern takes it (fixed digits: never an exponent). */
export function gpsOf(lat: number, lng: number): string {
  return `${lat.toFixed(6)},${lng.toFixed(6)}`;
}

/** A decimal without trailing zeros ("30.00" → "30", "12.50" → "12.5"). */
export function plainDecimal(value: string): string {
  return dec(value).normalized().toString();
}

export const tag = (t: { code: string; name: string }, value: string): BecknTag => ({ descriptor: { code: t.code, name: t.name }, value, display: true });
export const tagGroup = (t: { code: string; name: string }, list: BecknTag[]): BecknTagGroup => ({ descriptor: { code: t.code, name: t.name }, list, display: true });

export interface ConnectorSpec {
  connectorType: string;
  powerType: string;
  maxPowerKw: string;
  status?: string | undefined;
  format?: string | undefined;
  chargingSpeed?: string | undefined;
  evseId?: string | null | undefined;
}

/** The spec's "Charging Point Specifications" tag group. */
export function chargingPointTags(c: ConnectorSpec): BecknTagGroup {
  const list = [
    tag(codes.Tag.chargerType, c.powerType === 'DC' ? 'DC' : 'AC'),
    tag(codes.Tag.powerType, c.powerType),
    tag(codes.Tag.connectorType, c.connectorType),
    tag(codes.Tag.powerRating, `${c.maxPowerKw} kW`),
  ];
  if (c.status) list.push(tag(codes.Tag.availability, c.status));
  if (c.format) list.push(tag(codes.Tag.connectorFormat, c.format));
  if (c.chargingSpeed) list.push(tag(codes.Tag.chargingSpeed, c.chargingSpeed));
  if (c.evseId) list.push(tag(codes.Tag.evseId, c.evseId));
  return tagGroup(codes.Tag.chargingPoint, list);
}

/** The tariff's terms as a tag group; zero fees are left out. */
export function tariffTags(t: Tariff): BecknTagGroup {
  const list = [tag(codes.Tag.tariffName, t.name), tag(codes.Tag.currency, t.currency), tag(codes.Tag.energyPrice, plainDecimal(t.energyPrice))];
  const money: Array<[{ code: string; name: string }, string]> = [
    [codes.Tag.timePrice, t.timePrice],
    [codes.Tag.sessionFee, t.sessionFee],
    [codes.Tag.reservationFee, t.reservationFee],
    [codes.Tag.idleFee, t.idleFee],
    [codes.Tag.taxPercent, t.taxPercent],
    [codes.Tag.discountPercent, t.discountPercent],
  ];
  for (const [code, value] of money) if (!dec(value).isZero()) list.push(tag(code, plainDecimal(value)));
  if (!dec(t.idleFee).isZero()) list.push(tag(codes.Tag.idleGrace, String(t.idleGraceMinutes)));
  for (const s of t.surcharges) {
    const days = s.days && s.days.length > 0 ? ` days ${s.days.join(',')}` : '';
    list.push(tag(codes.Tag.surcharge, `${s.from}-${s.to}${days} +${plainDecimal(s.percent)}% (${t.timeZone})`));
  }
  list.push(tag(codes.Tag.cancellationFee, plainDecimal(t.cancellationFeePercent)));
  if (t.paymentMethods.length > 0) list.push(tag(codes.Tag.paymentMethods, t.paymentMethods.join(',')));
  return tagGroup(codes.Tag.tariff, list);
}

/**
 * What cancelling costs: nothing until paid, the tariff's share of the payment after it; once
 * charging has started an order is stopped, not cancelled, so no term covers that.
 */
export function cancellationTermsOf(cancellationFeePercent: string, termsUrl?: string): BecknObject[] {
  const ref = termsUrl ? { external_ref: { mimetype: 'text/html', url: termsUrl } } : {};
  return [
    { fulfillment_state: { descriptor: { code: codes.FulfillmentState.orderInitiated } }, reason_required: false, cancellation_fee: { percentage: '0' }, ...ref },
    {
      fulfillment_state: { descriptor: { code: codes.FulfillmentState.paymentCompleted } },
      reason_required: false,
      cancellation_fee: { percentage: plainDecimal(cancellationFeePercent) },
      ...ref,
    },
  ];
}

export const categoryOf = (connectorType: string): BecknObject => ({
  id: connectorType,
  descriptor: { code: connectorType, name: codes.CONNECTOR_TYPE_NAMES[connectorType] ?? connectorType },
});

export interface CatalogMessageOptions {
  /** The BPP's name in catalog.descriptor. */
  bppName?: string;
  /** Names and addresses of locations (the search result carries coordinates only). */
  locationInfo?: (locationId: number) => { name?: string; address?: string } | undefined;
  /** The window searched for, echoed in the fulfillments' stops. */
  timeWindow?: { start: Date; end: Date } | undefined;
  termsUrl?: string;
}

/** message of on_search for a page of the driver search. */
export function buildOnSearchMessage(page: CatalogPage, options: CatalogMessageOptions = {}): { catalog: BecknObject } {
  const byProvider = new Map<string, { name: string; catalogs: Catalog[] }>();
  for (const catalog of page.catalogs) {
    const first = catalog.connectors[0];
    if (!first) continue;
    const entry = byProvider.get(first.provider.id);
    if (entry) entry.catalogs.push(catalog);
    else byProvider.set(first.provider.id, { name: first.provider.name, catalogs: [catalog] });
  }
  const providers = [...byProvider.entries()].map(([id, p]) => providerOf(id, p.name, p.catalogs, options));
  const catalog: BecknObject = { providers };
  if (options.bppName) catalog.descriptor = { name: options.bppName };
  return { catalog };
}

function providerOf(id: string, name: string, catalogs: Catalog[], options: CatalogMessageOptions): BecknObject {
  const connectors = catalogs.flatMap((c) => c.connectors.map((connector) => ({ connector, locationId: c.locationId })));
  const types = [...new Set(connectors.map((c) => c.connector.connectorType))].sort();
  return {
    id,
    descriptor: { name },
    categories: types.map(categoryOf),
    locations: catalogs.map((c) => locationOf(c, options)),
    items: catalogs.flatMap((c) => itemsOf(c, options)),
    fulfillments: connectors.map(({ connector }) => fulfillmentOf(connector, options)),
  };
}

function locationOf(catalog: Catalog, options: CatalogMessageOptions): BecknObject {
  const first = catalog.connectors[0]!;
  const info = options.locationInfo?.(catalog.locationId);
  const location: BecknObject = { id: locationIdOf(catalog.locationId), gps: gpsOf(first.lat, first.lng) };
  if (info?.name) location.descriptor = { name: info.name };
  if (info?.address) location.address = info.address;
  return location;
}

function itemsOf(catalog: Catalog, options: CatalogMessageOptions): BecknObject[] {
  const connectors = new Map(catalog.connectors.map((c) => [c.id, c]));
  return catalog.offers.flatMap((offer) =>
    offer.items.flatMap((connectorId) => {
      const connector = connectors.get(connectorId);
      return connector ? [itemOf(connector, offer, catalog.locationId, options)] : [];
    }),
  );
}

function itemOf(c: CatalogConnector, offer: CatalogOffer, locationId: number, options: CatalogMessageOptions): BecknObject {
  const item: BecknObject = {
    id: formatItemId(c.id, offer.id),
    descriptor: {
      code: codes.ITEM_CODE_ENERGY,
      name: `${offer.name}: ${codes.CONNECTOR_TYPE_NAMES[c.connectorType] ?? c.connectorType} ${c.maxPowerKw} kW`,
      short_desc: `${plainDecimal(offer.energyPrice)} ${offer.currency} per kWh`,
    },
    price: { value: plainDecimal(offer.energyPrice), currency: offer.currency },
    // The price is for one kWh.
    quantity: { unitized: { count: 1, measure: { value: '1', unit: codes.UNIT_KWH } } },
    category_ids: [c.connectorType],
    location_ids: [locationIdOf(locationId)],
    fulfillment_ids: [fulfillmentIdOf(c.id)],
    rateable: true,
    cancellation_terms: cancellationTermsOf(offer.cancellationFeePercent, options.termsUrl),
    tags: [tariffTags(offer)],
  };
  if (c.rating.count > 0) item.rating = c.rating.value;
  return item;
}

function fulfillmentOf(c: CatalogConnector, options: CatalogMessageOptions): BecknObject {
  const location = { gps: gpsOf(c.lat, c.lng) };
  const window = options.timeWindow;
  const stops: BecknObject[] = window
    ? [
        { type: codes.STOP_START, location, time: { timestamp: window.start.toISOString() } },
        { type: codes.STOP_END, time: { timestamp: window.end.toISOString() } },
      ]
    : [{ type: codes.STOP_START, location }];
  return {
    id: fulfillmentIdOf(c.id),
    type: codes.FULFILLMENT_TYPE_CHARGING,
    stops,
    tags: [chargingPointTags({ ...c, evseId: c.evseId ?? c.evseUid })],
  };
}
