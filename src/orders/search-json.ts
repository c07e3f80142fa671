import type { CatalogConnector, CatalogOffer, CatalogPage } from '../catalog/catalog.service.ts';

// The search result as the contract's JSON (API 1): catalogs of connectors and offers.

function connectorJson(c: CatalogConnector) {
  return {
    id: c.id,
    evse_id: c.evseId ?? c.evseUid,
    geo_coordinates: [c.lat, c.lng],
    availabilityWindow: c.availabilityWindow,
    rating: { value: Number(c.rating.value), count: c.rating.count },
    isActive: c.isActive,
    provider: { id: c.provider.id, descriptor: { name: c.provider.name } },
    connectorAttributes: {
      connectorType: c.connectorType,
      maxPowerKW: Number(c.maxPowerKw),
      socketCount: c.socketCount,
      reservationSupported: c.reservationSupported,
      status: c.status,
      chargingSpeed: c.chargingSpeed,
      powerType: c.powerType,
      connectorFormat: c.format,
    },
  };
}

function offerJson(o: CatalogOffer) {
  return {
    id: `offer-${o.id}`,
    descriptor: { name: o.name },
    items: o.items,
    price: {
      currency: o.currency,
      value: Number(o.energyPrice),
      applicableQuantity: { unitText: 'Kilowatt Hour', unitCode: 'KWH', unitQuantity: 1 },
    },
    acceptedPaymentMethod: o.paymentMethods,
  };
}

export function catalogPageJson(page: CatalogPage, pageNumber: number, perPage: number) {
  return {
    total: page.total,
    page: pageNumber,
    per_page: perPage,
    catalogs: page.catalogs.map((c) => ({ id: c.id, connectors: c.connectors.map(connectorJson), offers: c.offers.map(offerJson) })),
  };
}
