// Charging sessions of a simulated charge point: the start/stop message sequences,
// periodic MeterValues and the power limit from charging profiles.

import type { SimulatedChargePoint } from './charge-point.ts';
import type { Connector } from './connector.ts';
import type { StopReason, StopTransactionConf } from './ocpp-types.ts';

export class ChargingSession {
  constructor(private readonly cp: SimulatedChargePoint) {}

  async start(connectorId: number, idTag: string, opts: { authorize?: boolean; socPercent?: number }): Promise<{ transactionId: number }> {
    const c = this.cp._connector(connectorId);
    if (connectorId === 0) throw new Error('Cannot charge on connector 0');
    if (!c.idle) throw new Error(`Connector ${connectorId} is busy`);
    if (c.status === 'Unavailable' || c.status === 'Faulted') throw new Error(`Connector ${connectorId} is ${c.status}`);
    if (c.reservation && c.reservation.idTag !== idTag && c.reservation.parentIdTag !== idTag) {
      throw new Error(`Connector ${connectorId} is reserved for another idTag`);
    }
    c.starting = true;
    let sessionStarted = false;
    try {
      if (opts.authorize ?? true) {
        const { idTagInfo } = await this.cp.authorize(idTag);
        if (idTagInfo.status !== 'Accepted') throw new Error(`Authorize ${idTag}: ${idTagInfo.status}`);
      }
      const reservationId = c.reservation?.reservationId;
      c.clearReservation();
      await this.cp.statusNotification(connectorId, 'Preparing');
      c.meter.startSession(opts.socPercent !== undefined ? { socPercent: opts.socPercent } : {});
      sessionStarted = true;
      const timestamp = this.cp.timestamp();
      const meterStart = c.meter.energyWh;
      c.beginSample = { timestamp, sampledValue: c.meter.sample('Transaction.Begin') };
      const conf = await this.cp.startTransaction({
        connectorId, idTag, meterStart, timestamp, ...(reservationId !== undefined ? { reservationId } : {}),
      });
      c.transactionId = conf.transactionId;
      c.idTag = idTag;
      c.transactionStart = Date.now();
      c.starting = false;
      if (conf.idTagInfo.status !== 'Accepted') {
        // StopTransactionOnInvalidId: the central system refused the idTag after all.
        await this.stop(connectorId, 'DeAuthorized');
        throw new Error(`StartTransaction ${idTag}: ${conf.idTagInfo.status}`);
      }
      await this.cp.statusNotification(connectorId, 'Charging');
      this.applyLimit(c);
      this.startMeterTimer(c);
      this.cp.emit('transactionStarted', { connectorId, transactionId: conf.transactionId, idTag, meterStart });
      return { transactionId: conf.transactionId };
    } catch (err) {
      if (c.transactionId === undefined && sessionStarted) {
        c.meter.stopSession();
        await this.cp.statusNotification(connectorId, 'Available').catch(() => {});
      }
      throw err;
    } finally {
      c.starting = false;
    }
  }

  stop(connectorId: number, reason: StopReason): Promise<StopTransactionConf> {
    const c = this.cp._connector(connectorId);
    if (c.stopping) return c.stopping as Promise<StopTransactionConf>;
    const transactionId = c.transactionId;
    if (transactionId === undefined) return Promise.reject(new Error(`No transaction on connector ${connectorId}`));
    const run = async (): Promise<StopTransactionConf> => {
      c.stopMeterTimer();
      let conf: StopTransactionConf;
      let meterStop: number;
      try {
        await this.cp.statusNotification(connectorId, 'Finishing');
        c.meter.stopSession();
        const timestamp = this.cp.timestamp();
        const endSample = { timestamp, sampledValue: c.meter.sample('Transaction.End') };
        meterStop = c.meter.energyWh;
        conf = await this.cp.stopTransaction({
          transactionId, meterStop, timestamp, reason,
          ...(reason === 'Local' && c.idTag ? { idTag: c.idTag } : {}),
          transactionData: c.beginSample ? [c.beginSample, endSample] : [endSample],
        });
      } finally {
        c.meter.stopSession();
        c.transactionId = undefined;
        c.idTag = undefined;
        c.transactionStart = undefined;
        c.beginSample = undefined;
        this.cp.chargingProfiles.clearTxProfiles(connectorId);
        c.meter.setPowerLimitW(undefined);
        if (c.scheduledAvailability) {
          c.availability = c.scheduledAvailability;
          c.scheduledAvailability = undefined;
        }
        const next = c.availability === 'Operative' ? 'Available' : 'Unavailable';
        if (this.cp.connected) {
          await this.cp.statusNotification(connectorId, next).catch((err) => this.cp.backgroundError('StatusNotification', err));
        } else {
          c.status = next;
        }
        c.stopping = undefined;
      }
      this.cp.emit('transactionStopped', { connectorId, transactionId, reason, meterStop });
      return conf;
    };
    c.stopping = run();
    return c.stopping as Promise<StopTransactionConf>;
  }

  /** (Re)starts MeterValues timers of running transactions with the current MeterValueSampleInterval. */
  restartMeterTimers(): void {
    for (const c of this.cp._connectors) {
      if (c.transactionId !== undefined && !c.stopping) this.startMeterTimer(c);
    }
  }

  /** Applies the charging-profile limit in force now to the connector's meter. */
  applyLimit(c: Connector): void {
    if (c.id === 0) {
      for (const other of this.cp._connectors.slice(1)) this.applyLimit(other);
      return;
    }
    const ctx = {
      ...(c.transactionId !== undefined ? { transactionId: c.transactionId } : {}),
      ...(c.transactionStart !== undefined ? { transactionStart: c.transactionStart } : {}),
    };
    c.meter.setPowerLimitW(this.cp.chargingProfiles.limitAt(c.id, Date.now(), 'W', ctx));
  }

  private startMeterTimer(c: Connector): void {
    c.stopMeterTimer();
    const ms = this.cp.configuration.getNumber('MeterValueSampleInterval') * 1000;
    if (!(ms > 0)) return;
    c.meterTimer = setInterval(() => this.tick(c), ms).unref();
  }

  private tick(c: Connector): void {
    const transactionId = c.transactionId;
    if (transactionId === undefined || c.stopping) return;
    this.applyLimit(c);
    this.cp.meterValues(c.id, transactionId).catch((err) => this.cp.backgroundError('MeterValues', err));
    const power = c.meter.powerW;
    if (c.status === 'Charging' && power === 0) {
      const status = c.meter.soc >= 100 ? 'SuspendedEV' : 'SuspendedEVSE';
      this.cp.statusNotification(c.id, status).catch((err) => this.cp.backgroundError('StatusNotification', err));
    } else if ((c.status === 'SuspendedEVSE' || c.status === 'SuspendedEV') && power > 0) {
      this.cp.statusNotification(c.id, 'Charging').catch((err) => this.cp.backgroundError('StatusNotification', err));
    }
  }
}
