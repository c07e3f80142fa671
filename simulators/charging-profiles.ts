// Charging profiles installed on a simulated charge point (SetChargingProfile,
// ClearChargingProfile, GetCompositeSchedule) and the power limit they impose.

import type {
  ChargingProfile, ChargingRateUnit, ChargingSchedule, ChargingSchedulePeriod, ClearChargingProfileReq,
} from './ocpp-types.ts';

interface Installed {
  connectorId: number;
  profile: ChargingProfile;
  installedAt: number;
}

export interface ProfileContext {
  /** Transaction running on the connector the profile is set for, if any. */
  transactionId?: number;
  /** When that transaction started, ms. */
  transactionStart?: number;
}

const NOMINAL_VOLTAGE = 230;
const DEFAULT_PHASES = 3;
const MAX_PROFILES = 10;
const RECURRENCE_SEC = { Daily: 86_400, Weekly: 604_800 } as const;

/**
 * A limit the OCPP 1.6 schema accepts: `multipleOf 0.1` is checked by ajv as
 * `x / 0.1 === parseInt(x / 0.1)`, which fails for many tenths (31.9 / 0.1 = 318.99999999999994)
 * but never for integers.
 */
export function schemaDecimal(x: number): number {
  const r = Math.round(x * 10) / 10;
  const q = r / 0.1;
  return q === Math.trunc(q) ? r : Math.round(x);
}

export class ChargingProfileStore {
  private profiles: Installed[] = [];

  constructor(private readonly maxPowerW: number, private readonly now: () => number = Date.now) {}

  get count(): number {
    return this.profiles.length;
  }

  list(): Array<{ connectorId: number; profile: ChargingProfile }> {
    return this.profiles.map(({ connectorId, profile }) => ({ connectorId, profile }));
  }

  /** Installs a profile; returns the SetChargingProfile.conf status. */
  set(connectorId: number, profile: ChargingProfile, ctx: ProfileContext = {}): 'Accepted' | 'Rejected' {
    const purpose = profile.chargingProfilePurpose;
    if (purpose === 'ChargePointMaxProfile' && connectorId !== 0) return 'Rejected';
    if (purpose === 'TxProfile') {
      if (connectorId === 0 || ctx.transactionId === undefined) return 'Rejected';
      if (profile.transactionId !== undefined && profile.transactionId !== ctx.transactionId) return 'Rejected';
    }
    if (profile.chargingSchedule.chargingSchedulePeriod.length === 0) return 'Rejected';
    this.profiles = this.profiles.filter((p) =>
      p.profile.chargingProfileId !== profile.chargingProfileId &&
      !(p.connectorId === connectorId && p.profile.stackLevel === profile.stackLevel &&
        p.profile.chargingProfilePurpose === purpose));
    if (this.profiles.length >= MAX_PROFILES) return 'Rejected';
    this.profiles.push({ connectorId, profile, installedAt: this.now() });
    return 'Accepted';
  }

  /** Removes matching profiles; true when at least one was removed (Accepted), false = Unknown. */
  clear(req: ClearChargingProfileReq): boolean {
    const before = this.profiles.length;
    this.profiles = this.profiles.filter((p) => {
      if (req.id !== undefined) return p.profile.chargingProfileId !== req.id;
      const match =
        (req.connectorId === undefined || req.connectorId === p.connectorId) &&
        (req.chargingProfilePurpose === undefined || req.chargingProfilePurpose === p.profile.chargingProfilePurpose) &&
        (req.stackLevel === undefined || req.stackLevel === p.profile.stackLevel);
      return !match;
    });
    return this.profiles.length < before;
  }

  /** TxProfiles end with their transaction. */
  clearTxProfiles(connectorId: number): void {
    this.profiles = this.profiles.filter(
      (p) => !(p.connectorId === connectorId && p.profile.chargingProfilePurpose === 'TxProfile'));
  }

  /** Effective limit on a connector at a moment, in the requested unit; undefined = unlimited. */
  limitAt(connectorId: number, timeMs: number, unit: ChargingRateUnit = 'W', ctx: ProfileContext = {}): number | undefined {
    const best = (purpose: ChargingProfile['chargingProfilePurpose'], connectors: number[]) => {
      for (const c of connectors) {
        const candidates = this.profiles
          .filter((p) => p.connectorId === c && p.profile.chargingProfilePurpose === purpose)
          .sort((a, b) => b.profile.stackLevel - a.profile.stackLevel);
        for (const p of candidates) {
          const limit = this.profileLimit(p, timeMs, unit, ctx);
          if (limit !== undefined) return limit;
        }
      }
      return undefined;
    };
    const tx = connectorId > 0
      ? best('TxProfile', [connectorId]) ?? best('TxDefaultProfile', [connectorId, 0])
      : best('TxDefaultProfile', [0]);
    const max = best('ChargePointMaxProfile', [0]);
    if (tx === undefined) return max;
    return max === undefined ? tx : Math.min(tx, max);
  }

  /** Composite schedule for GetCompositeSchedule, or undefined when no profile applies. */
  composite(connectorId: number, durationSec: number, unit: ChargingRateUnit = 'W', ctx: ProfileContext = {}):
    { scheduleStart: string; chargingSchedule: ChargingSchedule } | undefined {
    const start = Math.floor(this.now() / 1000) * 1000;
    const end = start + durationSec * 1000;
    const points = new Set<number>([start]);
    for (const p of this.profiles) {
      if (p.connectorId !== connectorId && p.connectorId !== 0) continue;
      for (const t of this.breakpoints(p, start, end, ctx)) points.add(t);
    }
    const periods: ChargingSchedulePeriod[] = [];
    let any = false;
    for (const t of [...points].sort((a, b) => a - b)) {
      const limit = this.limitAt(connectorId, t, unit, ctx);
      if (limit !== undefined) any = true;
      const value = schemaDecimal(limit ?? (unit === 'W' ? this.maxPowerW : this.maxPowerW / (DEFAULT_PHASES * NOMINAL_VOLTAGE)));
      if (periods.at(-1)?.limit === value) continue;
      periods.push({ startPeriod: Math.round((t - start) / 1000), limit: value });
    }
    if (!any) return undefined;
    const scheduleStart = new Date(start).toISOString();
    return {
      scheduleStart,
      chargingSchedule: { duration: durationSec, startSchedule: scheduleStart, chargingRateUnit: unit, chargingSchedulePeriod: periods },
    };
  }

  private scheduleStart(p: Installed, timeMs: number, ctx: ProfileContext): number | undefined {
    const { profile } = p;
    const anchor = Date.parse(profile.chargingSchedule.startSchedule ?? profile.validFrom ?? '') || p.installedAt;
    switch (profile.chargingProfileKind) {
      case 'Absolute':
        return anchor;
      case 'Relative':
        return ctx.transactionStart ?? Math.floor(this.now() / 1000) * 1000;
      case 'Recurring': {
        const period = RECURRENCE_SEC[profile.recurrencyKind ?? 'Daily'] * 1000;
        if (timeMs < anchor) return undefined;
        return anchor + Math.floor((timeMs - anchor) / period) * period;
      }
    }
  }

  private profileLimit(p: Installed, timeMs: number, unit: ChargingRateUnit, ctx: ProfileContext): number | undefined {
    const { profile } = p;
    if (profile.validFrom && timeMs < Date.parse(profile.validFrom)) return undefined;
    if (profile.validTo && timeMs >= Date.parse(profile.validTo)) return undefined;
    const start = this.scheduleStart(p, timeMs, ctx);
    if (start === undefined) return undefined;
    const offset = (timeMs - start) / 1000;
    const schedule = profile.chargingSchedule;
    if (offset < 0 || (schedule.duration !== undefined && offset >= schedule.duration)) return undefined;
    let period: ChargingSchedulePeriod | undefined;
    for (const candidate of schedule.chargingSchedulePeriod) {
      if (candidate.startPeriod <= offset && (!period || candidate.startPeriod >= period.startPeriod)) period = candidate;
    }
    if (!period) return undefined;
    const phases = period.numberPhases ?? DEFAULT_PHASES;
    if (schedule.chargingRateUnit === unit) return period.limit;
    return unit === 'W' ? period.limit * phases * NOMINAL_VOLTAGE : period.limit / (phases * NOMINAL_VOLTAGE);
  }

  private breakpoints(p: Installed, from: number, to: number, ctx: ProfileContext): number[] {
    const { profile } = p;
    const out: number[] = [];
    const add = (t: number) => { if (t > from && t < to) out.push(t); };
    if (profile.validFrom) add(Date.parse(profile.validFrom));
    if (profile.validTo) add(Date.parse(profile.validTo));
    const offsets = profile.chargingSchedule.chargingSchedulePeriod.map((s) => s.startPeriod);
    if (profile.chargingSchedule.duration !== undefined) offsets.push(profile.chargingSchedule.duration);
    if (profile.chargingProfileKind === 'Recurring') {
      const period = RECURRENCE_SEC[profile.recurrencyKind ?? 'Daily'] * 1000;
      let cycle = this.scheduleStart(p, from, ctx) ?? Date.parse(profile.chargingSchedule.startSchedule ?? '');
      for (; Number.isFinite(cycle) && cycle < to; cycle += period) for (const o of offsets) add(cycle + o * 1000);
    } else {
      const s = this.scheduleStart(p, from, ctx);
      if (s !== undefined) for (const o of offsets) add(s + o * 1000);
    }
    return out;
  }
}
