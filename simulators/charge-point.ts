// A simulated OCPP 1.6J charge point speaking to a central system over a real websocket
// (ocpp-rpc RPCClient, strict mode: every frame in and out is schema-validated).
//
// Events: 'connected', 'disconnect', 'close' {code, reason}, 'booted' BootNotificationConf,
// 'call' {action, payload} (each server-initiated call), 'statusChanged' {connectorId, status},
// 'transactionStarted' {connectorId, transactionId, idTag, meterStart},
// 'transactionStopped' {connectorId, transactionId, reason, meterStop}, 'reset' {type},
// 'rebooted' BootNotificationConf, 'firmwareInstalled' {location}, 'backgroundError' {action, error}.

import { ChargePointConfiguration } from './charge-point-config.ts';
import { registerHandlers } from './charge-point-handlers.ts';
import { ChargePointMessages, hashNumber, type SimulatedChargePointOptions } from './charge-point-messages.ts';
import { ChargingProfileStore } from './charging-profiles.ts';
import { ChargingSession } from './charging-session.ts';
import type { BootNotificationConf, BootNotificationReq, IdTagInfo, RegistrationStatus, StopReason, StopTransactionConf } from './ocpp-types.ts';

export type { SimulatedChargePointOptions, StatusOptions, SimulatorStats } from './charge-point-messages.ts';
export type { ConnectorSnapshot } from './connector.ts';

export class SimulatedChargePoint extends ChargePointMessages {
  readonly configuration: ChargePointConfiguration;
  readonly chargingProfiles: ChargingProfileStore;
  readonly localList = { version: 0, entries: new Map<string, IdTagInfo>() };
  /** Status of the last BootNotification.conf. */
  bootStatus: RegistrationStatus | undefined;
  /** @internal */ readonly _session: ChargingSession;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private bootRetryTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();
  private epoch = 0;
  private rebooting: Promise<void> | undefined;

  constructor(options: SimulatedChargePointOptions) {
    super(options);
    this.configuration = new ChargePointConfiguration({
      heartbeatIntervalSec: options.heartbeatIntervalSec ?? 300,
      meterValueSampleIntervalSec: options.meterValueIntervalSec ?? 60,
      numberOfConnectors: this.connectorCount,
    });
    this.chargingProfiles = new ChargingProfileStore(options.maxPowerW ?? 22000);
    this._session = new ChargingSession(this);
    this.configuration.onChange((key) => {
      if (key === 'HeartbeatInterval' && this.heartbeatTimer) this.startHeartbeat();
      if (key === 'MeterValueSampleInterval') this._session.restartMeterTimers();
    });
    this.client.on('close', () => this.stopHeartbeat());
    registerHandlers(this, this.client);
  }

  /** Closes the websocket and stops all timers (transactions are left as they are). */
  async close(opts: { code?: number; reason?: string; force?: boolean } = {}): Promise<void> {
    this.epoch++;
    this.stopTimers();
    await this.client.close(opts);
  }

  /**
   * BootNotification. Accepted: heartbeats start at the returned interval (unless
   * heartbeatIntervalSec overrides it). Pending/Rejected: retried after `interval` if retryBoot.
   */
  async boot(): Promise<BootNotificationConf> {
    clearTimeout(this.bootRetryTimer);
    const conf = await this.call<BootNotificationConf>('BootNotification', this.bootPayload());
    this.bootStatus = conf.status;
    if (conf.status === 'Accepted') {
      if (this.options.heartbeatIntervalSec === undefined && conf.interval > 0) {
        this.configuration.set('HeartbeatInterval', String(conf.interval));
      }
      this.startHeartbeat();
      this._session.restartMeterTimers();
    } else {
      this.stopHeartbeat();
      if (this.options.retryBoot) {
        this.bootRetryTimer = setTimeout(
          () => this.boot().catch((err) => this.backgroundError('BootNotification', err)),
          (conf.interval > 0 ? conf.interval : 30) * 1000,
        ).unref();
      }
    }
    this.emit('booted', conf);
    return conf;
  }

  /** Authorize → Preparing → StartTransaction → Charging, then MeterValues every MeterValueSampleInterval. */
  startCharging(connectorId: number, idTag: string, opts: { authorize?: boolean; socPercent?: number } = {}): Promise<{ transactionId: number }> {
    return this._session.start(connectorId, idTag, opts);
  }

  /** Finishing → StopTransaction (meterStop, transactionData) → Available (Unavailable if scheduled). */
  stopCharging(connectorId: number, reason: StopReason = 'Local'): Promise<StopTransactionConf> {
    return this._session.stop(connectorId, reason);
  }

  /** Stops every running transaction; failures are reported as 'backgroundError'. */
  async stopAllCharging(reason: StopReason = 'Local'): Promise<void> {
    await Promise.all(this._connectors.filter((c) => c.transactionId !== undefined).map((c) =>
      this.stopCharging(c.id, reason).catch((err) => this.backgroundError('StopTransaction', err))));
  }

  /** StatusNotification for connector 0 and every connector, with their current status. */
  async sendAllStatuses(): Promise<void> {
    for (const c of this._connectors) await this.statusNotification(c.id, c.status, { errorCode: c.errorCode });
  }

  /** Reset as requested by the central system: stop transactions (SoftReset/HardReset), reboot. */
  async reset(type: 'Soft' | 'Hard'): Promise<void> {
    this.emit('reset', { type });
    await this.stopAllCharging(type === 'Hard' ? 'HardReset' : 'SoftReset');
    await this.reboot();
  }

  /** Closes the socket, stays off rebootDelayMs, reconnects, boots and reports every connector's status. */
  reboot(): Promise<void> {
    this.rebooting ??= (async () => {
      const epoch = ++this.epoch;
      this.stopTimers();
      await this.client.close({ code: 1000, reason: 'Reboot' });
      await new Promise((resolve) => setTimeout(resolve, this.options.rebootDelayMs ?? 200));
      if (epoch !== this.epoch) return; // closed by the user meanwhile
      for (const c of this._connectors) {
        c.clearReservation();
        c.starting = false;
        if (c.transactionId === undefined) c.status = c.availability === 'Operative' ? 'Available' : 'Unavailable';
      }
      await this.connect();
      const conf = await this.boot();
      if (conf.status === 'Accepted') await this.sendAllStatuses();
      this.emit('rebooted', conf);
    })().finally(() => { this.rebooting = undefined; });
    return this.rebooting;
  }

  /** @internal Runs fn after ms unless the charge point closes or reboots meanwhile; errors → 'backgroundError'. */
  _later(ms: number, action: string, fn: () => unknown): void {
    const epoch = this.epoch;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (epoch !== this.epoch) return;
      Promise.resolve().then(fn).catch((err) => this.backgroundError(action, err));
    }, ms).unref();
    this.pending.add(timer);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const ms = this.configuration.getNumber('HeartbeatInterval') * 1000;
    if (!(ms > 0)) return;
    this.heartbeatTimer = setInterval(
      () => this.heartbeat().catch((err) => this.backgroundError('Heartbeat', err)), ms).unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private stopTimers(): void {
    this.stopHeartbeat();
    clearTimeout(this.bootRetryTimer);
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const c of this._connectors) {
      c.stopMeterTimer();
      clearTimeout(c.reservationTimer);
    }
  }

  private bootPayload(): BootNotificationReq {
    const o = this.options;
    const digits = String(hashNumber(this.identity)).padStart(10, '0');
    const serial = (o.serialNumber ?? `SN-${this.identity}`).slice(0, 25);
    return {
      chargePointVendor: (o.vendor ?? 'SimCharge').slice(0, 20),
      chargePointModel: (o.model ?? (this._connectors[1]?.meter.currentType === 'DC' ? 'SimDC-150' : 'SimAC-22')).slice(0, 20),
      chargePointSerialNumber: serial,
      chargeBoxSerialNumber: serial,
      firmwareVersion: (o.firmwareVersion ?? '1.6.4-sim').slice(0, 50),
      iccid: (o.iccid ?? `894900${digits}0000`).slice(0, 20),
      imsi: (o.imsi ?? `26201${digits}`).slice(0, 20),
      meterType: (o.meterType ?? 'SimMeter EM-3P').slice(0, 25),
      meterSerialNumber: (o.meterSerialNumber ?? `MTR-${this.identity}`).slice(0, 25),
    };
  }
}
