// The database a benchmark's project server runs on: a fresh PostgreSQL database (bench_<name>_<ts>,
// created through DATABASE_URL's server and dropped afterwards) when DATABASE_URL is set, else PGlite in
// a temporary DATA_DIR. PGlite is one process's: the bench opens it only while the server is not running.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as chargePointRepository from '../../src/charge-points/charge-point.repository.ts';
import { openDatabase, type Database, type DatabaseHandle, type DatabaseKind } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import * as idTagService from '../../src/id-tags/id-tag.service.ts';
import * as userService from '../../src/users/user.service.ts';
import { chargerId } from '../fleet/fleet-types.ts';
import { createScratchPostgres } from '../scratch-postgres.ts';

export interface BenchDatabase {
  kind: DatabaseKind;
  label: string;
  /** Environment for the server process: DATABASE_URL, or DATA_DIR for PGlite. */
  env: Record<string, string>;
  /** Opens the database, runs fn, closes it. On PGlite only while the server is stopped. */
  use<T>(fn: (db: Database) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** An in-process throw-away database: PGlite in memory, or a new one on DATABASE_URL's server (dropped after). */
export async function openScratchDatabase(name: string, poolSize = 10): Promise<{ handle: DatabaseHandle; label: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ pgliteDir: 'memory://' });
    return { handle, label: 'pglite (memory)', drop: async () => undefined };
  }
  const database = `bench_${name}_${Date.now()}`;
  const scratch = await createScratchPostgres(serverUrl, database);
  const handle = await openDatabase({ url: scratch.url, poolSize });
  return { handle, label: `postgresql (${database})`, drop: scratch.drop };
}

export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const database = `bench_${name}_${Date.now()}`;
    const scratch = await createScratchPostgres(serverUrl, database);
    const dbUrl = scratch.url;
    return {
      kind: 'postgres',
      label: `PostgreSQL (${database})`,
      env: { DATABASE_URL: dbUrl },
      async use(fn) {
        const handle = await openDatabase({ url: dbUrl, poolSize: 4 });
        try {
          return await fn(handle.db);
        } finally {
          await handle.close();
        }
      },
      async drop() {
        if (process.env.BENCH_KEEP) return console.log(`kept ${database}`);
        await scratch.drop();
      },
    };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `bench-${name}-`));
  return {
    kind: 'pglite',
    label: `PGlite (${dataDir})`,
    env: { DATA_DIR: dataDir },
    async use(fn) {
      const handle = await openDatabase({ pgliteDir: path.join(dataDir, 'pglite') });
      try {
        return await fn(handle.db);
      } finally {
        await handle.close();
      }
    },
    async drop() {
      if (process.env.BENCH_KEEP) return console.log(`kept ${dataDir}`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const BENCH_OPERATOR = { username: 'bench-operator', password: 'bench-operator-password' };

/**
 * Migrates, registers the fleet's chargers (Accepted, no password: the fleet sends no credentials)
 * and an operator account, and optionally id tags.
 */
export async function seedBenchDatabase(
  db: Database,
  fleet: { prefix: string; count: number },
  extra: { idTags?: string[] } = {},
): Promise<void> {
  await migrate(db);
  const ids = Array.from({ length: fleet.count }, (_, i) => chargerId(fleet.prefix, i));
  for (let i = 0; i < ids.length; i += 5000) {
    await chargePointRepository.registerMany(db, ids.slice(i, i + 5000).map((id) => ({ id, passwordHash: null })));
  }
  await userService.createUser(db, { ...BENCH_OPERATOR, role: 'OPERATOR' });
  for (const idTag of extra.idTags ?? []) {
    await idTagService.create(db, { idTag, status: 'Accepted', expiryDate: null, parentIdTag: null });
  }
}
