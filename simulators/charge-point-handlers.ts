// Answers to the server-initiated OCPP 1.6 calls of the Core and RemoteTrigger profiles.
// Replies are returned first; follow-up messages are sent afterwards via cp._later().

import ocppRpc from 'ocpp-rpc';
import type { SimulatedChargePoint } from './charge-point.ts';
import type { Connector } from './connector.ts';
import { featureHandlers } from './charge-point-feature-handlers.ts';
import type {
  ChangeAvailabilityReq, ChangeConfigurationReq, DataTransferConf, DataTransferReq, GetConfigurationReq,
  RemoteStartTransactionReq, RemoteStopTransactionReq, ResetReq, TriggerMessageReq, UnlockConnectorReq,
} from './ocpp-types.ts';

const { createRPCError } = ocppRpc;
type Client = InstanceType<typeof ocppRpc.RPCClient>;

export type CallHandler = (params: any) => object | Promise<object>;

/** Registers a handler for every supported action, plus a NotImplemented fallback. */
export function registerHandlers(cp: SimulatedChargePoint, client: Client): void {
  const handlers: Record<string, CallHandler> = { ...coreHandlers(cp), ...featureHandlers(cp) };
  for (const [action, handler] of Object.entries(handlers)) {
    client.handle(action, async ({ params }) => {
      cp.stats.callsReceived++;
      cp.emit('call', { action, payload: params });
      return (await handler(params ?? {})) as Record<string, unknown>;
    });
  }
  client.handle(async ({ method, params }) => {
    cp.stats.callsReceived++;
    cp.emit('call', { action: method, payload: params });
    throw createRPCError('NotImplemented', `${String(method)} is not implemented by this charge point`);
  });
}

/** Connector ready for a new session by `idTag`. */
function canStart(c: Connector, idTag: string): boolean {
  if (c.id === 0 || !c.idle || c.availability !== 'Operative') return false;
  if (c.status === 'Available' || c.status === 'Preparing') return !c.reservation;
  return c.status === 'Reserved' && (c.reservation?.idTag === idTag || c.reservation?.parentIdTag === idTag);
}

function coreHandlers(cp: SimulatedChargePoint): Record<string, CallHandler> {
  const connectors = () => cp._connectors.slice(1);
  const findConnector = (id: number | undefined) => (id === undefined ? undefined : cp._connectors[id]);

  return {
    RemoteStartTransaction(p: RemoteStartTransactionReq) {
      const c = p.connectorId !== undefined
        ? findConnector(p.connectorId)
        : connectors().find((x) => canStart(x, p.idTag));
      if (!c || !canStart(c, p.idTag)) return { status: 'Rejected' };
      if (p.chargingProfile && p.chargingProfile.chargingProfilePurpose !== 'TxProfile') return { status: 'Rejected' };
      c.starting = true; // claim the connector until the session starts
      cp._later(0, 'RemoteStartTransaction', async () => {
        c.starting = false;
        const { transactionId } = await cp.startCharging(c.id, p.idTag, {
          authorize: cp.configuration.getBoolean('AuthorizeRemoteTxRequests'),
        });
        if (p.chargingProfile) {
          cp.chargingProfiles.set(c.id, { ...p.chargingProfile, transactionId },
            { transactionId, ...(c.transactionStart !== undefined ? { transactionStart: c.transactionStart } : {}) });
          cp._session.applyLimit(c);
        }
      });
      return { status: 'Accepted' };
    },

    RemoteStopTransaction(p: RemoteStopTransactionReq) {
      const c = connectors().find((x) => x.transactionId === p.transactionId);
      if (!c) return { status: 'Rejected' };
      cp._later(0, 'RemoteStopTransaction', () => cp.stopCharging(c.id, 'Remote'));
      return { status: 'Accepted' };
    },

    Reset(p: ResetReq) {
      cp._later(0, 'Reset', () => cp.reset(p.type));
      return { status: 'Accepted' };
    },

    ChangeAvailability(p: ChangeAvailabilityReq) {
      const targets = p.connectorId === 0 ? cp._connectors : [findConnector(p.connectorId)];
      let scheduled = false;
      const changed: Connector[] = [];
      for (const c of targets) {
        if (!c) return { status: 'Rejected' };
        if (c.id !== 0 && !c.idle) {
          c.scheduledAvailability = p.type;
          scheduled = true;
          continue;
        }
        c.availability = p.type;
        c.scheduledAvailability = undefined;
        changed.push(c);
      }
      cp._later(0, 'ChangeAvailability', async () => {
        for (const c of changed) {
          const status = c.availability === 'Inoperative' ? 'Unavailable' : c.reservation ? 'Reserved' : 'Available';
          await cp.statusNotification(c.id, status);
        }
      });
      return { status: scheduled ? 'Scheduled' : 'Accepted' };
    },

    GetConfiguration(p: GetConfigurationReq) {
      return cp.configuration.list(p.key);
    },

    ChangeConfiguration(p: ChangeConfigurationReq) {
      return { status: cp.configuration.change(p.key, p.value) };
    },

    UnlockConnector(p: UnlockConnectorReq) {
      const c = findConnector(p.connectorId);
      if (!c || c.id === 0) return { status: 'NotSupported' };
      if (c.transactionId !== undefined) {
        cp._later(0, 'UnlockConnector', () => cp.stopCharging(c.id, 'UnlockCommand'));
      }
      return { status: 'Unlocked' };
    },

    ClearCache() {
      return { status: 'Accepted' };
    },

    DataTransfer(p: DataTransferReq): DataTransferConf {
      const vendorId = cp.options.dataTransferVendorId ?? cp.options.vendor ?? 'SimCharge';
      if (p.vendorId !== vendorId) return { status: 'UnknownVendorId' };
      return { status: 'Accepted', ...(p.data !== undefined ? { data: p.data } : {}) };
    },

    TriggerMessage(p: TriggerMessageReq) {
      const target = findConnector(p.connectorId);
      if (p.connectorId !== undefined && !target) return { status: 'Rejected' };
      const send = (fn: () => Promise<unknown>) => cp._later(0, `TriggerMessage ${p.requestedMessage}`, fn);
      switch (p.requestedMessage) {
        case 'BootNotification':
          send(() => cp.boot());
          break;
        case 'Heartbeat':
          send(() => cp.heartbeat());
          break;
        case 'StatusNotification':
          send(() => (target ? cp.statusNotification(target.id, target.status, { errorCode: target.errorCode }) : cp.sendAllStatuses()));
          break;
        case 'MeterValues': {
          const list = target && target.id !== 0 ? [target] : connectors();
          send(async () => {
            for (const c of list) await cp.meterValues(c.id, c.transactionId, undefined, 'Trigger');
          });
          break;
        }
        case 'DiagnosticsStatusNotification':
          send(() => cp.diagnosticsStatusNotification(cp.diagnosticsStatus));
          break;
        case 'FirmwareStatusNotification':
          send(() => cp.firmwareStatusNotification(cp.firmwareStatus));
          break;
        default:
          return { status: 'NotImplemented' };
      }
      return { status: 'Accepted' };
    },
  };
}
