// The commands the platform can send to a charger: OCPP 1.6's server-initiated actions, all six
// feature profiles. Chargers here speak 1.6, so the domain names its commands after 1.6 and keeps
// their request/answer shapes; everything else about the protocol stays in src/ocpp/.

export interface IdTagInfo {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';
  expiryDate?: string;
  parentIdTag?: string;
}

export interface ChargingSchedulePeriod {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
}

export interface ChargingSchedule {
  duration?: number;
  startSchedule?: string;
  chargingRateUnit: 'A' | 'W';
  chargingSchedulePeriod: ChargingSchedulePeriod[];
  minChargingRate?: number;
}

export interface ChargingProfile {
  chargingProfileId: number;
  transactionId?: number;
  stackLevel: number;
  chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  chargingSchedule: ChargingSchedule;
}

export interface AuthorizationData {
  idTag: string;
  idTagInfo?: IdTagInfo;
}

type Status<S extends string> = { status: S };

/** action → [request, answer] */
export interface ChargerCommands {
  // Core
  RemoteStartTransaction: [{ idTag: string; connectorId?: number; chargingProfile?: ChargingProfile }, Status<'Accepted' | 'Rejected'>];
  RemoteStopTransaction: [{ transactionId: number }, Status<'Accepted' | 'Rejected'>];
  Reset: [{ type: 'Hard' | 'Soft' }, Status<'Accepted' | 'Rejected'>];
  ChangeAvailability: [{ connectorId: number; type: 'Inoperative' | 'Operative' }, Status<'Accepted' | 'Rejected' | 'Scheduled'>];
  GetConfiguration: [
    { key?: string[] },
    { configurationKey?: Array<{ key: string; readonly: boolean; value?: string }>; unknownKey?: string[] },
  ];
  ChangeConfiguration: [{ key: string; value: string }, Status<'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported'>];
  UnlockConnector: [{ connectorId: number }, Status<'Unlocked' | 'UnlockFailed' | 'NotSupported'>];
  ClearCache: [Record<string, never>, Status<'Accepted' | 'Rejected'>];
  DataTransfer: [
    { vendorId: string; messageId?: string; data?: string },
    { status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId'; data?: string },
  ];
  // Remote trigger
  TriggerMessage: [
    {
      requestedMessage: 'BootNotification' | 'DiagnosticsStatusNotification' | 'FirmwareStatusNotification' | 'Heartbeat' | 'MeterValues' | 'StatusNotification';
      connectorId?: number;
    },
    Status<'Accepted' | 'Rejected' | 'NotImplemented'>,
  ];
  // Reservation
  ReserveNow: [
    { connectorId: number; expiryDate: string; idTag: string; parentIdTag?: string; reservationId: number },
    Status<'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable'>,
  ];
  CancelReservation: [{ reservationId: number }, Status<'Accepted' | 'Rejected'>];
  // Smart charging
  SetChargingProfile: [{ connectorId: number; csChargingProfiles: ChargingProfile }, Status<'Accepted' | 'Rejected' | 'NotSupported'>];
  ClearChargingProfile: [
    { id?: number; connectorId?: number; chargingProfilePurpose?: ChargingProfile['chargingProfilePurpose']; stackLevel?: number },
    Status<'Accepted' | 'Unknown'>,
  ];
  GetCompositeSchedule: [
    { connectorId: number; duration: number; chargingRateUnit?: 'A' | 'W' },
    { status: 'Accepted' | 'Rejected'; connectorId?: number; scheduleStart?: string; chargingSchedule?: ChargingSchedule },
  ];
  // Firmware management
  GetDiagnostics: [
    { location: string; retries?: number; retryInterval?: number; startTime?: string; stopTime?: string },
    { fileName?: string },
  ];
  UpdateFirmware: [{ location: string; retrieveDate: string; retries?: number; retryInterval?: number }, Record<string, never>];
  // Local auth list management
  SendLocalList: [
    { listVersion: number; updateType: 'Differential' | 'Full'; localAuthorizationList?: AuthorizationData[] },
    Status<'Accepted' | 'Failed' | 'NotSupported' | 'VersionMismatch'>,
  ];
  GetLocalListVersion: [Record<string, never>, { listVersion: number }];
}

export type CommandAction = keyof ChargerCommands;
export type CommandRequest<A extends CommandAction> = ChargerCommands[A][0];
export type CommandResponse<A extends CommandAction> = ChargerCommands[A][1];

export const COMMAND_ACTIONS: readonly CommandAction[] = [
  'RemoteStartTransaction', 'RemoteStopTransaction', 'Reset', 'ChangeAvailability', 'GetConfiguration',
  'ChangeConfiguration', 'UnlockConnector', 'ClearCache', 'DataTransfer', 'TriggerMessage', 'ReserveNow',
  'CancelReservation', 'SetChargingProfile', 'ClearChargingProfile', 'GetCompositeSchedule', 'GetDiagnostics',
  'UpdateFirmware', 'SendLocalList', 'GetLocalListVersion',
];

export function isCommandAction(action: string): action is CommandAction {
  return (COMMAND_ACTIONS as readonly string[]).includes(action);
}
