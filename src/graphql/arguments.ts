import { AppError } from '../errors.ts';
import type { EvseOrder } from '../map/map.service.ts';

// Argument rules of the queries beyond what the schema's types check. Each failure is a
// VALIDATION_FAILED AppError (BAD_USER_INPUT in GraphQL) naming the argument and what it accepts.

const bad = (message: string, details?: unknown) => new AppError('VALIDATION_FAILED', message, details);

export const MAX_OFFSET = 1_000_000;
export const DEFAULT_PAGE = 10;

export function page(args: { limit?: number | null; offset?: number | null }, maxLimit: number, defaultLimit = Math.min(DEFAULT_PAGE, maxLimit)) {
  const limit = args.limit ?? defaultLimit;
  const offset = args.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw bad(`limit must be an integer from 1 to ${maxLimit}`, { argument: 'limit' });
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw bad(`offset must be an integer from 0 to ${MAX_OFFSET}`, { argument: 'offset' });
  return { limit, offset };
}

export const EVSE_ORDER_BY: readonly EvseOrder[] = ['location', 'date_created'];
const ORDERS = ['ASC', 'DESC'] as const;

export function evseOrder(args: { order_by?: string | null; order?: string | null }): { orderBy: EvseOrder; order: 'asc' | 'desc' } {
  const orderBy = args.order_by ?? 'date_created';
  if (!(EVSE_ORDER_BY as readonly string[]).includes(orderBy)) {
    throw bad(`order_by must be one of ${EVSE_ORDER_BY.map((v) => `'${v}'`).join(', ')}`, { argument: 'order_by' });
  }
  const order = args.order ?? 'ASC';
  if (!(ORDERS as readonly string[]).includes(order)) throw bad('order must be ASC or DESC', { argument: 'order' });
  return { orderBy: orderBy as EvseOrder, order: order === 'ASC' ? 'asc' : 'desc' };
}

/** Optional free text (location name, city, province): trimmed, non-empty, at most `max` characters. */
export function text(name: string, value: string | null | undefined, max = 100): string | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (!trimmed) throw bad(`${name} must not be empty`, { argument: name });
  if (trimmed.length > max) throw bad(`${name} must be at most ${max} characters`, { argument: name });
  return trimmed;
}

/** lat and lng: both or neither, within ±90 / ±180 degrees. */
export function point(args: { lat?: number | null; lng?: number | null }): { lat: number; lng: number } | undefined {
  const { lat, lng } = args;
  if ((lat === null || lat === undefined) && (lng === null || lng === undefined)) return undefined;
  if (lat === null || lat === undefined || lng === null || lng === undefined) throw bad('lat and lng must be given together', { argument: lat == null ? 'lat' : 'lng' });
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw bad('lat must be a latitude from -90 to 90', { argument: 'lat' });
  if (!Number.isFinite(lng) || lng < -180 || lng > 180) throw bad('lng must be a longitude from -180 to 180', { argument: 'lng' });
  return { lat, lng };
}

/** Half the Earth's circumference: no two points on it are further apart. */
export const MAX_DISTANCE_KM = 20_038;

export function distanceKm(name: string, value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0 || value > MAX_DISTANCE_KM) throw bad(`${name} must be a distance in km above 0 and at most ${MAX_DISTANCE_KM}`, { argument: name });
  return value;
}

/** A list of reference codes: each one of `valid` (the reference table), at most 50, duplicates dropped. */
export function codes(name: string, value: readonly string[] | null | undefined, valid: readonly string[]): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length > 50) throw bad(`${name} takes at most 50 values`, { argument: name });
  const unknown = value.filter((v) => !valid.includes(v));
  if (unknown.length > 0) {
    throw bad(`${name}: unknown value${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => JSON.stringify(v)).join(', ')}; valid values are ${valid.join(', ')}`, {
      argument: name, invalid: unknown, valid,
    });
  }
  return [...new Set(value)];
}

export function ids(name: string, value: readonly number[] | null | undefined, max = 1000): number[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length === 0 || value.length > max) throw bad(`${name} must hold 1 to ${max} ids`, { argument: name });
  if (value.some((id) => !Number.isInteger(id) || id < 1)) throw bad(`${name} must hold positive ids`, { argument: name });
  return [...new Set(value)];
}
