import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import { connectRaw } from '../fixtures/raw-ocpp-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

const PASSWORD = 'tls-charger-password-1';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocpp-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('security profile 2: TLS with HTTP Basic', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { TLS_CERT_FILE: path.join(dir, 'cert.pem'), TLS_KEY_FILE: path.join(dir, 'key.pem') } });
    await chargePointService.register(t.db, { id: 'CP-TLS', password: PASSWORD });
  });
  afterAll(() => t.close());

  it('serves wss:// and https://', () => {
    expect(t.ocppUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ocpp$/);
    expect(t.httpUrl).toMatch(/^https:\/\//);
  });

  it('accepts the charger\'s password over TLS and refuses a wrong one', async () => {
    const ca = readFileSync(path.join(dir, 'cert.pem'));
    const client = await connectRaw(t.ocppUrl, 'CP-TLS', { password: PASSWORD, ca });
    client.send(JSON.stringify([2, 'b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }]));
    expect(await client.next()).toMatchObject([3, 'b1', { status: 'Accepted' }]);
    await client.close();
    await expect(connectRaw(t.ocppUrl, 'CP-TLS', { password: 'not-the-password-0000', ca })).rejects.toMatchObject({ status: 401 });
  });
});

describe('OCPP on its own port', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OCPP_PORT: '0' } });
    await chargePointService.register(t.db, { id: 'CP-PORT', password: null });
  });
  afterAll(() => t.close());

  it('takes chargers on the OCPP port and not on the API port', async () => {
    const ocppPort = new URL(t.ocppUrl).port;
    const apiPort = new URL(t.httpUrl).port;
    expect(ocppPort).not.toBe(apiPort);
    const client = await connectRaw(t.ocppUrl, 'CP-PORT');
    client.send(JSON.stringify([2, 'h1', 'Heartbeat', {}]));
    expect(await client.next()).toMatchObject([3, 'h1', { currentTime: expect.any(String) }]);
    await client.close();
    await expect(connectRaw(`ws://127.0.0.1:${apiPort}/ocpp`, 'CP-PORT')).rejects.toMatchObject({ status: 404 });
    expect((await fetch(`${t.httpUrl}/health`)).status).toBe(200);
  });
});
