import type { DatabaseHandle } from '../db/database.ts';
import type { ClusterBus } from './cluster-bus.ts';
import { createLocalBus } from './local-bus.ts';
import { createPgBus } from './pg-bus.ts';

/** The bus that fits the database: LISTEN/NOTIFY beside a PostgreSQL server, in-process beside PGlite. */
export function openBus(database: DatabaseHandle, onError: (err: Error) => void, name = 'charging-platform'): Promise<ClusterBus> {
  if (database.kind === 'postgres' && database.url) return createPgBus({ url: database.url, onError, applicationName: name });
  return Promise.resolve(createLocalBus({ onError }));
}
