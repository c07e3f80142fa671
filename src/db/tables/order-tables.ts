import type { Generated } from 'kysely';
import type { DefaultJson, DefaultNumeric, DefaultTimestamp, Json, Numeric, Timestamp } from './column-types.ts';

// Selling charging: tariffs, driver orders, payments, refunds and ratings.

export interface TariffTable {
  id: Generated<number>;
  cpoOwnerId: number;
  locationId: number | null;
  evseId: number | null;
  connectorId: number | null;
  name: string;
  currency: string;
  /** Per kWh. */
  energyPrice: DefaultNumeric;
  /** Per minute of the session. */
  timePrice: DefaultNumeric;
  sessionFee: DefaultNumeric;
  reservationFee: DefaultNumeric;
  /** Per minute plugged in without charging, after idleGraceMinutes. */
  idleFee: DefaultNumeric;
  idleGraceMinutes: Generated<number>;
  taxPercent: DefaultNumeric;
  discountPercent: DefaultNumeric;
  discountDescription: string | null;
  /** Time-of-day surcharges, a JSON array of tariffs/tariff.ts Surcharge. */
  surcharges: DefaultJson;
  cancellationFeePercent: DefaultNumeric;
  paymentMethods: Generated<string[]>;
  /** IANA zone the surcharge windows are read in. */
  timeZone: Generated<string>;
  active: Generated<boolean>;
  dateCreated: DefaultTimestamp;
  dateModified: DefaultTimestamp;
}

export type OrderStatus = 'quoted' | 'active' | 'completed' | 'cancelled';
export type OrderMode = 'instant' | 'reservation';
export type OrderPaymentStatus = 'not_paid' | 'pending' | 'paid' | 'failed' | 'refunded';
export type OrderChargingStatus = 'idle' | 'starting' | 'active' | 'stopping' | 'completed';

export interface ChargingOrderTable {
  id: string;
  apiClientId: number | null;
  channel: Generated<'rest' | 'beckn'>;
  externalRef: string | null;
  status: OrderStatus;
  mode: OrderMode;
  paymentStatus: Generated<OrderPaymentStatus>;
  chargingStatus: Generated<OrderChargingStatus>;
  cpoOwnerId: number;
  locationId: number;
  evseId: number;
  connectorId: number;
  chargePointId: string;
  ocppConnectorId: number;
  connectorType: string;
  tariffId: number | null;
  /** The tariff as it was when quoted (tariffs/tariff.ts Tariff). */
  tariff: Json;
  vehicleMake: string | null;
  vehicleModel: string | null;
  vehicleType: string | null;
  energyKwh: Numeric;
  durationMinutes: number;
  batteryPercent: number | null;
  currency: string;
  quotedAmount: Numeric;
  /** The quote's price components (tariffs/pricing.ts PriceComponent[]). */
  quote: Json;
  validFrom: Timestamp;
  validUntil: Timestamp;
  idTag: string | null;
  transactionId: number | null;
  chargingStartedAt: Timestamp | null;
  energyDeliveredKwh: Numeric | null;
  finalAmount: Numeric | null;
  finalComponents: Json | null;
  refundDue: Numeric | null;
  completedAt: Timestamp | null;
  stopReason: string | null;
  cancelReason: string | null;
  cancelCode: string | null;
  cancellationFee: Numeric | null;
  cancelledAt: Timestamp | null;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'cancelled' | 'refunded' | 'partially_refunded';

export interface PaymentTable {
  id: Generated<number>;
  orderId: string;
  provider: string;
  intentId: string;
  status: PaymentStatus;
  amount: Numeric;
  currency: string;
  method: string | null;
  paymentUrl: string | null;
  expiresAt: Timestamp | null;
  paidAt: Timestamp | null;
  refundedAmount: DefaultNumeric;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

export interface PaymentEventTable {
  provider: string;
  eventId: string;
  paymentId: number | null;
  type: string;
  payload: Json;
  receivedAt: DefaultTimestamp;
}

export type RefundReason = 'cancellation' | 'settlement' | 'late_payment';

export interface RefundTable {
  id: Generated<number>;
  paymentId: number;
  orderId: string;
  amount: Numeric;
  reason: RefundReason;
  status: Generated<'pending' | 'succeeded' | 'failed'>;
  providerRefundId: string | null;
  createdAt: DefaultTimestamp;
  updatedAt: DefaultTimestamp;
}

export interface OrderRatingTable {
  orderId: string;
  connectorId: number;
  value: number;
  comments: string | null;
  tags: Generated<string[]>;
  submissionId: string;
  createdAt: DefaultTimestamp;
}
