// The OCPP 1.6 request payloads a fleet charger sends: minimal, schema-valid, cheap to build.

export interface ConnectorState {
  id: number;
  transactionId: number | undefined;
  /** Energy register in Wh; grows while charging. */
  energyWh: number;
  powerW: number;
  soc: number;
  /** Next random start or stop (random mode). */
  timer: NodeJS.Timeout | undefined;
  /** The periodic MeterValues of a running session. */
  meterTimer: NodeJS.Timeout | undefined;
  lastMeterAt: number;
  /** Guards a start or stop in progress. */
  busy: boolean;
}

export const newConnector = (id: number): ConnectorState => ({
  id, transactionId: undefined, energyWh: 1000 * id, powerW: 0, soc: 20, timer: undefined, meterTimer: undefined, lastMeterAt: 0, busy: false,
});

type Sample = (c: ConnectorState) => Record<string, string>;

// Order matters: --samples k takes the first k. The first six are the default set.
const SAMPLES: Sample[] = [
  (c) => ({ value: String(Math.round(c.energyWh)), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' }),
  (c) => ({ value: String(c.powerW), context: 'Sample.Periodic', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' }),
  (c) => ({ value: (c.powerW / 690).toFixed(1), context: 'Sample.Periodic', measurand: 'Current.Import', location: 'Outlet', unit: 'A' }),
  () => ({ value: '230.0', context: 'Sample.Periodic', measurand: 'Voltage', location: 'Outlet', unit: 'V' }),
  (c) => ({ value: String(Math.floor(c.soc)), context: 'Sample.Periodic', measurand: 'SoC', location: 'EV', unit: 'Percent' }),
  () => ({ value: '31.5', context: 'Sample.Periodic', measurand: 'Temperature', location: 'Body', unit: 'Celsius' }),
  (c) => ({ value: (c.powerW / 690).toFixed(1), context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L1', location: 'Outlet', unit: 'A' }),
  (c) => ({ value: (c.powerW / 690).toFixed(1), context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L2', location: 'Outlet', unit: 'A' }),
  (c) => ({ value: (c.powerW / 690).toFixed(1), context: 'Sample.Periodic', measurand: 'Current.Import', phase: 'L3', location: 'Outlet', unit: 'A' }),
  () => ({ value: '22000', context: 'Sample.Periodic', measurand: 'Power.Offered', location: 'Outlet', unit: 'W' }),
];
export const MAX_SAMPLES = SAMPLES.length;

export function bootNotification(id: string): Record<string, unknown> {
  return { chargePointVendor: 'FleetSim', chargePointModel: 'LC-1', chargePointSerialNumber: id.slice(-25), firmwareVersion: '1.0.0' };
}

export function statusNotification(connectorId: number, status: string): Record<string, unknown> {
  return { connectorId, errorCode: 'NoError', status, timestamp: new Date().toISOString() };
}

/** Advances the connector's meter by the time since its last reading, then samples it. */
export function meterValues(c: ConnectorState, samples: number, elapsedS: number): Record<string, unknown> {
  c.energyWh += (c.powerW * elapsedS) / 3600;
  c.soc = Math.min(100, c.soc + elapsedS / 60);
  const sampledValue = SAMPLES.slice(0, samples).map((s) => s(c));
  return {
    connectorId: c.id,
    ...(c.transactionId !== undefined ? { transactionId: c.transactionId } : {}),
    meterValue: [{ timestamp: new Date().toISOString(), sampledValue }],
  };
}

export function startTransaction(c: ConnectorState, idTag: string): Record<string, unknown> {
  return { connectorId: c.id, idTag, meterStart: Math.round(c.energyWh), timestamp: new Date().toISOString() };
}

export function stopTransaction(c: ConnectorState, reason: string): Record<string, unknown> {
  return { transactionId: c.transactionId, meterStop: Math.round(c.energyWh), timestamp: new Date().toISOString(), reason };
}

/** Answers to the central system's calls that need no simulated behaviour. */
export const SIMPLE_ANSWERS: Record<string, Record<string, unknown>> = {
  GetConfiguration: { configurationKey: [] },
  UnlockConnector: { status: 'Unlocked' },
  Reset: { status: 'Accepted' },
  ChangeAvailability: { status: 'Accepted' },
  ChangeConfiguration: { status: 'Accepted' },
  ClearCache: { status: 'Accepted' },
  TriggerMessage: { status: 'Accepted' },
};
