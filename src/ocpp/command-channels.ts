import { nodeChannel } from '../cluster/cluster-bus.ts';

// Cluster channels of the command router and of socket ownership.

/** Commands for the node holding a charger's socket. */
export const commandChannel = (nodeId: string) => nodeChannel('ocpp_cmd_', nodeId);
/** "Command done" notices back to the node that asked. */
export const replyChannel = (nodeId: string) => nodeChannel('ocpp_reply_', nodeId);
/** Broadcast when a charger connects anywhere, so an older socket on another node is closed. */
export const CONNECTED_CHANNEL = 'ocpp_charger_connected';

export interface CommandNotice {
  commandId: number;
  timeoutMs: number;
}

/** The chargers (chargePointId, wsConnectionId) that connected to `nodeId`, many per message. */
export interface ConnectedNotice {
  nodeId: string;
  chargers: Array<[chargePointId: string, wsConnectionId: string]>;
}
