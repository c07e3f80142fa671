import * as chargePointRepository from '../charge-points/charge-point.repository.ts';
import * as connectorStatusRepository from '../charge-points/connector-status.repository.ts';
import type { StatusReport } from '../charge-points/connector-status.repository.ts';
import type { Database } from '../db/database.ts';
import { BatchWriter } from '../db/batch-writer.ts';
import type { NewMeterValue } from '../db/schema.ts';
import * as meterValueRepository from '../meter-values/meter-value.repository.ts';

/**
 * The high-rate writes of a charger fleet, each through its own group-commit writer. Every method
 * resolves once its data is committed, so the OCPP answer can follow.
 */
export interface Ingest {
  meterValues(rows: NewMeterValue[]): Promise<void>;
  status(report: StatusReport): Promise<void>;
  /** Last-seen time; coalesced per charger within a batch. */
  touch(chargePointId: string, at: Date): Promise<void>;
  close(): Promise<void>;
}

export interface IngestOptions {
  maxBatch: number;
  maxDelayMs: number;
  concurrency: number;
  onBatch?: (writer: string, size: number, seconds: number) => void;
  onError?: (writer: string, err: unknown, size: number) => void;
}

export function createIngest(db: Database, options: IngestOptions): Ingest {
  const common = {
    maxBatch: options.maxBatch,
    maxDelayMs: options.maxDelayMs,
    concurrency: options.concurrency,
    onBatch: options.onBatch,
    onError: options.onError,
  };

  const meterValues = new BatchWriter<NewMeterValue[]>({
    ...common,
    name: 'meter_values',
    flush: (batches) => meterValueRepository.insertMany(db, batches.flat()),
  });

  const statuses = new BatchWriter<StatusReport>({
    ...common,
    name: 'status',
    flush: (reports) =>
      db.transaction().execute(async (tx) => {
        await connectorStatusRepository.insertEvents(tx, reports);
        await connectorStatusRepository.upsertLatest(tx, reports);
      }),
  });

  const touches = new BatchWriter<{ id: string; at: Date }>({
    ...common,
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
    meterValues: (rows) => (rows.length ? meterValues.write(rows) : Promise.resolve()),
    status: (report) => statuses.write(report),
    touch: (id, at) => touches.write({ id, at }),
    close: async () => {
      await Promise.all([meterValues.close(), statuses.close(), touches.close()]);
    },
  };
}
