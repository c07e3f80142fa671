// Answers to the server-initiated calls of the Reservation, SmartCharging,
// FirmwareManagement and LocalAuthListManagement profiles.

import type { SimulatedChargePoint } from './charge-point.ts';
import type { CallHandler } from './charge-point-handlers.ts';
import type { Connector } from './connector.ts';
import type {
  CancelReservationReq, ClearChargingProfileReq, GetCompositeScheduleConf, GetCompositeScheduleReq,
  GetDiagnosticsReq, ReserveNowReq, SendLocalListReq, SetChargingProfileReq, UpdateFirmwareReq,
} from './ocpp-types.ts';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs the steps one after the other, `delayMs` apart, stopping if the charge point closes. */
function sequence(cp: SimulatedChargePoint, action: string, delayMs: number, steps: Array<() => Promise<unknown>>, firstDelayMs = 0): void {
  const [step, ...rest] = steps;
  if (!step) return;
  cp._later(firstDelayMs, action, async () => {
    await step();
    sequence(cp, action, delayMs, rest, delayMs);
  });
}

function profileContext(c: Connector): { transactionId?: number; transactionStart?: number } {
  return {
    ...(c.transactionId !== undefined ? { transactionId: c.transactionId } : {}),
    ...(c.transactionStart !== undefined ? { transactionStart: c.transactionStart } : {}),
  };
}

export function featureHandlers(cp: SimulatedChargePoint): Record<string, CallHandler> {
  const delay = () => cp.options.followUpDelayMs ?? 100;
  const findConnector = (id: number | undefined) => (id === undefined ? undefined : cp._connectors[id]);

  return {
    // ---- Reservation ----
    ReserveNow(p: ReserveNowReq) {
      if (p.connectorId === 0 && !cp.configuration.getBoolean('ReserveConnectorZeroSupported')) return { status: 'Rejected' };
      const c = findConnector(p.connectorId);
      const expiry = Date.parse(p.expiryDate);
      if (!c || c.id === 0 || !(expiry > Date.now())) return { status: 'Rejected' };
      if (c.status === 'Faulted') return { status: 'Faulted' };
      if (c.availability === 'Inoperative' || c.status === 'Unavailable') return { status: 'Unavailable' };
      const replacing = c.reservation?.reservationId === p.reservationId;
      if (!replacing && (!c.idle || c.status !== 'Available')) return { status: 'Occupied' };
      for (const other of cp._connectors) {
        if (other !== c && other.reservation?.reservationId === p.reservationId) {
          other.clearReservation();
          if (other.status === 'Reserved') cp._later(0, 'ReserveNow', () => cp.statusNotification(other.id, 'Available'));
        }
      }
      c.clearReservation();
      c.reservation = {
        reservationId: p.reservationId, idTag: p.idTag, expiryDate: p.expiryDate,
        ...(p.parentIdTag !== undefined ? { parentIdTag: p.parentIdTag } : {}),
      };
      c.reservationTimer = setTimeout(() => {
        if (c.reservation?.reservationId !== p.reservationId) return;
        c.clearReservation();
        if (c.status === 'Reserved' && cp.connected) {
          cp.statusNotification(c.id, 'Available').catch((err) => cp.backgroundError('StatusNotification', err));
        }
      }, Math.min(expiry - Date.now(), MAX_TIMER_MS)).unref();
      if (!replacing) cp._later(0, 'ReserveNow', () => cp.statusNotification(c.id, 'Reserved'));
      return { status: 'Accepted' };
    },

    CancelReservation(p: CancelReservationReq) {
      const c = cp._connectors.find((x) => x.reservation?.reservationId === p.reservationId);
      if (!c) return { status: 'Rejected' };
      c.clearReservation();
      if (c.status === 'Reserved') cp._later(0, 'CancelReservation', () => cp.statusNotification(c.id, 'Available'));
      return { status: 'Accepted' };
    },

    // ---- Smart charging ----
    SetChargingProfile(p: SetChargingProfileReq) {
      const c = findConnector(p.connectorId);
      if (!c) return { status: 'Rejected' };
      const status = cp.chargingProfiles.set(p.connectorId, p.csChargingProfiles, profileContext(c));
      if (status === 'Accepted') cp._later(0, 'SetChargingProfile', () => cp._session.applyLimit(c));
      return { status };
    },

    ClearChargingProfile(p: ClearChargingProfileReq) {
      const removed = cp.chargingProfiles.clear(p);
      if (removed) cp._later(0, 'ClearChargingProfile', () => cp._session.applyLimit(cp._connector(0)));
      return { status: removed ? 'Accepted' : 'Unknown' };
    },

    GetCompositeSchedule(p: GetCompositeScheduleReq): GetCompositeScheduleConf {
      const c = findConnector(p.connectorId);
      if (!c) return { status: 'Rejected' };
      const result = cp.chargingProfiles.composite(p.connectorId, p.duration, p.chargingRateUnit ?? 'W', profileContext(c));
      if (!result) return { status: 'Rejected' };
      return { status: 'Accepted', connectorId: p.connectorId, ...result };
    },

    // ---- Firmware management ----
    GetDiagnostics(_p: GetDiagnosticsReq) {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
      const fileName = `diagnostics-${cp.identity}-${stamp}.zip`;
      sequence(cp, 'GetDiagnostics', delay(), [
        () => cp.diagnosticsStatusNotification('Uploading'),
        async () => {
          await cp.diagnosticsStatusNotification('Uploaded');
          cp.diagnosticsStatus = 'Idle';
        },
      ]);
      return { fileName };
    },

    UpdateFirmware(p: UpdateFirmwareReq) {
      const wait = Math.min(Math.max(0, Date.parse(p.retrieveDate) - Date.now()), MAX_TIMER_MS);
      sequence(cp, 'UpdateFirmware', delay(), [
        () => cp.firmwareStatusNotification('Downloading'),
        () => cp.firmwareStatusNotification('Downloaded'),
        () => cp.firmwareStatusNotification('Installing'),
        async () => {
          await cp.firmwareStatusNotification('Installed');
          cp.firmwareStatus = 'Idle';
          cp.emit('firmwareInstalled', { location: p.location });
          await cp.stopAllCharging('Reboot');
          await cp.reboot();
        },
      ], wait);
      return {};
    },

    // ---- Local authorization list ----
    SendLocalList(p: SendLocalListReq) {
      if (!cp.configuration.getBoolean('LocalAuthListEnabled')) return { status: 'NotSupported' };
      const list = p.localAuthorizationList ?? [];
      if (list.length > cp.configuration.getNumber('SendLocalListMaxLength')) return { status: 'Failed' };
      if (p.updateType === 'Differential' && p.listVersion <= cp.localList.version) return { status: 'VersionMismatch' };
      const { entries } = cp.localList;
      const next = new Map(p.updateType === 'Full' ? [] : entries);
      for (const item of list) {
        if (item.idTagInfo) next.set(item.idTag, item.idTagInfo);
        else next.delete(item.idTag);
      }
      if (next.size > cp.configuration.getNumber('LocalAuthListMaxLength')) return { status: 'Failed' };
      entries.clear();
      for (const [idTag, info] of next) entries.set(idTag, info);
      cp.localList.version = p.listVersion;
      return { status: 'Accepted' };
    },

    GetLocalListVersion() {
      return { listVersion: cp.configuration.getBoolean('LocalAuthListEnabled') ? cp.localList.version : -1 };
    },
  };
}
