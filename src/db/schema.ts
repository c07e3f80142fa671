import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ChargePointConfigurationTable, ChargingProfileTable, ClusterNodeTable, InstalledChargingProfileTable, LocalListEntryTable, OcppCommandTable, ReservationTable } from './tables/control-tables.ts';
import type {
  ConnectorTable, CpoOwnerTable, EvseCapabilityTable, EvsePaymentTypeTable, EvseTable, LocationFacilityTable, LocationParkingRestrictionTable,
  LocationParkingTypeTable, LocationPhotoTable, LocationTable, ReferenceTable,
} from './tables/location-tables.ts';
import type { ChargePointEventTable, ChargePointTable, ConnectorStatusTable, DataTransferTable, IdTagTable, MeterLayoutTable, MeterReadingTable, MeterValueView, StatusEventTable, TransactionStopAnomalyTable, TransactionTable } from './tables/ocpp-tables.ts';
import type { ChargingOrderTable, OrderRatingTable, PaymentEventTable, PaymentTable, RefundTable, TariffTable } from './tables/order-tables.ts';
import type { BecknCallbackTable, BecknMessageTable, BecknOrderTable, BecknSigningKeyTable, BecknSubscriberTable } from './tables/beckn-tables.ts';
import type { ApiClientTable, AppUserTable, AuthSessionTable, LoginFailureTable, MailOutboxTable } from './tables/user-tables.ts';

// The database as kysely sees it; each table's type lives in tables/, by area.

export type * from './tables/control-tables.ts';
export type * from './tables/location-tables.ts';
export type * from './tables/ocpp-tables.ts';
export type * from './tables/order-tables.ts';
export type * from './tables/beckn-tables.ts';
export type * from './tables/user-tables.ts';

export interface Tables {
  cpoOwner: CpoOwnerTable;
  location: LocationTable;
  evse: EvseTable;
  connector: ConnectorTable;
  chargePoint: ChargePointTable;
  connectorStatus: ConnectorStatusTable;
  statusEvent: StatusEventTable;
  idTag: IdTagTable;
  transaction: TransactionTable;
  transactionStopAnomaly: TransactionStopAnomalyTable;
  meterReading: MeterReadingTable;
  meterLayout: MeterLayoutTable;
  /** A view: one row per sampled value of meterReading, with its layout. */
  meterValue: MeterValueView;
  dataTransfer: DataTransferTable;
  chargePointEvent: ChargePointEventTable;
  appUser: AppUserTable;
  ocppCommand: OcppCommandTable;
  chargePointConfiguration: ChargePointConfigurationTable;
  reservation: ReservationTable;
  chargingProfile: ChargingProfileTable;
  installedChargingProfile: InstalledChargingProfileTable;
  localListEntry: LocalListEntryTable;
  clusterNode: ClusterNodeTable;
  connectorType: ReferenceTable;
  facility: ReferenceTable;
  capability: ReferenceTable;
  paymentType: ReferenceTable;
  parkingType: ReferenceTable;
  parkingRestriction: ReferenceTable;
  locationFacility: LocationFacilityTable;
  locationParkingType: LocationParkingTypeTable;
  locationParkingRestriction: LocationParkingRestrictionTable;
  evseCapability: EvseCapabilityTable;
  evsePaymentType: EvsePaymentTypeTable;
  locationPhoto: LocationPhotoTable;
  apiClient: ApiClientTable;
  authSession: AuthSessionTable;
  loginFailure: LoginFailureTable;
  mailOutbox: MailOutboxTable;
  tariff: TariffTable;
  chargingOrder: ChargingOrderTable;
  payment: PaymentTable;
  paymentEvent: PaymentEventTable;
  refund: RefundTable;
  orderRating: OrderRatingTable;
  becknSigningKey: BecknSigningKeyTable;
  becknSubscriber: BecknSubscriberTable;
  becknMessage: BecknMessageTable;
  becknCallback: BecknCallbackTable;
  becknOrder: BecknOrderTable;
}

export type CpoOwnerRow = Selectable<CpoOwnerTable>;
export type LocationRow = Selectable<LocationTable>;
export type EvseRow = Selectable<EvseTable>;
export type ApiClientRow = Selectable<ApiClientTable>;

export type AppUserRow = Selectable<AppUserTable>;
export type OcppCommandRow = Selectable<OcppCommandTable>;
export type ReservationRow = Selectable<ReservationTable>;
export type ChargingProfileRow = Selectable<ChargingProfileTable>;
export type InstalledChargingProfileRow = Selectable<InstalledChargingProfileTable>;

export type ChargePointRow = Selectable<ChargePointTable>;
export type NewChargePoint = Insertable<ChargePointTable>;
export type ChargePointUpdate = Updateable<ChargePointTable>;
export type TransactionRow = Selectable<TransactionTable>;
export type IdTagRow = Selectable<IdTagTable>;
export type MeterValueRow = Selectable<MeterValueView>;

/** One sampled value as stored (OCPP defaults applied). */
export interface StoredSampledValue {
  measurand: string;
  phase: string | null;
  unit: string | null;
  context: string;
  location: string | null;
  format: string;
  value: string | null;
  rawValue: string | null;
}

/** A reading to write: where and when it was sampled, and its values in the charger's order. */
export interface NewMeterReading {
  chargePointId: string;
  connectorId: number;
  transactionId: number | null;
  sampledAt: Date;
  values: StoredSampledValue[];
}
export type TariffRow = Selectable<TariffTable>;
export type ChargingOrderRow = Selectable<ChargingOrderTable>;
export type PaymentRow = Selectable<PaymentTable>;
export type RefundRow = Selectable<RefundTable>;
