import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('operations endpoints', () => {
  it('GET /health answers while the process lives', async () => {
    const res = await fetch(`${t.httpUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', node_id: 'test-node' });
  });

  it('GET /ready checks the database and migrations', async () => {
    const res = await fetch(`${t.httpUrl}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', database: t.databaseKind });
  });

  it('GET /metrics serves Prometheus text with the OCPP and batch metrics', async () => {
    const res = await fetch(`${t.httpUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of ['ocpp_chargers_connected', 'ocpp_calls_total', 'ocpp_call_duration_seconds', 'db_write_batch_size']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('GET /openapi.json describes the served endpoints in OpenAPI 3.1', async () => {
    const doc = (await (await fetch(`${t.httpUrl}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics', '/openapi.json']));
  });

  it('unknown paths get a JSON 404, and non-OCPP websocket upgrades are refused', async () => {
    const res = await fetch(`${t.httpUrl}/no/such/thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const upgrade = await fetch(`${t.httpUrl}/elsewhere/CP-1`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    }).catch((err: Error) => err);
    expect(upgrade instanceof Error || upgrade.status === 404).toBe(true);
  });
});
