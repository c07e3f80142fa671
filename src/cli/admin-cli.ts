import path from 'node:path';
import { parseArgs } from 'node:util';
import * as apiClientService from '../api-clients/api-client.service.ts';
import { loadSigningKey } from '../beckn/bpp-keys.ts';
import { registerSubscriber } from '../beckn/registry.ts';
import * as chargePointService from '../charge-points/charge-point.service.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { isAppError } from '../errors.ts';
import * as idTagService from '../id-tags/id-tag.service.ts';
import { generateChargerPassword } from '../security/password.ts';
import * as userService from '../users/user.service.ts';

// `npm run admin -- <command>`: operator tasks from the shell, on DATABASE_URL or the PGlite in DATA_DIR.
const USAGE = `Usage:
  npm run admin -- register-charger <id> [--password <16-40 chars> | --generate-password | --no-password]
  npm run admin -- add-id-tag <idTag> [--status Accepted|Blocked|Expired|Invalid] [--expires <ISO date>] [--parent <idTag>]
  npm run admin -- create-user <username> --role ADMIN|OPERATOR [--password <12+ chars> | --generate-password]
  npm run admin -- create-api-client <name>     (prints the client id and secret: HTTP Basic, or a /v1 bearer token via POST /v1/auth/token)
  npm run admin -- revoke-api-client <client_id>
  npm run admin -- register-beckn-subscriber <subscriber_id> --key-id <ukId> --public-key <base64 ed25519> [--url <subscriber_url>] [--type BAP|BPP|BG]
  npm run admin -- beckn-keys                    (our BPP subscriber id and signing public keys, for the registry)

register-charger registers a new charger, or completes one that connected while unknown (Pending);
its next BootNotification is answered Accepted. Stop the server first when it runs on embedded
PGlite (one process owns that database); with DATABASE_URL it can run beside it.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    password: { type: 'string' },
    'generate-password': { type: 'boolean' },
    'no-password': { type: 'boolean' },
    status: { type: 'string' },
    expires: { type: 'string' },
    parent: { type: 'string' },
    role: { type: 'string' },
    'key-id': { type: 'string' },
    'public-key': { type: 'string' },
    url: { type: 'string' },
    type: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command] = positionals;
const subject = positionals[1] ?? '';
if (values.help || !command || (!subject && command !== 'beckn-keys')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}

const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite') });
try {
  await migrate(database.db);
  if (command === 'register-charger') {
    const password = values['no-password'] ? null : values.password ?? (values['generate-password'] ? generateChargerPassword() : undefined);
    if (password === undefined) throw new Error('say --password, --generate-password or --no-password');
    await chargePointService.register(database.db, { id: subject, password });
    process.stdout.write(`charger ${subject} registered${password ? ` with password ${password}` : ' without a password'}\n`);
  } else if (command === 'add-id-tag') {
    const status = (values.status ?? 'Accepted') as 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
    if (!['Accepted', 'Blocked', 'Expired', 'Invalid'].includes(status)) throw new Error(`unknown status ${status}`);
    const expiryDate = values.expires ? new Date(values.expires) : null;
    if (expiryDate && Number.isNaN(expiryDate.getTime())) throw new Error(`--expires ${values.expires} is not a date`);
    await idTagService.upsert(database.db, { idTag: subject, status, expiryDate, parentIdTag: values.parent ?? null });
    process.stdout.write(`id tag ${subject} saved (${status})\n`);
  } else if (command === 'create-user') {
    const role = values.role;
    if (role !== 'ADMIN' && role !== 'OPERATOR') throw new Error('say --role ADMIN or --role OPERATOR');
    if (values.password !== undefined && values['generate-password']) throw new Error('say --password or --generate-password, not both');
    const generated = values['generate-password'] ? userService.generatePassword() : undefined;
    const password = values.password ?? generated;
    if (password === undefined) throw new Error('say --password <12+ characters> or --generate-password');
    const user = await userService.createUser(database.db, { username: subject, password, role });
    process.stdout.write(`user ${user.username} (${user.role}) created with id ${user.id}${generated ? `; password: ${generated}` : ''}\n`);
  } else if (command === 'create-api-client') {
    const { client, secret } = await apiClientService.issue(database.db, { name: subject });
    process.stdout.write(`API client ${client.name}: client id ${client.clientId}, secret ${secret} (shown once)\n`);
  } else if (command === 'revoke-api-client') {
    await apiClientService.revoke(database.db, subject);
    process.stdout.write(`API client ${subject} revoked\n`);
  } else if (command === 'register-beckn-subscriber') {
    const keyId = values['key-id'];
    const publicKey = values['public-key'];
    if (!keyId || !publicKey) throw new Error('say --key-id <ukId> and --public-key <base64 ed25519 public key>');
    const type = (values.type ?? 'BAP') as 'BAP' | 'BPP' | 'BG';
    if (!['BAP', 'BPP', 'BG'].includes(type)) throw new Error('--type must be BAP, BPP or BG');
    await registerSubscriber(database.db, { subscriberId: subject, keyId, publicKey, type, ...(values.url ? { subscriberUrl: values.url } : {}) });
    process.stdout.write(`Beckn subscriber ${subject} key ${keyId} registered (${type}); its requests are now verified with it\n`);
  } else if (command === 'beckn-keys') {
    const key = await loadSigningKey(database.db, config.beckn);
    process.stdout.write(`subscriber_id ${key.subscriberId}\nukId ${key.keyId}\nsigning_public_key ${key.publicKey}\nsubscriber_url ${config.beckn.subscriberUrl}\n`);
  } else {
    throw new Error(`unknown command ${command}\n${USAGE}`);
  }
} catch (err) {
  process.stderr.write(`${isAppError(err) || err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
