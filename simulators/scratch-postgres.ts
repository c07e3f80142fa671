import pg from 'pg';

// A throw-away database on a PostgreSQL server, for the test suite and the benchmarks alike.

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new database on serverUrl's server: its URL, and drop() (retried while a closing pool still holds it). */
export async function createScratchPostgres(serverUrl: string, database: string): Promise<{ url: string; drop(): Promise<void> }> {
  await admin(serverUrl, `create database ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      // pg's pool.end() resolves a moment before the server has seen every connection go.
      for (let attempt = 0; ; attempt++) {
        try {
          return await admin(serverUrl, `drop database if exists ${database}`);
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err; // 55006: object_in_use
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
