// OCPP 1.6J payloads sent by a charge point, as the official JSON schemas define them.
// They stop at this adapter: handlers map them to domain inputs before calling a service.

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';
export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

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

export type HeartbeatReq = Record<string, never>;
export interface HeartbeatConf {
  currentTime: string;
}

export interface StatusNotificationReq {
  connectorId: number;
  errorCode: string;
  status: string;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}
export type StatusNotificationConf = Record<string, never>;

export interface AuthorizeReq {
  idTag: string;
}
export interface AuthorizeConf {
  idTagInfo: IdTagInfo;
}

export interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}
export interface StartTransactionConf {
  idTagInfo: IdTagInfo;
  transactionId: number;
}

export interface SampledValue {
  value: string;
  context?: string;
  format?: 'Raw' | 'SignedData';
  measurand?: string;
  phase?: string;
  location?: string;
  unit?: string;
}
export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValue[];
}

export interface StopTransactionReq {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  idTag?: string;
  reason?: string;
  transactionData?: MeterValue[];
}
export interface StopTransactionConf {
  idTagInfo?: IdTagInfo;
}

export interface MeterValuesReq {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue[];
}
export type MeterValuesConf = Record<string, never>;

export interface DataTransferReq {
  vendorId: string;
  messageId?: string;
  data?: string;
}
export interface DataTransferConf {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  data?: string;
}

export interface DiagnosticsStatusNotificationReq {
  status: 'Idle' | 'Uploaded' | 'UploadFailed' | 'Uploading';
}
export interface FirmwareStatusNotificationReq {
  status: 'Downloaded' | 'DownloadFailed' | 'Downloading' | 'Idle' | 'InstallationFailed' | 'Installing' | 'Installed';
}

/** Every action a charge point may send, with its request and confirmation types. */
export interface ChargePointActions {
  BootNotification: [BootNotificationReq, BootNotificationConf];
  Heartbeat: [HeartbeatReq, HeartbeatConf];
  StatusNotification: [StatusNotificationReq, StatusNotificationConf];
  Authorize: [AuthorizeReq, AuthorizeConf];
  StartTransaction: [StartTransactionReq, StartTransactionConf];
  StopTransaction: [StopTransactionReq, StopTransactionConf];
  MeterValues: [MeterValuesReq, MeterValuesConf];
  DataTransfer: [DataTransferReq, DataTransferConf];
  DiagnosticsStatusNotification: [DiagnosticsStatusNotificationReq, Record<string, never>];
  FirmwareStatusNotification: [FirmwareStatusNotificationReq, Record<string, never>];
}
export type ChargePointAction = keyof ChargePointActions;
