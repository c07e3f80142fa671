import * as chargePointService from '../charge-points/charge-point.service.ts';
import type { ChargerCredentials } from '../charge-points/charge-point.service.ts';
import { intArray, textArray } from '../db/array-literal.ts';
import type { Tx } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { CsvRow } from './csv-import.ts';
import { detached } from './csv-records.ts';
import { credentialsMailEntries } from './credentials-mail.ts';
import type { References } from './location-references.ts';
import { allocateIds, insertImportBatch, type BatchResult, type ImportBatch } from './location-import.repository.ts';

// Writes the CSV import's rows batch by batch (csv-import hands them over), inside the import's
// transaction. Keeps, for the rows of later batches and for the one credentials mail, the ids of the
// locations and EVSEs written so far and the mail's text of each charger: never the rows.

export class CsvImportWriter {
  readonly locationIds = new Map<string, number>();
  readonly evseIds = new Map<string, number>();
  readonly mailEntries: string[] = [];
  written = 0;
  private readonly spare = { locations: [] as number[], evses: [] as number[] };
  /** Ids reserved by statements still running. */
  private readonly coming = { locations: 0, evses: 0 };
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly tx: Tx,
    private readonly owner: CpoOwnerRow,
    private readonly refs: References,
    private readonly ocppBaseUrl: string | undefined,
  ) {}

  /**
   * Writes the rows unless a new EVSE's uid is taken; returns the taken uids (csv-import's CsvRowSink).
   * A batch may be handed over while the one before is being written: it is prepared then (ids,
   * passwords, column arrays), in turn, and its statement runs right after the one before.
   */
  async write(rows: readonly CsvRow[]): Promise<string[]> {
    const sent = this.sending.then(() => this.send(rows));
    this.sending = sent.then(() => undefined, () => undefined);
    const { result, credentials } = await sent;
    const { taken, notRegistered } = await result;
    if (taken.length > 0) return taken; // nothing written; the import reports them and writes no more
    if (notRegistered.length > 0) {
      const reason = 'another request registered it while this file was being imported; nothing was written';
      throw new AppError('CONFLICT', `charge point ${notRegistered[0]} is already registered: ${reason}`, { uids: notRegistered });
    }
    this.mailEntries.push(credentialsMailEntries(credentials, this.ocppBaseUrl));
    this.written += rows.length;
    return [];
  }

  /** Prepares a batch and sends its statement (after those of the batches before it). */
  private async send(rows: readonly CsvRow[]): Promise<{ result: Promise<BatchResult>; credentials: ChargerCredentials[] }> {
    const newLocations = new Map<string, CsvRow>();
    const newEvses = new Map<string, CsvRow>();
    for (const row of rows) {
      if (!this.locationIds.has(row.locationRef) && !newLocations.has(row.locationRef)) newLocations.set(row.locationRef, row);
      if (!this.evseIds.has(row.evse.uid) && !newEvses.has(row.evse.uid)) newEvses.set(row.evse.uid, row);
    }
    await this.reserveIds(newLocations.size, newEvses.size);
    const locationIds = this.spare.locations.splice(0, newLocations.size);
    const evseIds = this.spare.evses.splice(0, newEvses.size);
    let i = 0;
    // Kept for the rest of the import: copies that do not hold the file's text (csv-records).
    for (const ref of newLocations.keys()) this.locationIds.set(detached(ref), locationIds[i++]!);
    i = 0;
    for (const uid of newEvses.keys()) this.evseIds.set(detached(uid), evseIds[i++]!);

    // Generated passwords hash in microseconds (sha256$, security/password.ts): made per batch, and
    // only the mail's text of them is kept.
    const credentials = chargePointService.generateCredentials([...newEvses.keys()]);
    // Ids for the two batches after this one (the next is prepared while this one is written),
    // assumed to need about as many as this one; what is already spare or on its way counts.
    const want = (need: number, have: number) => Math.max(0, 2 * need - have);
    const reserve = {
      locations: want(newLocations.size, this.spare.locations.length + this.coming.locations),
      evses: want(newEvses.size, this.spare.evses.length + this.coming.evses),
    };
    this.coming.locations += reserve.locations;
    this.coming.evses += reserve.evses;
    const result = insertImportBatch(this.tx, { ...this.batch(rows, newLocations, newEvses, credentials), reserve }).then((r) => {
      this.coming.locations -= reserve.locations;
      this.coming.evses -= reserve.evses;
      this.spare.locations.push(...r.reserved.locations);
      this.spare.evses.push(...r.reserved.evses);
      return r;
    });
    result.catch(() => undefined); // awaited by write
    return { result, credentials };
  }

  /**
   * Ids are taken ahead, with each batch's statement, for the batches after it: a round trip of its own
   * only for the first batch, or one that needs more than its predecessors. At most two batches' worth
   * of ids is left unused at the end (a gap in the sequences).
   */
  private async reserveIds(locations: number, evses: number): Promise<void> {
    const more = { locations: Math.max(0, locations - this.spare.locations.length), evses: Math.max(0, evses - this.spare.evses.length) };
    if (more.locations === 0 && more.evses === 0) return;
    const ids = await allocateIds(this.tx, more.locations, more.evses);
    this.spare.locations.push(...ids.locations);
    this.spare.evses.push(...ids.evses);
  }

  /** The batch as column arrays (array literals): a loop per table, each value pushed once. */
  private batch(
    rows: readonly CsvRow[],
    newLocations: ReadonlyMap<string, CsvRow>,
    newEvses: ReadonlyMap<string, CsvRow>,
    credentials: ReadonlyArray<{ id: string; passwordHash: string }>,
  ): ImportBatch {
    const l = columns('id', 'name', 'address', 'lat', 'lng', 'city', 'province', 'region', 'postalCode', 'countryCode');
    const locationFacility = columns('locationId', 'facilityId');
    const locationParkingType = columns('locationId', 'parkingTypeId');
    const locationParkingRestriction = columns('locationId', 'parkingRestrictionId');
    const ownCountry = this.owner.countryCode.toUpperCase();
    for (const [ref, { location: f }] of shuffled([...newLocations])) {
      const id = this.locationIds.get(ref)!;
      l.id.push(id); l.name.push(f.name); l.address.push(f.address); l.lat.push(f.lat); l.lng.push(f.lng);
      l.city.push(f.city); l.province.push(f.province); l.region.push(f.region); l.postalCode.push(f.postalCode);
      l.countryCode.push(f.countryCode ?? ownCountry);
      link(locationFacility.locationId, locationFacility.facilityId, id, f.facilities, this.refs.facility);
      link(locationParkingType.locationId, locationParkingType.parkingTypeId, id, f.parkingTypes, this.refs.parkingType);
      link(locationParkingRestriction.locationId, locationParkingRestriction.parkingRestrictionId, id, f.parkingRestrictions, this.refs.parkingRestriction);
    }
    const e = columns('id', 'uid', 'evseId', 'locationId', 'serialNumber', 'meterType', 'kwh', 'status');
    const evseCapability = columns('evseId', 'capabilityId');
    const evsePaymentType = columns('evseId', 'paymentTypeId');
    for (const [uid, { locationRef, evse: f }] of newEvses) {
      const id = this.evseIds.get(uid)!;
      e.id.push(id); e.uid.push(uid); e.evseId.push(f.evseId); e.locationId.push(this.locationIds.get(locationRef)!);
      e.serialNumber.push(f.serialNumber); e.meterType.push(f.meterType); e.kwh.push(f.kwh); e.status.push(f.status);
      link(evseCapability.evseId, evseCapability.capabilityId, id, f.capabilities, this.refs.capability);
      link(evsePaymentType.evseId, evsePaymentType.paymentTypeId, id, f.paymentTypes, this.refs.paymentType);
    }
    const c = columns('evseId', 'connectorId', 'standard', 'format', 'powerType', 'maxVoltage', 'maxAmperage', 'maxElectricPower', 'connectorType', 'rateSetting');
    for (const { evse, connector: f } of rows) {
      c.evseId.push(this.evseIds.get(evse.uid)!); c.connectorId.push(f.connectorId); c.standard.push(f.standard); c.format.push(f.format);
      c.powerType.push(f.powerType); c.maxVoltage.push(f.maxVoltage); c.maxAmperage.push(f.maxAmperage);
      c.maxElectricPower.push(f.maxElectricPower); c.connectorType.push(f.connectorType ?? f.standard); c.rateSetting.push(f.rateSetting);
    }
    const charger = columns('id', 'passwordHash');
    for (const { id, passwordHash } of credentials) {
      charger.id.push(id);
      charger.passwordHash.push(passwordHash);
    }
    return {
      cpoOwnerId: this.owner.id,
      reserve: { locations: 0, evses: 0 },
      location: literals(l),
      locationFacility: literals(locationFacility),
      locationParkingType: literals(locationParkingType),
      locationParkingRestriction: literals(locationParkingRestriction),
      evse: literals(e),
      evseCapability: literals(evseCapability),
      evsePaymentType: literals(evsePaymentType),
      connector: literals(c),
      charger: literals(charger),
    };
  }
}

/**
 * The locations of a batch in random order. Files are often sorted by place (the generated ones are
 * a grid), and GiST's split of cube keys (location_earth_idx) degrades on sorted input: many lopsided
 * page splits, each quadratic in the page's entries. Inserting a batch shuffled costs it about half.
 */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

type Column = Array<string | number | null>;
type Columns<K extends string> = Record<K, Column>;

const columns = <K extends string>(...keys: K[]): Columns<K> => Object.fromEntries(keys.map((k) => [k, []])) as unknown as Columns<K>;

/** A link table's rows (owner id, reference id): one per code of the owner. */
function link(owners: Column, refs: Column, ownerId: number, codes: readonly string[], ids: ReadonlyMap<string, number>): void {
  for (const code of codes) {
    owners.push(ownerId);
    refs.push(ids.get(code)!);
  }
}

/** Each column as an array literal: whole numbers as such (ids, codes' ids, volts…), the rest as texts. */
function literals<K extends string>(table: Columns<K>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const key in table) {
    const values = table[key];
    out[key] = values.length > 0 && typeof values[0] === 'number' ? intArray(values as number[]) : textArray(values as Array<string | null>);
  }
  return out;
}

