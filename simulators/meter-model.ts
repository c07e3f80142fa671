// Realistic energy meter and EV battery for one connector.
// Power follows a CC/CV curve (full power up to the taper SoC, then exponential taper),
// the energy register integrates power over elapsed clock time, SoC rises with energy.
// Deterministic given `seed` and `now`.

import type { ReadingContext, SampledValue } from './ocpp-types.ts';

export type CurrentType = 'AC' | 'DC';

export interface MeterModelOptions {
  /** Maximum power the charger and car accept, W. Default 22000. */
  maxPowerW?: number;
  /** EV battery size, kWh. Default 60. */
  batteryKWh?: number;
  /** AC (3-phase 230 V) or DC (~400 V pack). Default AC up to 43 kW, DC above. */
  currentType?: CurrentType;
  /** Starting value of the energy register, Wh. Default: seeded value below 1 MWh. */
  initialEnergyWh?: number;
  /** SoC (%) at which the CV phase starts. Default 80. */
  taperStartSoC?: number;
  /** Ambient temperature, °C. Default 20. */
  ambientC?: number;
  /** Seed for the pseudo-random noise and defaults. Default random. */
  seed?: number;
  /** Clock in milliseconds. Default Date.now. */
  now?: () => number;
}

export interface SessionOptions {
  /** SoC at plug-in, %. Default seeded 10..50. */
  socPercent?: number;
  batteryKWh?: number;
}

const MAX_STEP_SEC = 5;
const CHARGE_EFFICIENCY = 0.92;
const TEMP_TIME_CONSTANT_SEC = 300;
const AC_PHASES = 3;
const AC_VOLTAGE = 230;

/** mulberry32: small, fast, deterministic PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class MeterModel {
  readonly maxPowerW: number;
  readonly currentType: CurrentType;
  readonly taperStartSoC: number;
  private readonly ambientC: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private batteryKWh: number;
  private energy: number;
  private socPct = 0;
  private tempC: number;
  private lastUpdate: number;
  private active = false;
  private limitW: number | undefined;

  constructor(options: MeterModelOptions = {}) {
    this.maxPowerW = options.maxPowerW ?? 22000;
    this.batteryKWh = options.batteryKWh ?? 60;
    this.currentType = options.currentType ?? (this.maxPowerW > 43000 ? 'DC' : 'AC');
    this.taperStartSoC = options.taperStartSoC ?? 80;
    this.ambientC = options.ambientC ?? 20;
    this.now = options.now ?? Date.now;
    this.random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.energy = options.initialEnergyWh ?? Math.floor(this.random() * 1_000_000);
    this.tempC = this.ambientC;
    this.lastUpdate = this.now();
  }

  /** Energy register in whole Wh (monotonic). */
  get energyWh(): number {
    this.update();
    return Math.floor(this.energy);
  }

  get soc(): number {
    this.update();
    return this.socPct;
  }

  get charging(): boolean {
    return this.active;
  }

  /** Instantaneous active power, W (0 when no session runs or the battery is full). */
  get powerW(): number {
    this.update();
    return this.currentPower();
  }

  get temperatureC(): number {
    this.update();
    return this.tempC;
  }

  /** Power the EV accepts at the given SoC, before any external limit (CC/CV curve). */
  powerForSoC(soc: number): number {
    if (soc >= 100) return 0;
    if (soc <= this.taperStartSoC) return this.maxPowerW;
    // exponential taper to ~5 % of max power at 100 % SoC
    const k = Math.log(20) / (100 - this.taperStartSoC);
    return this.maxPowerW * Math.exp(-k * (soc - this.taperStartSoC));
  }

  /** Caps power (e.g. from a charging profile). undefined removes the cap. */
  setPowerLimitW(limitW: number | undefined): void {
    this.update();
    this.limitW = limitW === undefined ? undefined : Math.max(0, limitW);
  }

  get powerLimitW(): number | undefined {
    return this.limitW;
  }

  /** An EV is plugged in and starts drawing power. */
  startSession(options: SessionOptions = {}): void {
    this.update();
    if (options.batteryKWh !== undefined) this.batteryKWh = options.batteryKWh;
    this.socPct = clamp(options.socPercent ?? 10 + this.random() * 40, 0, 100);
    this.active = true;
  }

  stopSession(): void {
    this.update();
    this.active = false;
  }

  /** Advances the model to the current clock. Called by every getter. */
  update(): void {
    const t = this.now();
    let remaining = (t - this.lastUpdate) / 1000;
    this.lastUpdate = Math.max(t, this.lastUpdate);
    while (remaining > 0) {
      const dt = Math.min(remaining, MAX_STEP_SEC);
      const p = this.currentPower();
      const wh = (p * dt) / 3600;
      this.energy += wh;
      if (this.active) {
        this.socPct = Math.min(100, this.socPct + (wh * CHARGE_EFFICIENCY * 100) / (this.batteryKWh * 1000));
      }
      const target = this.ambientC + 15 * (p / this.maxPowerW);
      this.tempC += (target - this.tempC) * (1 - Math.exp(-dt / TEMP_TIME_CONSTANT_SEC));
      remaining -= dt;
    }
  }

  /** Exactly six sampled values: energy, power, current, voltage, SoC, temperature. */
  sample(context: ReadingContext = 'Sample.Periodic'): SampledValue[] {
    this.update();
    const power = this.currentPower();
    const ripple = power > 0 ? 1 + (this.random() - 0.5) * 0.01 : 0;
    const reportedPower = power * ripple;
    const voltage = this.voltage();
    const current = this.currentType === 'AC' ? reportedPower / (AC_PHASES * voltage) : reportedPower / voltage;
    return [
      { value: String(Math.floor(this.energy)), context, format: 'Raw', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
      { value: reportedPower.toFixed(1), context, format: 'Raw', measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
      { value: current.toFixed(2), context, format: 'Raw', measurand: 'Current.Import', location: 'Outlet', unit: 'A' },
      { value: voltage.toFixed(1), context, format: 'Raw', measurand: 'Voltage', location: 'Outlet', unit: 'V' },
      { value: this.socPct.toFixed(1), context, format: 'Raw', measurand: 'SoC', location: 'EV', unit: 'Percent' },
      { value: this.tempC.toFixed(1), context, format: 'Raw', measurand: 'Temperature', location: 'Body', unit: 'Celsius' },
    ];
  }

  private currentPower(): number {
    if (!this.active) return 0;
    const p = this.powerForSoC(this.socPct);
    return this.limitW === undefined ? p : Math.min(p, this.limitW);
  }

  private voltage(): number {
    const noise = (this.random() - 0.5) * 3;
    if (this.currentType === 'AC') return AC_VOLTAGE + noise;
    // pack voltage rises with SoC, ~350 V empty to ~410 V full
    return 350 + 0.6 * this.socPct + noise / 3;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
