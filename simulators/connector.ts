// Per-connector state of a simulated charge point.

import { MeterModel, type CurrentType } from './meter-model.ts';
import type { ChargePointErrorCode, ChargePointStatus, MeterValue } from './ocpp-types.ts';

export type Availability = 'Operative' | 'Inoperative';

export interface Reservation {
  reservationId: number;
  idTag: string;
  parentIdTag?: string;
  expiryDate: string;
}

/** Read-only view of a connector, as returned by SimulatedChargePoint.connector(). */
export interface ConnectorSnapshot {
  connectorId: number;
  status: ChargePointStatus;
  errorCode: ChargePointErrorCode;
  availability: Availability;
  /** Availability change waiting for the running transaction to end (ChangeAvailability → Scheduled). */
  scheduledAvailability?: Availability;
  transactionId?: number;
  idTag?: string;
  /** Energy register, Wh. */
  energyWh: number;
  /** EV state of charge, %. */
  soc: number;
  powerW: number;
  reservation?: Reservation;
}

export class Connector {
  status: ChargePointStatus = 'Available';
  errorCode: ChargePointErrorCode = 'NoError';
  availability: Availability = 'Operative';
  scheduledAvailability: Availability | undefined;
  transactionId: number | undefined;
  idTag: string | undefined;
  transactionStart: number | undefined;
  beginSample: MeterValue | undefined;
  reservation: Reservation | undefined;
  reservationTimer: NodeJS.Timeout | undefined;
  meterTimer: NodeJS.Timeout | undefined;
  /** Set while startCharging runs, so two starts cannot race for one connector. */
  starting = false;
  stopping: Promise<unknown> | undefined;
  readonly meter: MeterModel;

  constructor(
    readonly id: number,
    meterOptions: { maxPowerW: number; batteryKWh?: number; currentType?: CurrentType; seed: number },
  ) {
    this.meter = new MeterModel(meterOptions);
  }

  /** No transaction, not being started or stopped, and free to take a new session. */
  get idle(): boolean {
    return this.transactionId === undefined && !this.starting && !this.stopping;
  }

  clearReservation(): void {
    clearTimeout(this.reservationTimer);
    this.reservationTimer = undefined;
    this.reservation = undefined;
  }

  stopMeterTimer(): void {
    clearInterval(this.meterTimer);
    this.meterTimer = undefined;
  }

  snapshot(): ConnectorSnapshot {
    return {
      connectorId: this.id,
      status: this.status,
      errorCode: this.errorCode,
      availability: this.availability,
      ...(this.scheduledAvailability ? { scheduledAvailability: this.scheduledAvailability } : {}),
      ...(this.transactionId !== undefined ? { transactionId: this.transactionId } : {}),
      ...(this.idTag !== undefined ? { idTag: this.idTag } : {}),
      energyWh: this.meter.energyWh,
      soc: this.meter.soc,
      powerW: this.meter.powerW,
      ...(this.reservation ? { reservation: { ...this.reservation } } : {}),
    };
  }
}
