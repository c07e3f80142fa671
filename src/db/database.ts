import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { CamelCasePlugin, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Tables } from './schema.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { prepareMarkedStatements } from './prepared-statements.ts';

export type Database = Kysely<Tables>;
export type Tx = Transaction<Tables>;
/** A handle services accept: the database, or a transaction they were handed. */
export type Db = Database | Tx;

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseKind;
  /** The PostgreSQL connection string (for connections outside the pool, e.g. LISTEN); unset on PGlite. */
  url?: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; unset → embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory, or 'memory://' for a throw-away database. */
  pgliteDir?: string;
  poolSize?: number;
  /** Errors of idle PostgreSQL connections (server restart, network); unhandled they would end the process. */
  onIdleError?: (err: Error) => void;
}

const INT8_OID = 20;
// underscoreBetweenUppercaseLetters: tokenCHash ↔ token_c_hash (not token_chash).
// Column names only: jsonb values (OCPP payloads, Beckn messages, tariff snapshots) come back with
// their keys exactly as stored — a Beckn context's bap_id must not turn into bapId.
const plugins = [new CamelCasePlugin({ underscoreBetweenUppercaseLetters: true, maintainNestedObjectKeys: true })];

// int8 (counts, meter registers in Wh) as numbers: they stay far below 2^53 in this domain.
// numeric stays a string on both backends so decimal values are never rounded through a float.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types: pgTypes });
    // A broken idle connection is dropped from the pool; the next query opens a new one.
    pool.on('error', (err) => options.onIdleError?.(err));
    pool.on('connect', prepareMarkedStatements);
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, kind: 'postgres', url: options.url, close: () => db.destroy() };
  }
  const dir = options.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) await mkdir(path.resolve(dir), { recursive: true });
  const pglite = new PGlite(dir, {
    extensions: { citext, cube, earthdistance, btree_gist },
    parsers: { [INT8_OID]: (v: string) => Number(v) },
  });
  await pglite.waitReady;
  const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite), plugins });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function ping(db: Database): Promise<void> {
  await sql`select 1`.execute(db);
}
