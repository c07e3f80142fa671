// Small local types for the OCPP 1.6J messages the simulator sends and answers.
// Spellings follow node_modules/ocpp-rpc/lib/schemas/ocpp1_6.json.

export type ReadingContext =
  | 'Interruption.Begin' | 'Interruption.End' | 'Sample.Clock' | 'Sample.Periodic'
  | 'Transaction.Begin' | 'Transaction.End' | 'Trigger' | 'Other';

export type Measurand =
  | 'Energy.Active.Export.Register' | 'Energy.Active.Import.Register'
  | 'Energy.Reactive.Export.Register' | 'Energy.Reactive.Import.Register'
  | 'Energy.Active.Export.Interval' | 'Energy.Active.Import.Interval'
  | 'Energy.Reactive.Export.Interval' | 'Energy.Reactive.Import.Interval'
  | 'Power.Active.Export' | 'Power.Active.Import' | 'Power.Offered'
  | 'Power.Reactive.Export' | 'Power.Reactive.Import' | 'Power.Factor'
  | 'Current.Import' | 'Current.Export' | 'Current.Offered'
  | 'Voltage' | 'Frequency' | 'Temperature' | 'SoC' | 'RPM';

export type UnitOfMeasure =
  | 'Wh' | 'kWh' | 'varh' | 'kvarh' | 'W' | 'kW' | 'VA' | 'kVA' | 'var' | 'kvar'
  | 'A' | 'V' | 'K' | 'Celcius' | 'Celsius' | 'Fahrenheit' | 'Percent';

export type Phase = 'L1' | 'L2' | 'L3' | 'N' | 'L1-N' | 'L2-N' | 'L3-N' | 'L1-L2' | 'L2-L3' | 'L3-L1';
export type Location = 'Cable' | 'EV' | 'Inlet' | 'Outlet' | 'Body';

export interface SampledValue {
  value: string;
  context?: ReadingContext;
  format?: 'Raw' | 'SignedData';
  measurand?: Measurand;
  phase?: Phase;
  location?: Location;
  unit?: UnitOfMeasure;
}

export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

export type ChargePointStatus =
  | 'Available' | 'Preparing' | 'Charging' | 'SuspendedEVSE' | 'SuspendedEV'
  | 'Finishing' | 'Reserved' | 'Unavailable' | 'Faulted';

export type ChargePointErrorCode =
  | 'ConnectorLockFailure' | 'EVCommunicationError' | 'GroundFailure' | 'HighTemperature'
  | 'InternalError' | 'LocalListConflict' | 'NoError' | 'OtherError' | 'OverCurrentFailure'
  | 'PowerMeterFailure' | 'PowerSwitchFailure' | 'ReaderFailure' | 'ResetFailure'
  | 'UnderVoltage' | 'OverVoltage' | 'WeakSignal';

export type StopReason =
  | 'EmergencyStop' | 'EVDisconnected' | 'HardReset' | 'Local' | 'Other' | 'PowerLoss'
  | 'Reboot' | 'Remote' | 'SoftReset' | 'UnlockCommand' | 'DeAuthorized';

export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';
export type DiagnosticsStatus = 'Idle' | 'Uploaded' | 'UploadFailed' | 'Uploading';
export type FirmwareStatus =
  | 'Downloaded' | 'DownloadFailed' | 'Downloading' | 'Idle'
  | 'InstallationFailed' | 'Installing' | 'Installed';
export type MessageTrigger =
  | 'BootNotification' | 'DiagnosticsStatusNotification' | 'FirmwareStatusNotification'
  | 'Heartbeat' | 'MeterValues' | 'StatusNotification';

export interface IdTagInfo {
  status: AuthorizationStatus;
  expiryDate?: string;
  parentIdTag?: string;
}

export interface BootNotificationReq {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}
export interface BootNotificationConf {
  status: RegistrationStatus;
  currentTime: string;
  interval: number;
}
export interface HeartbeatConf { currentTime: string }
export interface AuthorizeConf { idTagInfo: IdTagInfo }

export interface StatusNotificationReq {
  connectorId: number;
  errorCode: ChargePointErrorCode;
  status: ChargePointStatus;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

export interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}
export interface StartTransactionConf { idTagInfo: IdTagInfo; transactionId: number }

export interface StopTransactionReq {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  idTag?: string;
  reason?: StopReason;
  transactionData?: MeterValue[];
}
export interface StopTransactionConf { idTagInfo?: IdTagInfo }

export interface MeterValuesReq {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue[];
}

export interface DataTransferReq { vendorId: string; messageId?: string; data?: string }
export interface DataTransferConf {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  data?: string;
}

// ---- Smart charging ----

export type ChargingProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
export type ChargingRateUnit = 'A' | 'W';

export interface ChargingSchedulePeriod { startPeriod: number; limit: number; numberPhases?: number }
export interface ChargingSchedule {
  chargingRateUnit: ChargingRateUnit;
  chargingSchedulePeriod: ChargingSchedulePeriod[];
  duration?: number;
  startSchedule?: string;
  minChargingRate?: number;
}
export interface ChargingProfile {
  chargingProfileId: number;
  stackLevel: number;
  chargingProfilePurpose: ChargingProfilePurpose;
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  chargingSchedule: ChargingSchedule;
  transactionId?: number;
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
}

// ---- Server-initiated requests ----

export interface RemoteStartTransactionReq { idTag: string; connectorId?: number; chargingProfile?: ChargingProfile }
export interface RemoteStopTransactionReq { transactionId: number }
export interface ResetReq { type: 'Hard' | 'Soft' }
export interface ChangeAvailabilityReq { connectorId: number; type: 'Inoperative' | 'Operative' }
export interface GetConfigurationReq { key?: string[] }
export interface ConfigurationKey { key: string; readonly: boolean; value?: string }
export interface GetConfigurationConf { configurationKey?: ConfigurationKey[]; unknownKey?: string[] }
export interface ChangeConfigurationReq { key: string; value: string }
export type ChangeConfigurationStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';
export interface UnlockConnectorReq { connectorId: number }
export interface TriggerMessageReq { requestedMessage: MessageTrigger; connectorId?: number }
export interface ReserveNowReq {
  connectorId: number;
  expiryDate: string;
  idTag: string;
  reservationId: number;
  parentIdTag?: string;
}
export interface CancelReservationReq { reservationId: number }
export interface SetChargingProfileReq { connectorId: number; csChargingProfiles: ChargingProfile }
export interface ClearChargingProfileReq {
  id?: number;
  connectorId?: number;
  chargingProfilePurpose?: ChargingProfilePurpose;
  stackLevel?: number;
}
export interface GetCompositeScheduleReq { connectorId: number; duration: number; chargingRateUnit?: ChargingRateUnit }
export interface GetCompositeScheduleConf {
  status: 'Accepted' | 'Rejected';
  connectorId?: number;
  scheduleStart?: string;
  chargingSchedule?: ChargingSchedule;
}
export interface GetDiagnosticsReq {
  location: string;
  retries?: number;
  retryInterval?: number;
  startTime?: string;
  stopTime?: string;
}
export interface UpdateFirmwareReq { location: string; retrieveDate: string; retries?: number; retryInterval?: number }
export interface AuthorizationData { idTag: string; idTagInfo?: IdTagInfo }
export interface SendLocalListReq {
  listVersion: number;
  updateType: 'Differential' | 'Full';
  localAuthorizationList?: AuthorizationData[];
}
