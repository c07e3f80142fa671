import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listPublicKeys } from '../src/beckn/bpp-keys.ts';
import { registerSubscriber } from '../src/beckn/registry.ts';
import { generateKeyPair, publicKeyOf } from '../src/beckn/signature.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { startBecknBap, type BapCallback, type BecknBap } from './beckn-bap.ts';

// Runs the whole DENT flow as a BAP against a running platform:
//   tsx simulators/beckn-bap-cli.ts --bpp-uri http://127.0.0.1:8080/beckn --lat 12.97 --lon 77.59
// search → select → init → confirm → (pay) → update start-charging → status… → update end-charging →
// rating → support, printing every callback. See docs/beckn-signing.md for registering its key.

const usage = `Usage: beckn-bap-cli [options]
  --bpp-uri <url>        the platform's Beckn base URL (env BECKN_BPP_URI; default http://127.0.0.1:8080/beckn)
  --bpp-id <id>          the platform's subscriber id (env BPP_ID; default charging-platform.local)
  --bap-id <id>          our subscriber id (default bap-cli.local)
  --key-file <path>      our key pair, created on first use (default ./data/beckn-bap-cli-key.json)
  --register-db          add our key to the platform's local registry (beckn_subscriber) through its database
                         (DATABASE_URL, else PGlite in $DATA_DIR/pglite, default ./data/pglite — with PGlite only while
                         the platform is stopped) and read the platform's public keys from it
  --register-only        register (with --register-db) or print the registration, then exit
  --bpp-public-key <k>   the platform's public key, to verify callbacks (without --register-db)
  --unsigned             send no signatures (a platform started with BECKN_SIGNING=off)
  --lat <deg> --lon <deg> --radius <km>   where to search (default 14.554729 121.024445 — the demo location in Makati — 5 km)
  --kwh <n>              energy to buy (default 4)
  --status-count <n>     status requests while charging (default 3), --status-interval <ms> (default 2000)
  --no-pay               do not pay the payment link even if it is the local gateway simulator
  --timeout <ms>         wait per callback (default 15000)
  --port <n>             our callback port (default 0 = random)
  --verbose              print whole callback bodies
  -h, --help`;

const { values } = parseArgs({
  options: {
    'bpp-uri': { type: 'string' }, 'bpp-id': { type: 'string' }, 'bap-id': { type: 'string' }, 'key-file': { type: 'string' },
    'register-db': { type: 'boolean' }, 'register-only': { type: 'boolean' }, 'bpp-public-key': { type: 'string' },
    unsigned: { type: 'boolean' }, lat: { type: 'string' }, lon: { type: 'string' }, radius: { type: 'string' },
    kwh: { type: 'string' }, 'status-count': { type: 'string' }, 'status-interval': { type: 'string' },
    'no-pay': { type: 'boolean' }, timeout: { type: 'string' }, port: { type: 'string' }, verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const env = process.env;
const num = (name: string, value: string | undefined, fallback: number): number => {
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isFinite(n)) {
    console.error(`${name} must be a number, got "${value}"\n\n${usage}`);
    process.exit(2);
  }
  return n;
};
const bppUri = (values['bpp-uri'] ?? env.BECKN_BPP_URI ?? 'http://127.0.0.1:8080/beckn').replace(/\/+$/, '');
const bppId = values['bpp-id'] ?? env.BPP_ID ?? 'charging-platform.local';
const bapId = values['bap-id'] ?? 'bap-cli.local';
const timeout = num('--timeout', values.timeout, 15_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface KeyFile { subscriberId: string; keyId: string; privateKey: string; publicKey: string }

/** The same key across runs, so the operator registers it once. */
async function loadKeyFile(file: string): Promise<KeyFile> {
  if (existsSync(file)) {
    const stored = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    if (stored.subscriberId === bapId) return { ...stored, publicKey: publicKeyOf(stored.privateKey) };
  }
  const key: KeyFile = { subscriberId: bapId, keyId: `bap-key-${randomBytes(4).toString('hex')}`, ...generateKeyPair() };
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  console.log(`new key pair written to ${file}`);
  return key;
}

const key = await loadKeyFile(values['key-file'] ?? './data/beckn-bap-cli-key.json');
let bppKeys = new Map<string, string>();
if (values['bpp-public-key']) bppKeys.set('*', values['bpp-public-key']);

const registration = (url: string) =>
  `insert into beckn_subscriber (subscriber_id, key_id, type, subscriber_url, domain, public_key, status)\n` +
  `  values ('${key.subscriberId}', '${key.keyId}', 'BAP', '${url}', 'dent:0.1.0', '${key.publicKey}', 'SUBSCRIBED')\n` +
  `  on conflict (subscriber_id, key_id) do update set public_key = excluded.public_key, subscriber_url = excluded.subscriber_url, status = 'SUBSCRIBED';`;

async function registerInDatabase(url: string): Promise<void> {
  // The platform keeps its PGlite database in ${DATA_DIR}/pglite (src/main.ts).
  const handle = await openDatabase({ url: env.DATABASE_URL, pgliteDir: path.join(env.DATA_DIR ?? './data', 'pglite') });
  // A fresh data directory has no tables yet: the platform's own migrations (idempotent) make them.
  await migrate(handle.db);
  try {
    await registerSubscriber(handle.db, { subscriberId: key.subscriberId, keyId: key.keyId, publicKey: key.publicKey, type: 'BAP', subscriberUrl: url, domain: 'dent:0.1.0' });
    bppKeys = new Map((await listPublicKeys(handle.db, bppId)).map((k) => [k.keyId, k.publicKey]));
    console.log(`registered ${key.subscriberId}|${key.keyId} in the platform's database; ${bppKeys.size} public key(s) of ${bppId} found`);
  } finally {
    await handle.close();
  }
}

const printed = new Set<BapCallback>();
function printCallbacks(bap: BecknBap): void {
  for (const c of bap.callbacks) {
    if (printed.has(c)) continue;
    printed.add(c);
    const order = c.body?.message?.order;
    const summary = [
      order?.id && `order ${order.id}`,
      order?.status && `status ${order.status}`,
      order?.fulfillments?.[0]?.state?.descriptor?.code && `fulfillment ${order.fulfillments[0].state.descriptor.code}`,
      order?.payments?.[0]?.status && `payment ${order.payments[0].status}`,
      order?.quote?.price && `quote ${order.quote.price.value} ${order.quote.price.currency}`,
      c.body?.message?.catalog && `${c.body.message.catalog.providers?.length ?? 0} provider(s)`,
      c.body?.error && `error ${c.body.error.code} ${c.body.error.message}`,
    ].filter(Boolean).join(', ');
    console.log(`← ${c.action} [${c.verified ? 'signature ok' : c.verifyError ?? 'unverified'}] ${summary}`);
    if (values.verbose) console.log(JSON.stringify(c.body, null, 2));
  }
}

const bap = await startBecknBap({
  bppUri, bppId, subscriberId: key.subscriberId, keyId: key.keyId, privateKey: key.privateKey,
  port: num('--port', values.port, 0), signing: !values.unsigned,
  lookup: async (_subscriber, keyId) => bppKeys.get(keyId) ?? bppKeys.get('*'),
  context: { location: { country: { code: 'IND' }, city: { code: 'std:080' } } },
});
console.log(`BAP ${key.subscriberId} (key ${key.keyId}, public ${key.publicKey}) receiving callbacks at ${bap.url}`);
if (values['register-db']) {
  await registerInDatabase(bap.url).catch(async (err: Error) => {
    console.error(`could not register in the platform's database (is it migrated, and not held open by a running PGlite platform?): ${err.message}`);
    await bap.close();
    process.exit(1);
  });
}
else if (!values.unsigned) console.log(`The platform must know our key; add it to its registry:\n${registration(bap.url)}\n(or run again with --register-db)`);
if (values['register-only']) {
  await bap.close();
  process.exit(0);
}

async function step(action: string, message: unknown): Promise<any> {
  console.log(`→ ${action}`);
  try {
    const { callback } = await bap.request(action, message, {}, timeout);
    printCallbacks(bap);
    if (callback.body?.error) throw new Error(`${action} failed: ${JSON.stringify(callback.body.error)}`);
    return callback.body?.message;
  } catch (err) {
    printCallbacks(bap);
    throw err;
  }
}

async function payIfLocal(payment: any): Promise<void> {
  const link: string | undefined = payment?.url;
  if (!link || payment?.status === 'PAID') return;
  console.log(`payment link: ${link} (${payment?.params?.amount ?? '?'} ${payment?.params?.currency ?? ''})`);
  const url = new URL(link);
  if (values['no-pay'] || !['127.0.0.1', 'localhost'].includes(url.hostname) || !url.pathname.startsWith('/pay/')) {
    console.log('pay it in a browser; the flow goes on once the platform has seen the payment');
    return;
  }
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=pay', redirect: 'manual' });
  console.log(`paid through the local gateway simulator (${res.status})`);
}

const orderRef = (message: any) => ({
  provider: message?.order?.provider ?? message?.order?.providers,
  items: (message?.order?.items ?? []).map((i: any) => ({ id: i.id })),
  fulfillments: (message?.order?.fulfillments ?? []).slice(0, 1).map((f: any) => ({ id: f.id })),
});

try {
  const lat = num('--lat', values.lat, 14.554729);
  const lon = num('--lon', values.lon, 121.024445);
  const kwh = String(num('--kwh', values.kwh, 4));
  const search = await step('search', {
    intent: {
      item: { descriptor: { code: 'energy' }, quantity: { required: { value: kwh, unit: 'kWh' } } },
      location: { gps: `${lat},${lon}`, radius: { type: 'CONSTANT', value: String(num('--radius', values.radius, 5)), unit: 'km' } },
    },
  });
  const provider = search?.catalog?.providers?.find((p: any) => p.items?.length);
  if (!provider) throw new Error('no charger found near that point');
  // A connector whose charger is online and free, if there is one (its fulfillment's tags say so).
  const available = (it: any) => {
    const f = provider.fulfillments?.find((x: any) => x.id === it.fulfillment_ids?.[0]);
    return JSON.stringify(f?.tags ?? []).includes('"Available"');
  };
  const item = provider.items.find(available) ?? provider.items[0];
  const fulfillmentId = item.fulfillment_ids?.[0] ?? provider.fulfillments?.[0]?.id;
  console.log(`chose item ${item.id} of provider ${provider.id}`);
  const fulfillments = fulfillmentId ? [{ id: fulfillmentId }] : [];

  const selected = await step('select', {
    order: { provider: { id: provider.id }, items: [{ id: item.id, quantity: { selected: { measure: { value: kwh, unit: 'kWh' } } } }], fulfillments },
  });
  const customer = { person: { name: 'Beckn CLI' }, contact: { phone: '+91-9876500000', email: 'bap-cli@example.com' } };
  const billing = { name: 'Beckn CLI', email: 'bap-cli@example.com', phone: '+91-9876500000' };
  const ref = orderRef(selected);
  const init = await step('init', {
    order: { provider: { id: provider.id }, items: ref.items.length ? ref.items : [{ id: item.id }], billing, fulfillments: [{ ...(fulfillments[0] ?? {}), customer }] },
  });
  const payments = init?.order?.payments ?? [];
  await payIfLocal(payments[0]);
  const confirmed = await step('confirm', {
    order: { ...orderRef(init), billing, fulfillments: [{ ...(orderRef(init).fulfillments[0] ?? fulfillments[0] ?? {}), customer }], payments, quote: init?.order?.quote },
  });
  const orderId: string = confirmed?.order?.id;
  if (!orderId) throw new Error('on_confirm named no order id');
  await payIfLocal(confirmed?.order?.payments?.[0]);

  const chargingFulfillment = confirmed?.order?.fulfillments?.[0]?.id ?? fulfillmentId ?? '1';
  const update = (code: string) => ({
    update_target: 'order.fulfillments[0].state',
    order: { id: orderId, fulfillments: [{ id: chargingFulfillment, type: 'CHARGING', state: { descriptor: { code } } }] },
  });
  // Payment is confirmed by the gateway's webhook, asynchronously: ask until the order says PAID.
  for (let i = 0; i < 10; i++) {
    const status = await step('status', { order_id: orderId });
    if (status?.order?.payments?.[0]?.status === 'PAID' || !status?.order?.payments?.length) break;
    await sleep(1_000);
  }
  await step('update', update('start-charging'));
  const count = num('--status-count', values['status-count'], 3);
  for (let i = 0; i < count; i++) {
    await sleep(num('--status-interval', values['status-interval'], 2_000));
    await step('status', { order_id: orderId });
  }
  await step('update', update('end-charging'));
  await step('rating', { ratings: [{ id: orderId, rating_category: 'Order', value: '5' }] });
  await step('support', { support: { ref_id: orderId, phone: billing.phone, email: billing.email } });
  await sleep(500); // late unsolicited callbacks (on_update, on_status) still get printed
  printCallbacks(bap);
  console.log('flow complete');
} catch (err) {
  console.error(`stopped: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await bap.close();
}
