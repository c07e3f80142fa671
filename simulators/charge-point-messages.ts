// The websocket connection of a simulated charge point (ocpp-rpc RPCClient, strict mode, ocpp1.6)
// and the low-level messages it sends. SimulatedChargePoint builds its behaviour on top.

import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import ocppRpc from 'ocpp-rpc';
import { Connector, type ConnectorSnapshot } from './connector.ts';
import type { CurrentType } from './meter-model.ts';
import type {
  AuthorizeConf, ChargePointErrorCode, ChargePointStatus, DataTransferConf, DiagnosticsStatus, FirmwareStatus,
  HeartbeatConf, MeterValue, ReadingContext, SampledValue, StartTransactionConf, StartTransactionReq,
  StatusNotificationReq, StopReason, StopTransactionConf, StopTransactionReq,
} from './ocpp-types.ts';

const { RPCClient } = ocppRpc;
type Client = InstanceType<typeof RPCClient>;
type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

export interface SimulatedChargePointOptions {
  /** Central system endpoint, e.g. ws://127.0.0.1:8080/ocpp; the identity is appended. */
  url: string;
  identity: string;
  /** HTTP Basic auth password (security profile 1). */
  password?: string;
  /** Default 2. */
  connectors?: number;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
  /** MeterValues interval while a transaction runs, seconds; 0 = none. Default 60. */
  meterValueIntervalSec?: number;
  /** Overrides the heartbeat interval returned by BootNotification, seconds. */
  heartbeatIntervalSec?: number;
  /** Default 22000. */
  maxPowerW?: number;
  /** EV battery size, kWh. Default 60. */
  batteryKWh?: number;
  /** Default AC up to 43 kW, DC above. */
  currentType?: CurrentType;
  /** Seed for the meter models (default derived from the identity). */
  seed?: number;
  /** Default 30000. */
  callTimeoutMs?: number;
  /** Source address of the socket (fleet mode). */
  localAddress?: string;
  /** Let ocpp-rpc reconnect after a dropped connection. Default false. */
  autoReconnect?: boolean;
  /** Retry BootNotification after `interval` when Pending/Rejected. Default false. */
  retryBoot?: boolean;
  /** vendorId accepted in server-initiated DataTransfer. Default `vendor`. */
  dataTransferVendorId?: string;
  /** Delay between steps of multi-message follow-ups (diagnostics, firmware), ms. Default 100. */
  followUpDelayMs?: number;
  /** Time the charger is "off" during a reboot, ms. Default 200. */
  rebootDelayMs?: number;
  log?: (line: string) => void;
}

export interface StatusOptions {
  errorCode?: ChargePointErrorCode;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  timestamp?: string;
}

export interface SimulatorStats { callsSent: number; callErrors: number; callsReceived: number }

export class ChargePointMessages extends EventEmitter {
  readonly identity: string;
  readonly options: Readonly<SimulatedChargePointOptions>;
  readonly stats: SimulatorStats = { callsSent: 0, callErrors: 0, callsReceived: 0 };
  diagnosticsStatus: DiagnosticsStatus = 'Idle';
  firmwareStatus: FirmwareStatus = 'Idle';
  /** @internal */ readonly _connectors: Connector[];
  protected readonly client: Client;
  protected readonly log: (line: string) => void;

  constructor(options: SimulatedChargePointOptions) {
    super();
    this.options = { ...options };
    this.identity = options.identity;
    this.log = options.log ?? (() => {});
    const seed = options.seed ?? hashNumber(options.identity);
    this._connectors = Array.from({ length: (options.connectors ?? 2) + 1 }, (_, id) => new Connector(id, {
      maxPowerW: options.maxPowerW ?? 22000, seed: (seed + id * 7919) >>> 0,
      ...(options.batteryKWh !== undefined ? { batteryKWh: options.batteryKWh } : {}),
      ...(options.currentType ? { currentType: options.currentType } : {}),
    }));
    this.client = new RPCClient({
      identity: options.identity,
      endpoint: options.url.replace(/\/+$/, ''),
      password: options.password ?? null,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: options.autoReconnect ?? false,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      respondWithDetailedErrors: true,
      wsOpts: options.localAddress ? { localAddress: options.localAddress } : {},
    } as Partial<ClientOptions> as ClientOptions);
    this.client.on('message', ({ message, outbound }: { message: string; outbound: boolean }) =>
      this.log(`${this.identity} ${outbound ? '>>' : '<<'} ${message}`));
    this.client.on('badMessage', ({ error }: { error: Error }) => this.log(`${this.identity} bad message: ${error.message}`));
    this.client.on('strictValidationFailure', ({ method, outbound, error }: { method: string; outbound: boolean; error: Error }) =>
      this.log(`${this.identity} ${outbound ? 'outgoing' : 'incoming'} ${method} failed validation: ${error.message}`));
    this.client.on('close', (e: { code?: number; reason?: string }) => this.emit('close', e));
    this.client.on('disconnect', (e: unknown) => this.emit('disconnect', e));
    this.client.on('open', () => this.emit('connected'));
  }

  get connected(): boolean {
    return this.client.state === RPCClient.OPEN;
  }

  get connectorCount(): number {
    return this._connectors.length - 1;
  }

  /** State of connector `id` (0 = the charge point itself). */
  connector(id: number): ConnectorSnapshot {
    return this._connector(id).snapshot();
  }

  /** Opens the websocket. Rejects with `err.code` = HTTP status when the upgrade is refused. */
  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** Any call; the payload is schema-validated before it is sent. */
  async call<T = unknown>(action: string, payload: object = {}): Promise<T> {
    this.stats.callsSent++;
    try {
      return (await this.client.call(action, payload)) as T;
    } catch (err) {
      this.stats.callErrors++;
      throw err;
    }
  }

  /** Sends a frame as is (no validation), for tests of malformed messages. */
  sendRaw(text: string): void {
    this.client.sendRaw(text);
  }

  heartbeat(): Promise<HeartbeatConf> {
    return this.call<HeartbeatConf>('Heartbeat', {});
  }

  authorize(idTag: string): Promise<AuthorizeConf> {
    return this.call<AuthorizeConf>('Authorize', { idTag });
  }

  /** Sends StatusNotification and records the status as the connector's current one. */
  async statusNotification(connectorId: number, status: ChargePointStatus, opts: StatusOptions = {}): Promise<void> {
    const connector = this._connector(connectorId);
    connector.status = status;
    connector.errorCode = opts.errorCode ?? 'NoError';
    const payload: StatusNotificationReq = {
      connectorId, status, errorCode: connector.errorCode, timestamp: opts.timestamp ?? this.timestamp(),
      ...(opts.info !== undefined ? { info: opts.info } : {}),
      ...(opts.vendorId !== undefined ? { vendorId: opts.vendorId } : {}),
      ...(opts.vendorErrorCode !== undefined ? { vendorErrorCode: opts.vendorErrorCode } : {}),
    };
    this.emit('statusChanged', { connectorId, status });
    await this.call('StatusNotification', payload);
  }

  /** Low level: sends StartTransaction only (no state change). meterStart defaults to the register. */
  startTransaction(req: { connectorId: number; idTag: string; meterStart?: number; timestamp?: string; reservationId?: number }): Promise<StartTransactionConf> {
    const payload: StartTransactionReq = {
      connectorId: req.connectorId,
      idTag: req.idTag,
      meterStart: req.meterStart ?? this._connector(req.connectorId).meter.energyWh,
      timestamp: req.timestamp ?? this.timestamp(),
      ...(req.reservationId !== undefined ? { reservationId: req.reservationId } : {}),
    };
    return this.call<StartTransactionConf>('StartTransaction', payload);
  }

  /** Low level: sends StopTransaction only (no state change). meterStop defaults to the register. */
  stopTransaction(req: { transactionId: number; meterStop?: number; timestamp?: string; reason?: StopReason; idTag?: string; transactionData?: MeterValue[] }): Promise<StopTransactionConf> {
    const connector = this._connectors.find((c) => c.transactionId === req.transactionId);
    const payload: StopTransactionReq = {
      ...req,
      meterStop: req.meterStop ?? connector?.meter.energyWh ?? 0,
      timestamp: req.timestamp ?? this.timestamp(),
    };
    return this.call<StopTransactionConf>('StopTransaction', payload);
  }

  /** MeterValues; without sampledValue takes a sample from the connector's meter model. */
  async meterValues(connectorId: number, transactionId?: number, sampledValue?: SampledValue[], context: ReadingContext = 'Sample.Periodic'): Promise<void> {
    const values = sampledValue ?? this._connector(connectorId).meter.sample(context);
    await this.call('MeterValues', {
      connectorId,
      ...(transactionId !== undefined ? { transactionId } : {}),
      meterValue: [{ timestamp: this.timestamp(), sampledValue: values }],
    });
  }

  dataTransfer(vendorId: string, messageId?: string, data?: string): Promise<DataTransferConf> {
    return this.call<DataTransferConf>('DataTransfer', {
      vendorId, ...(messageId !== undefined ? { messageId } : {}), ...(data !== undefined ? { data } : {}),
    });
  }

  async diagnosticsStatusNotification(status: DiagnosticsStatus): Promise<void> {
    this.diagnosticsStatus = status;
    await this.call('DiagnosticsStatusNotification', { status });
  }

  async firmwareStatusNotification(status: FirmwareStatus): Promise<void> {
    this.firmwareStatus = status;
    await this.call('FirmwareStatusNotification', { status });
  }

  /** Resolves with the first `event` whose argument matches `predicate`. */
  waitFor<T = unknown>(event: string, predicate: (arg: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (arg: T) => {
        if (!predicate(arg)) return;
        clearTimeout(timer);
        this.off(event, listener);
        resolve(arg);
      };
      const timer = setTimeout(() => {
        this.off(event, listener);
        reject(new Error(`${this.identity}: timed out waiting for '${event}'`));
      }, timeoutMs);
      this.on(event, listener);
    });
  }

  timestamp(): string {
    return new Date().toISOString();
  }

  /** @internal */
  _connector(id: number): Connector {
    const c = this._connectors[id];
    if (!c) throw new Error(`Unknown connector ${id}`);
    return c;
  }

  /** @internal Logs a failure of something sent in the background and emits 'backgroundError'. */
  backgroundError(action: string, error: unknown): void {
    this.log(`${this.identity} ${action} failed: ${error instanceof Error ? error.message : String(error)}`);
    this.emit('backgroundError', { action, error });
  }
}

export function hashNumber(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}
