import type { ClusterBus } from '../cluster/cluster-bus.ts';
import { MAX_MESSAGE_BYTES } from '../cluster/cluster-bus.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { EARTH_RADIUS_KM } from './geo.repository.ts';
import { ocpiStatus } from './ocpi-status.ts';
import * as statusFeedRepository from './status-feed.repository.ts';

/**
 * Live connector status for maps. Ingest publishes every committed StatusNotification batch on the
 * cluster bus (STATUS_CHANNEL); each node runs one StatusFeed that listens once, places each charger
 * (EVSE uid → location, coordinates) and hands the change to the subscribers whose filter it matches.
 * Delivery is at most once, like the bus: a client that must be exact re-reads after a reconnect.
 */

export const STATUS_CHANNEL = 'connector_status';

/** One StatusNotification on the wire: kept short, a batch of them shares one NOTIFY. */
export interface StatusWireItem {
  /** charge point id (= evse.uid) */
  cp: string;
  /** OCPP connectorId; 0 = the whole charger */
  c: number;
  /** OCPP status */
  s: string;
  /** OCPP error code */
  e: string;
  /** status time, ISO 8601 */
  t: string;
}

export interface ConnectorStatusChange {
  locationId: number;
  evseUid: string;
  connectorId: number;
  ocppStatus: string;
  /** OCPI mapping of ocppStatus (see ocpi-status.ts). */
  status: string;
  errorCode: string;
  at: string;
}

export interface StatusFeedFilter {
  /** Only these locations. */
  locationIds?: number[];
  /** Only locations within distanceKm of (lat, lng). With locationIds too, either one matching is enough. */
  near?: { lat: number; lng: number; distanceKm: number };
}

export interface StatusSubscription extends AsyncIterableIterator<ConnectorStatusChange> {
  /** Changes thrown away because this subscriber fell more than the queue size behind. */
  readonly dropped: number;
}

export interface StatusFeed {
  subscribe(filter: StatusFeedFilter): StatusSubscription;
  close(): Promise<void>;
}

export interface StatusFeedDeps {
  db: Database;
  bus: ClusterBus;
  log: Logger;
  /** Per-subscriber queue; when full the oldest change is dropped. Default 1000. */
  queueSize?: number;
  /** Charger → location cache. Defaults: 10,000 chargers, 60 s. */
  cacheSize?: number;
  cacheTtlMs?: number;
}

/** Splits a batch into bus messages (JSON arrays of StatusWireItem), each under the NOTIFY limit. */
export function encodeStatusMessages(items: readonly StatusWireItem[]): string[] {
  const messages: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // the brackets
  for (const item of items) {
    const json = JSON.stringify(item);
    const size = Buffer.byteLength(json, 'utf8') + 1; // + the comma
    if (size + 2 > MAX_MESSAGE_BYTES) continue; // cannot happen with OCPP-sized fields; never worth a failed publish
    if (parts.length && bytes + size > MAX_MESSAGE_BYTES) {
      messages.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length) messages.push(`[${parts.join(',')}]`);
  return messages;
}

function decodeStatusMessage(message: string): StatusWireItem[] {
  const parsed: unknown = JSON.parse(message);
  const items = Array.isArray(parsed) ? parsed : [parsed];
  return items.filter(
    (i): i is StatusWireItem =>
      typeof i === 'object' && i !== null && typeof i.cp === 'string' && Number.isInteger(i.c) &&
      typeof i.s === 'string' && typeof i.e === 'string' && typeof i.t === 'string',
  );
}

const toRad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km on earthdistance's sphere, so it agrees with the SQL radius search. */
export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = toRad(lat2 - lat1);
  const dLng = toRad(lng2 - lng1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

type Place = statusFeedRepository.ChargerPlace;

interface Subscriber {
  matches(place: Place): boolean;
  push(change: ConnectorStatusChange): void;
  end(): void;
}

function matcher(filter: StatusFeedFilter): (place: Place) => boolean {
  const ids = filter.locationIds ? new Set(filter.locationIds.map(Number)) : undefined;
  const near = filter.near;
  const inIds = (place: Place) => ids!.has(place.locationId);
  const isNear = (place: Place) => haversineKm(near!.lat, near!.lng, place.lat, place.lng) <= near!.distanceKm;
  if (ids && near) return (place) => inIds(place) || isNear(place);
  if (ids) return inIds;
  if (near) return isNear;
  return () => true;
}

export async function createStatusFeed(deps: StatusFeedDeps): Promise<StatusFeed> {
  const { db, bus } = deps;
  const log = deps.log.child({ component: 'status-feed' });
  const queueSize = Math.max(1, deps.queueSize ?? 1000);
  const cacheSize = Math.max(1, deps.cacheSize ?? 10_000);
  const cacheTtlMs = deps.cacheTtlMs ?? 60_000;

  const subscribers = new Set<Subscriber>();
  // Charger → place (null: not placed at a location). Insertion order = age: the first key is the oldest.
  const places = new Map<string, { place: Place | null; expires: number }>();
  let inbox: StatusWireItem[] = [];
  let worker: Promise<void> | undefined;
  let closed = false;

  function remember(uid: string, place: Place | null, now: number): void {
    places.delete(uid);
    while (places.size >= cacheSize) places.delete(places.keys().next().value!);
    places.set(uid, { place, expires: now + cacheTtlMs });
  }

  /** Places every charger of the batch (one query for those not cached), then fans the batch out in order. */
  async function deliver(items: StatusWireItem[]): Promise<void> {
    const now = Date.now();
    const missing = new Set<string>();
    for (const item of items) {
      const cached = places.get(item.cp);
      if (!cached || cached.expires <= now) missing.add(item.cp);
    }
    if (missing.size) {
      const found = new Map((await statusFeedRepository.placesOf(db, [...missing])).map((p) => [p.uid, p]));
      for (const uid of missing) remember(uid, found.get(uid) ?? null, now);
    }
    for (const item of items) {
      const place = places.get(item.cp)?.place;
      if (!place) continue;
      const change: ConnectorStatusChange = {
        locationId: place.locationId,
        evseUid: item.cp,
        connectorId: item.c,
        ocppStatus: item.s,
        status: ocpiStatus(item.s),
        errorCode: item.e,
        at: item.t,
      };
      for (const subscriber of subscribers) if (subscriber.matches(place)) subscriber.push(change);
    }
  }

  /** One worker drains the inbox: what arrives during a lookup goes into the next batch. */
  async function work(): Promise<void> {
    while (inbox.length && !closed) {
      const items = inbox;
      inbox = [];
      try {
        await deliver(items);
      } catch (err) {
        log.warn({ err, changes: items.length }, 'status changes could not be placed; dropped');
      }
    }
    worker = undefined;
  }

  const unsubscribe = await bus.subscribe(STATUS_CHANNEL, (message) => {
    if (closed || subscribers.size === 0) return; // nobody watching: no lookups
    try {
      inbox.push(...decodeStatusMessage(message));
    } catch (err) {
      log.warn({ err }, 'malformed status message');
      return;
    }
    worker ??= work();
  });

  function subscribe(filter: StatusFeedFilter): StatusSubscription {
    const queue: ConnectorStatusChange[] = [];
    const waiting: Array<(result: IteratorResult<ConnectorStatusChange>) => void> = [];
    let ended = closed;
    let dropped = 0;
    const done = (): IteratorResult<ConnectorStatusChange> => ({ value: undefined, done: true });

    const subscriber: Subscriber = {
      matches: matcher(filter),
      push(change) {
        const waiter = waiting.shift();
        if (waiter) return waiter({ value: change, done: false });
        if (queue.length >= queueSize) {
          queue.shift();
          if (dropped++ % 1000 === 0) log.warn({ dropped, queueSize }, 'slow status subscriber: dropping oldest changes');
        }
        queue.push(change);
      },
      end() {
        ended = true;
        queue.length = 0;
        subscribers.delete(subscriber);
        for (const waiter of waiting.splice(0)) waiter(done());
      },
    };
    if (!ended) subscribers.add(subscriber);

    const iterator: StatusSubscription = {
      get dropped() {
        return dropped;
      },
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
        if (ended) return Promise.resolve(done());
        return new Promise((resolve) => waiting.push(resolve));
      },
      return() {
        subscriber.end();
        return Promise.resolve(done());
      },
      throw(err?: unknown) {
        subscriber.end();
        return Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    subscribe,
    async close() {
      if (closed) return;
      closed = true;
      await unsubscribe();
      for (const subscriber of [...subscribers]) subscriber.end();
      await worker;
      places.clear();
    },
  };
}
