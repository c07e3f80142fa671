import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createMailer } from '../../src/mail/mailer.ts';
import { operatorClient } from '../fixtures/operator-client.ts';
import { startTestApp, type TestApp } from '../fixtures/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const mailer = createMailer({ smtpUrl: undefined, from: 'test@localhost', log: pino({ level: 'silent' }) });
  await mailer.queue(t.db, { to: 'ops@example.invalid', subject: 'Your one-time password', text: 'otp: 123' });
  await mailer.queue(t.db, { to: 'other@example.invalid', subject: 'Charger credentials', text: 'CP-1 secret' });
});
afterAll(() => t.close());

describe('GET /api/v1/outbox', () => {
  it('shows an ADMIN the queued mail, newest first, filterable by recipient', async () => {
    const admin = await operatorClient(t, 'ADMIN');
    const all = await admin.request('GET', '/outbox');
    expect(all.status).toBe(200);
    expect(all.body.data.map((m: { subject: string }) => m.subject)).toEqual(['Charger credentials', 'Your one-time password']);
    const one = await admin.request('GET', '/outbox?recipient=ops@example.invalid');
    expect(one.body.data).toEqual([expect.objectContaining({ recipient: 'ops@example.invalid', body: 'otp: 123', sent_at: null })]);
  });

  it('is refused to an OPERATOR', async () => {
    const operator = await operatorClient(t, 'OPERATOR');
    const res = await operator.request('GET', '/outbox');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
});
