// Writes a sample CSV for the location import (docs/csv-import.md) with N rows (one per connector):
// for load tests and benchmarks of POST /ocpi/cpo/api/v2/locations/uploads/csv.
//   npx tsx simulators/make-locations-csv.ts out.csv --rows 10000
//   npx tsx simulators/make-locations-csv.ts --help

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface LocationsCsvOptions {
  /** Data rows (connectors) to write. */
  rows: number;
  /** Default 4. */
  evsesPerLocation?: number;
  /** Default 2. */
  connectorsPerEvse?: number;
  /** Prefix of the EVSE uids (the chargers' OCPP identities); default GEN-<random>, unique per run. */
  uidPrefix?: string;
}

export interface LocationsCsvSummary {
  rows: number;
  locations: number;
  evses: number;
  uidPrefix: string;
}

const HEADER = [
  'location_ref', 'name', 'address', 'lat', 'lng', 'city', 'province', 'region', 'postal_code', 'country_code',
  'facilities', 'parking_types', 'parking_restrictions', 'evse_uid', 'evse_id', 'serial_number', 'meter_type', 'status', 'kwh',
  'capabilities', 'payment_types', 'connector_id', 'standard', 'format', 'power_type', 'max_voltage', 'max_amperage',
  'max_electric_power', 'connector_type', 'rate_setting',
];

const CITIES: Array<[city: string, province: string, region: string, lat: number, lng: number]> = [
  ['Olongapo', 'Zambales', 'Region III', 14.8365, 120.2829],
  ['Cabuyao', 'Laguna', 'CALABARZON', 14.2727, 121.1262],
  ['Makati', 'Metro Manila', 'NCR', 14.5547, 121.0244],
  ['Cebu City', 'Cebu', 'Region VII', 10.3157, 123.8854],
  ['Davao City', 'Davao del Sur', 'Region XI', 7.1907, 125.4553],
];
const FACILITIES = ['MALL|WIFI', 'CAFE|RESTROOM', 'HOTEL|PARKING_LOT', 'GAS_STATION', 'RESTAURANTS|SHOPS|WIFI', ''];
const CONNECTORS: Array<[standard: string, format: string, powerType: string, volts: number, amps: number, kw: number]> = [
  ['TYPE_2', 'SOCKET', 'AC_3_PHASE', 400, 32, 22],
  ['CCS2', 'CABLE', 'DC', 920, 200, 150],
  ['CHADEMO', 'CABLE', 'DC', 500, 125, 50],
  ['TYPE_1', 'CABLE', 'AC_1_PHASE', 230, 32, 7],
];

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Streams the file to `path` (constant memory whatever `rows` is). */
export async function writeLocationsCsv(path: string, options: LocationsCsvOptions): Promise<LocationsCsvSummary> {
  const evsesPerLocation = options.evsesPerLocation ?? 4;
  const connectorsPerEvse = options.connectorsPerEvse ?? 2;
  const uidPrefix = options.uidPrefix ?? `GEN-${randomBytes(3).toString('hex')}`;
  const out = createWriteStream(path);
  const write = async (cells: Array<string | number>) => {
    if (!out.write(`${cells.map((c) => csvCell(String(c))).join(',')}\n`)) await once(out, 'drain');
  };
  await write(HEADER);
  let rows = 0;
  let locations = 0;
  let evses = 0;
  while (rows < options.rows) {
    const l = locations++;
    const [city, province, region, lat, lng] = CITIES[l % CITIES.length]!;
    const location = [
      `LOC-${l + 1}`, `Charging hub ${l + 1}`, `${100 + (l % 900)} Rizal Street, ${city}`,
      (lat + ((l % 1000) - 500) / 10_000).toFixed(6), (lng + (Math.floor(l / 1000) % 1000 - 500) / 10_000).toFixed(6),
      city, province, region, String(1000 + (l % 8000)), 'PH', FACILITIES[l % FACILITIES.length]!, l % 2 ? 'INDOOR' : 'OUTDOOR', l % 3 ? '' : 'CUSTOMERS',
    ];
    for (let e = 0; e < evsesPerLocation && rows < options.rows; e++) {
      const n = ++evses;
      const uid = `${uidPrefix}-${String(n).padStart(7, '0')}`;
      const dc = n % 3 === 0;
      const evse = [uid, `PH*GEN*E${n}`, `SN-${n}`, dc ? 'DC' : 'AC', 'AVAILABLE', dc ? 150 : 22, 'CREDIT_DEBIT_PAYABLE|QR_READER', 'GCASH|MAYA'];
      for (let c = 1; c <= connectorsPerEvse && rows < options.rows; c++) {
        const [standard, format, powerType, volts, amps, kw] = CONNECTORS[(dc ? [1, 2] : [0, 3])[(c - 1) % 2]!]!;
        await write([...location, ...evse, c, standard, format, powerType, volts, amps, kw, standard, dc ? '24.00' : '18.50']);
        rows++;
      }
    }
  }
  out.end();
  await once(out, 'finish');
  return { rows, locations, evses, uidPrefix };
}

const USAGE = `Usage: npx tsx simulators/make-locations-csv.ts <out.csv> [options]

Writes a location import CSV (docs/csv-import.md), one row per connector.

Options:
  --rows <n>                  data rows (connectors) to write (default 10000)
  --evses-per-location <n>    default 4
  --connectors-per-evse <n>   default 2
  --uid-prefix <text>         EVSE uid prefix (default GEN-<random>); uids are <prefix>-0000001…
  --help, -h                  show this help`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rows: { type: 'string', default: '10000' },
      'evses-per-location': { type: 'string', default: '4' },
      'connectors-per-evse': { type: 'string', default: '2' },
      'uid-prefix': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const positive = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) {
      console.error(`--${name} must be a positive whole number\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const summary = await writeLocationsCsv(positionals[0]!, {
    rows: positive('rows', values.rows),
    evsesPerLocation: positive('evses-per-location', values['evses-per-location']),
    connectorsPerEvse: positive('connectors-per-evse', values['connectors-per-evse']),
    ...(values['uid-prefix'] ? { uidPrefix: values['uid-prefix'] } : {}),
  });
  console.log(`${positionals[0]}: ${summary.rows} rows, ${summary.locations} locations, ${summary.evses} EVSEs (uids ${summary.uidPrefix}-…)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
