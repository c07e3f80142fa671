import type { UnknownChargerPolicy } from '../config.ts';
import { BatchWriter, type WriteBatchOptions } from '../db/batch-writer.ts';
import type { Database } from '../db/database.ts';
import * as chargePointService from './charge-point.service.ts';
import type { BootRecord, ConnectDecision, ConnectedRecord, DisconnectedRecord, RegistrationStatus } from './charge-point.service.ts';

/**
 * What the OCPP server records about connections, grouped: in a boot storm thousands of chargers
 * connect and boot within seconds, and one statement (one commit) per batch rather than per charger is
 * what lets the database keep up. Every promise resolves only after its batch committed, so a charger
 * is answered Accepted only once its boot is stored.
 */
export interface ConnectionBookkeeping {
  authorize(identity: string, password: Buffer | undefined, unknownChargers: UnknownChargerPolicy): Promise<ConnectDecision>;
  connected(connection: ConnectedRecord): Promise<void>;
  recordBoot(boot: BootRecord): Promise<RegistrationStatus>;
  /** True if the charger went offline (the connection was still its current one). */
  disconnected(connection: DisconnectedRecord): Promise<boolean>;
  /** Writes what is queued; later calls reject. */
  close(): Promise<void>;
}

/** One request in a batch, and its answer once the batch is through. */
interface Job<I, O> {
  input: I;
  output?: O;
}

export function createConnectionBookkeeping(db: Database, options: WriteBatchOptions): ConnectionBookkeeping {
  const closers: Array<() => Promise<void>> = [];
  /** A function over many inputs, called by one caller per input: concurrent callers share a statement. */
  function grouped<I, O>(name: string, run: (inputs: I[]) => Promise<O[]>, concurrency = options.concurrency): (input: I) => Promise<O> {
    const writer = new BatchWriter<Job<I, O>>({
      ...options,
      concurrency,
      name,
      flush: async (jobs) => {
        const outputs = await run(jobs.map((j) => j.input));
        jobs.forEach((job, i) => (job.output = outputs[i]));
      },
    });
    closers.push(() => writer.close());
    return async (input) => {
      const job: Job<I, O> = { input };
      await writer.write(job);
      return job.output as O;
    };
  }

  const lookup = grouped('charger_credentials', async (ids: string[]) => {
    const found = await chargePointService.findCredentials(db, ids);
    return ids.map((id) => found.get(id));
  });
  // One batch at a time, so connects commit in the order they happened: with two in flight, a
  // charger that reconnected at once could have its old connection's record land last, and the old
  // socket's close then take the charger offline while the new one holds it.
  const connected = grouped(
    'charger_connected',
    async (rows: ConnectedRecord[]) => {
      await chargePointService.connectedMany(db, rows);
      return rows.map(() => undefined);
    },
    1,
  );
  const recordBoot = grouped('charger_boot', (boots: BootRecord[]) => chargePointService.recordBoots(db, boots));
  const disconnected = grouped('charger_disconnected', (rows: DisconnectedRecord[]) => chargePointService.disconnectedMany(db, rows));

  return {
    authorize: (identity, password, unknownChargers) =>
      chargePointService.authorizeConnection(db, identity, password, unknownChargers, lookup),
    connected,
    recordBoot,
    disconnected,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
