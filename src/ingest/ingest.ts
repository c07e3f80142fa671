import * as chargePointRepository from '../charge-points/charge-point.repository.ts';
import * as connectorStatusRepository from '../charge-points/connector-status.repository.ts';
import type { StatusReport } from '../charge-points/connector-status.repository.ts';
import type { ClusterBus } from '../cluster/cluster-bus.ts';
import type { Database } from '../db/database.ts';
import { BatchWriter, type WriteBatchOptions } from '../db/batch-writer.ts';
import type { NewMeterReading } from '../db/schema.ts';
import { encodeStatusMessages, STATUS_CHANNEL, type StatusWireItem } from '../map/status-feed.ts';
import * as meterValueRepository from '../meter-values/meter-value.repository.ts';

/**
 * The high-rate writes of a charger fleet, each through its own group-commit writer. Every method
 * resolves once its data is committed, so the OCPP answer can follow.
 */
export interface Ingest {
  meterValues(readings: NewMeterReading[]): Promise<void>;
  status(report: StatusReport): Promise<void>;
  /** Last-seen time; coalesced per charger within a batch. */
  touch(chargePointId: string, at: Date): Promise<void>;
  close(): Promise<void>;
}

export interface IngestOptions extends WriteBatchOptions {
  /** When set, every committed status batch is announced on STATUS_CHANNEL (the map's live status feed). */
  bus?: ClusterBus;
}

const LAST_SEEN_DELAY_MS = 50;

export function createIngest(db: Database, options: IngestOptions): Ingest {
  const { bus, ...common } = options;

  const meterValues = new BatchWriter<NewMeterReading[]>({
    ...common,
    name: 'meter_values',
    flush: (batches) => meterValueRepository.insertMany(db, batches.flat()),
  });

  // Announcements go out one batch after another, never before their batch committed; close() waits for them.
  let announcing: Promise<void> = Promise.resolve();
  const announce = (changes: StatusWireItem[]): void => {
    if (!bus || changes.length === 0) return;
    announcing = announcing.then(async () => {
      try {
        for (const message of encodeStatusMessages(changes)) await bus.publish(STATUS_CHANNEL, message);
      } catch (err) {
        // At most once, like the bus itself: the status is committed, only the live update is lost.
        try {
          options.onError?.('status_feed', err, changes.length);
        } catch {
          // a throwing reporter must not break the chain
        }
      }
    });
  };

  const statuses = new BatchWriter<StatusReport>({
    ...common,
    name: 'status',
    flush: async (reports) => {
      const stored = await db.transaction().execute(async (tx) => {
        await connectorStatusRepository.insertEvents(tx, reports);
        return connectorStatusRepository.upsertLatest(tx, reports);
      });
      // Only what became a connector's stored state: a replayed old report changes nothing a map shows.
      announce(stored.map((r) => ({ cp: r.chargePointId, c: r.connectorId, s: r.status, e: r.errorCode, t: r.statusAt.toISOString() })));
    },
  });

  // Last-seen is read in seconds and minutes, and 20,000 chargers heartbeating send hundreds a second:
  // flushed as they came they went out two to a statement. One batch at a time, each waiting up to
  // LAST_SEEN_DELAY_MS, gathers them by the dozen for a heartbeat answer that much later, which no
  // charger minds.
  const touches = new BatchWriter<{ id: string; at: Date }>({
    ...common,
    maxDelayMs: Math.max(options.maxDelayMs, LAST_SEEN_DELAY_MS),
    concurrency: 1,
    paced: true,
    name: 'last_seen',
    flush: (items) => {
      const latest = new Map<string, Date>();
      for (const { id, at } of items) {
        const seen = latest.get(id);
        if (!seen || seen < at) latest.set(id, at);
      }
      return chargePointRepository.touchMany(db, latest);
    },
  });

  return {
    meterValues: (readings) => (readings.length ? meterValues.write(readings) : Promise.resolve()),
    status: (report) => statuses.write(report),
    touch: (id, at) => touches.write({ id, at }),
    close: async () => {
      await Promise.all([meterValues.close(), statuses.close(), touches.close()]);
      await announcing;
    },
  };
}
