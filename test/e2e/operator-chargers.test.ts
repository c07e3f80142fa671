import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedChargePoint } from '../../simulators/charge-point.ts';
import { operatorClient, type OperatorClient } from '../fixtures/operator-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

let t: TestApp;
let op: OperatorClient;
beforeAll(async () => {
  t = await startTestApp();
  op = await operatorClient(t, 'OPERATOR');
});
afterAll(() => t.close());

const connector = { connector_id: 1, standard: 'TYPE_2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, max_electric_power: 22000 };
const count = async (table: 'chargePoint' | 'evse' | 'connector') =>
  Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('POST /api/v1/chargers', () => {
  it('registers with a generated password, shown once, that the charger can then use', async () => {
    const res = await op.request('POST', '/chargers', { id: 'CP-GEN-1', generate_password: true, connectors: [connector] });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ id: 'CP-GEN-1', password_protected: true, registration_status: 'Accepted' });
    const password = res.body.data.password as string;
    expect(password.length).toBeGreaterThanOrEqual(16);
    const cp = new SimulatedChargePoint({ url: t.ocppUrl, identity: 'CP-GEN-1', password, meterValueIntervalSec: 0 });
    try {
      await cp.connect();
      expect((await cp.boot()).status).toBe('Accepted');
    } finally {
      await cp.close();
    }
    const details = (await op.request('GET', '/chargers/CP-GEN-1')).body.data;
    expect(details).not.toHaveProperty('password');
    expect(details.connectors).toEqual([expect.objectContaining({ connector_id: 1, standard: 'TYPE_2', max_electric_power: 22000 })]);
  });

  it.each([
    ['neither password nor generate_password', { id: 'CP-BAD-1' }, /password/],
    ['both password and generate_password', { id: 'CP-BAD-2', password: 'a-long-enough-password', generate_password: true }, /password/],
    ['a too short password', { id: 'CP-BAD-3', password: 'short' }, /password/],
    ['an identity with a slash', { id: 'CP/BAD', password: null }, /id/],
    ['repeated connector ids', { id: 'CP-BAD-4', password: null, connectors: [connector, connector] }, /unique/],
    ['an unknown location', { id: 'CP-BAD-5', password: null, connectors: [connector], location_id: 999999 }, /location/],
    ['a bad power type', { id: 'CP-BAD-6', password: null, connectors: [{ ...connector, power_type: 'AC' }] }, /power_type/],
  ])('refuses %s with a clear message and writes nothing', async (_name, body, message) => {
    const before = [await count('chargePoint'), await count('evse'), await count('connector')];
    const res = await op.request('POST', '/chargers', body);
    expect([400, 404]).toContain(res.status);
    expect(res.body.message).toMatch(message);
    expect([await count('chargePoint'), await count('evse'), await count('connector')]).toEqual(before);
  });

  it('refuses an identity that is already registered with 409', async () => {
    await op.request('POST', '/chargers', { id: 'CP-DUP', password: null });
    const res = await op.request('POST', '/chargers', { id: 'CP-DUP', password: null });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CONFLICT');
  });
});

describe('GET /api/v1/transactions', () => {
  it('validates its filters', async () => {
    expect((await op.request('GET', '/transactions?from=not-a-date')).status).toBe(400);
    expect((await op.request('GET', '/transactions?active=maybe')).status).toBe(400);
    expect((await op.request('GET', '/transactions?limit=500')).status).toBe(400);
    expect((await op.request('GET', '/transactions/0')).status).toBe(400);
    expect((await op.request('GET', '/transactions/424242')).status).toBe(404);
  });
});
