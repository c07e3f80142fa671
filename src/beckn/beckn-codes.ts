// Every Beckn/DENT string the BPP speaks, in one place: domains, fulfillment states, tag and
// descriptor codes, category codes and the BECKN-005 error codes. The mapping modules import these
// and never spell a protocol string themselves, so a network policy change is one edit here.

export const BECKN_VERSION = '1.1.0';
export const DENT_DOMAIN = 'dent:0.1.0';
/** Domains we answer: DENT, and the UEI charging domain whose examples the spec also quotes. */
export const SUPPORTED_DOMAINS: readonly string[] = [DENT_DOMAIN, 'uei:charging'];

/** The item descriptor code of a charging offer (energy sold by the kWh). */
export const ITEM_CODE_ENERGY = 'energy';
export const FULFILLMENT_TYPE_CHARGING = 'CHARGING';
/** The spec writes the unit both ways; we send this one and accept any case. */
export const UNIT_KWH = 'kWH';
export const UNIT_KM = 'km';
export const UNIT_M = 'm';
export const STOP_START = 'start';
export const STOP_END = 'end';
export const PAYMENT_TYPE_PRE_ORDER = 'PRE-ORDER';
export const PAYMENT_PAID = 'PAID';
export const PAYMENT_NOT_PAID = 'NOT-PAID';
export const COLLECTED_BY_BPP = 'BPP';
export const UPDATE_TARGET_FULFILLMENT_STATE = 'order.fulfillments[0].state';

/** Fulfillment state codes, sent in on_* (the spec's own vocabulary where it has one). */
export const FulfillmentState = {
  orderInitiated: 'order-initiated',
  paymentCompleted: 'payment-completed',
  // The spec names no code for the seconds between asking the charger and its answer.
  chargingStarting: 'charging-starting',
  chargingStarted: 'charging-started',
  chargingStopping: 'charging-stopping',
  chargingEnded: 'charging-ended',
  cancelled: 'cancelled',
} as const;
export type FulfillmentStateCode = (typeof FulfillmentState)[keyof typeof FulfillmentState];

export const FULFILLMENT_STATE_NAMES: Readonly<Record<FulfillmentStateCode, string>> = {
  'order-initiated': 'Order initiated',
  'payment-completed': 'Payment completed',
  'charging-starting': 'Charging starting',
  'charging-started': 'Charging started',
  'charging-stopping': 'Charging stopping',
  'charging-ended': 'Charging ended',
  cancelled: 'Cancelled',
};

/** What a BAP asks for in update (order.fulfillments[0].state.descriptor.code). */
export const UpdateCode = { startCharging: 'start-charging', endCharging: 'end-charging' } as const;
export type UpdateAction = 'start' | 'stop';
export const UPDATE_CODES: Readonly<Record<string, UpdateAction>> = {
  'start-charging': 'start',
  'charging-start': 'start',
  'end-charging': 'stop',
  'stop-charging': 'stop',
  'charging-end': 'stop',
};

/** Beckn Order.status of our order states (a quote is not an order yet: no status). */
export const ORDER_STATUS = { active: 'ACTIVE', completed: 'COMPLETED', cancelled: 'CANCELLED' } as const;
export const CANCELLED_BY_CONSUMER = 'CONSUMER';
export const CANCELLED_BY_PROVIDER = 'PROVIDER';
/** Domain cancel codes that mean the platform, not the driver, cancelled. */
export const PROVIDER_CANCEL_CODES: readonly string[] = ['NO_SHOW'];

/** Tag groups and tags: { code, name } pairs. */
export const Tag = {
  chargingPoint: { code: 'charging-point-specifications', name: 'Charging Point Specifications' },
  chargerType: { code: 'charger-type', name: 'Charger type' },
  powerType: { code: 'power-type', name: 'Power type' },
  connectorType: { code: 'connector-type', name: 'Connector type' },
  powerRating: { code: 'power-rating', name: 'Power Rating' },
  availability: { code: 'availability', name: 'Availability' },
  connectorFormat: { code: 'connector-format', name: 'Connector format' },
  chargingSpeed: { code: 'charging-speed', name: 'Charging speed' },
  evseId: { code: 'evse-id', name: 'EVSE id' },
  tariff: { code: 'tariff-details', name: 'Tariff Details' },
  tariffName: { code: 'tariff-name', name: 'Tariff' },
  energyPrice: { code: 'energy-price', name: 'Energy price per kWh' },
  timePrice: { code: 'time-price', name: 'Time price per minute' },
  sessionFee: { code: 'session-fee', name: 'Session fee' },
  reservationFee: { code: 'reservation-fee', name: 'Reservation fee' },
  idleFee: { code: 'idle-fee', name: 'Idle fee per minute' },
  idleGrace: { code: 'idle-grace-minutes', name: 'Idle grace minutes' },
  taxPercent: { code: 'tax-percent', name: 'Tax %' },
  discountPercent: { code: 'discount-percent', name: 'Discount %' },
  surcharge: { code: 'surcharge', name: 'Time-of-day surcharge' },
  cancellationFee: { code: 'cancellation-fee-percent', name: 'Cancellation fee %' },
  paymentMethods: { code: 'payment-methods', name: 'Accepted payment methods' },
  currency: { code: 'currency', name: 'Currency' },
  // Live session details, as the UEI on_status example names them.
  session: { code: 'charging-session-details', name: 'Charging Session Details' },
  timeElapsed: { code: 'time_elapsed', name: 'Time Elapsed' },
  energyDelivered: { code: 'energy_delivered', name: 'Energy Delivered' },
  currentSoc: { code: 'current_soc', name: 'Current SoC' },
  initialSoc: { code: 'initial_soc', name: 'Initial SoC' },
  voltage: { code: 'voltage', name: 'Voltage' },
  current: { code: 'current', name: 'Current' },
  power: { code: 'power', name: 'Power' },
  lastTimestamp: { code: 'last_timestamp', name: 'Last Timestamp' },
  lastCost: { code: 'last_calculated_cost', name: 'Last Calculated Cost' },
} as const;

/** Tags a BAP may send: the connector type in a search, the payment method and amount in select/init. */
export const INCOMING_CONNECTOR_TAG_CODES: readonly string[] = ['connector-type', 'connector_type'];
export const INCOMING_PAYMENT_METHOD_TAG_CODES: readonly string[] = ['method', 'payment-method', 'payment_method'];
export const INCOMING_AMOUNT_TAG_CODES: readonly string[] = ['amount'];
export const INCOMING_ENERGY_TAG_CODES: readonly string[] = ['units', 'energy', 'kwh'];

/** Connector type codes we publish as categories (and accept as a category or item code in a search). */
export const CONNECTOR_TYPE_NAMES: Readonly<Record<string, string>> = {
  TYPE_1: 'Type 1',
  TYPE_2: 'Type 2',
  CCS1: 'CCS Combo 1',
  CCS2: 'CCS Combo 2',
  CHADEMO: 'CHAdeMO',
  GBT: 'GB/T',
  LECCS: 'LECCS',
  BHARAT_AC001: 'Bharat AC-001',
  BHARAT_DC001: 'Bharat DC-001',
};

/** Item ids: `${connectorPublicId}${ITEM_OFFER_SEPARATOR}${tariffId}`. */
export const ITEM_OFFER_SEPARATOR = '~offer-';

/** Search radius when the intent gives none, and the most we search (km). */
export const DEFAULT_RADIUS_KM = '5';
export const MAX_RADIUS_KM = '50';

/** BECKN-005 error codes (BPP side). */
export const BecknErrorCode = {
  invalidRequest: '30000',
  providerNotFound: '30001',
  providerLocationNotFound: '30002',
  itemNotFound: '30004',
  categoryNotFound: '30005',
  fulfillmentUnavailable: '30008',
  orderNotFound: '30010',
  invalidCancellationReason: '30011',
  invalidUpdateTarget: '30012',
  updateInconsistency: '30013',
  rateEntityNotFound: '30014',
  invalidRatingValue: '30015',
  /** Signature missing, malformed, expired or not matching the registered key (BECKN-006). */
  invalidSignature: '30016',
  unsupportedDomain: '30017',
  unsupportedVersion: '30018',
  /** Seen before: a replayed message id. */
  duplicateMessage: '30019',
  /** timestamp + ttl is past. */
  staleRequest: '30022',
  internalError: '31001',
} as const;
export type BecknErrorCodeValue = (typeof BecknErrorCode)[keyof typeof BecknErrorCode];
