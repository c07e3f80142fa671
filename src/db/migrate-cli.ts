import path from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openDatabase } from './database.ts';
import { migrate } from './migrate.ts';

// `npm run migrate`: apply pending migrations to DATABASE_URL (or the PGlite database in DATA_DIR) and exit.
const config = loadConfig();
const log = createLogger(config.logLevel);
const handle = await openDatabase({ url: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite') });
try {
  const applied = await migrate(handle.db);
  log.info({ applied, database: handle.kind }, applied.length ? 'migrations applied' : 'database already up to date');
} catch (err) {
  log.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await handle.close();
}
