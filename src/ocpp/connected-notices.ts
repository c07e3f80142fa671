import { BatchWriter, type BatchWriterOptions } from '../db/batch-writer.ts';
import { MAX_MESSAGE_BYTES, type ClusterBus } from '../cluster/cluster-bus.ts';
import { CONNECTED_CHANNEL, type ConnectedNotice } from './command-channels.ts';

export type NoticeOptions = Pick<BatchWriterOptions<unknown>, 'maxBatch' | 'maxDelayMs' | 'concurrency' | 'onBatch' | 'onError'>;

export interface ConnectedNotices {
  /** Tells the other nodes that this charger is now connected here; resolves once published. */
  announce(chargePointId: string, wsConnectionId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * "Charger connected here" notices, many per bus message: a boot storm would otherwise send one
 * NOTIFY (one commit on PostgreSQL) per charger.
 */
export function createConnectedNotices(bus: ClusterBus, nodeId: string, options: NoticeOptions): ConnectedNotices {
  const writer = new BatchWriter<[string, string]>({
    ...options,
    name: 'connected_notices',
    flush: async (chargers) => {
      for (const message of encodeNotices(nodeId, chargers)) await bus.publish(CONNECTED_CHANNEL, message);
    },
  });
  return {
    announce: (chargePointId, wsConnectionId) => writer.write([chargePointId, wsConnectionId]),
    close: () => writer.close(),
  };
}

/** As few messages as fit under the bus's size limit. */
export function encodeNotices(nodeId: string, chargers: ReadonlyArray<[string, string]>): string[] {
  const messages: string[] = [];
  const budget = MAX_MESSAGE_BYTES - Buffer.byteLength(JSON.stringify({ nodeId, chargers: [] }), 'utf8');
  let chunk: Array<[string, string]> = [];
  let bytes = 0;
  for (const charger of chargers) {
    const size = Buffer.byteLength(JSON.stringify(charger), 'utf8') + 1;
    if (chunk.length > 0 && bytes + size > budget) {
      messages.push(JSON.stringify({ nodeId, chargers: chunk } satisfies ConnectedNotice));
      chunk = [];
      bytes = 0;
    }
    chunk.push(charger);
    bytes += size;
  }
  if (chunk.length > 0) messages.push(JSON.stringify({ nodeId, chargers: chunk } satisfies ConnectedNotice));
  return messages;
}
