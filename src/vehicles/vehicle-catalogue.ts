import catalogue from './vehicle-catalogue.json' with { type: 'json' };

// Popular EVs of the markets we serve, for estimates (how fast, how much of the battery) and for telling
// a driver which connectors fit. A vehicle we do not know still gets a typical profile of its type, so an
// estimate never fails for want of catalogue data.

export type VehicleType = '2-wheeler' | '3-wheeler' | '4-wheeler';
export const VEHICLE_TYPES: readonly VehicleType[] = ['2-wheeler', '3-wheeler', '4-wheeler'];

export interface VehicleProfile {
  make: string;
  model: string;
  type: VehicleType;
  /** Usable battery capacity, kWh. */
  batteryKwh: string;
  /** On-board charger limit, kW. */
  maxAcKw: string;
  /** Fast-charge limit, kW; null when the vehicle cannot charge on DC. */
  maxDcKw: string | null;
  /** The vehicle's inlets: TYPE_1, TYPE_2, CCS1, CCS2, CHADEMO, GBT, LECCS, BHARAT_AC001, BHARAT_DC001. */
  connectorTypes: string[];
  /** false: not in the catalogue, a typical profile of its type. */
  known: boolean;
}

interface CatalogueEntry extends Omit<VehicleProfile, 'known'> {
  aliases?: string[];
}

const CATALOGUE = catalogue as CatalogueEntry[];

const AC_CONNECTORS: ReadonlySet<string> = new Set(['TYPE_1', 'TYPE_2', 'GBT', 'LECCS', 'BHARAT_AC001']);
const DC_CONNECTORS: ReadonlySet<string> = new Set(['CCS1', 'CCS2', 'CHADEMO', 'GBT', 'LECCS', 'BHARAT_DC001']);
// A combo inlet takes the AC plug it is built around.
const COMBO_AC: Readonly<Record<string, string>> = { CCS1: 'TYPE_1', CCS2: 'TYPE_2' };

// Spellings met in OCPI, Beckn catalogues and driver apps, compacted (upper case, letters and digits).
const CONNECTOR_ALIASES: Readonly<Record<string, string>> = {
  TYPE1: 'TYPE_1', T1: 'TYPE_1', J1772: 'TYPE_1', SAEJ1772: 'TYPE_1', IEC62196T1: 'TYPE_1',
  TYPE2: 'TYPE_2', T2: 'TYPE_2', MENNEKES: 'TYPE_2', IEC62196T2: 'TYPE_2',
  CCS1: 'CCS1', CCSCOMBO1: 'CCS1', COMBO1: 'CCS1', IEC62196T1COMBO: 'CCS1',
  CCS2: 'CCS2', CCSCOMBO2: 'CCS2', COMBO2: 'CCS2', IEC62196T2COMBO: 'CCS2',
  CHADEMO: 'CHADEMO', GBT: 'GBT', GBTAC: 'GBT', GBTDC: 'GBT', CHINAGBPART2: 'GBT', CHINAGBPART3: 'GBT',
  LECCS: 'LECCS', BHARATAC001: 'BHARAT_AC001', AC001: 'BHARAT_AC001', BHARATDC001: 'BHARAT_DC001', DC001: 'BHARAT_DC001',
};

const TYPICAL: Readonly<Record<VehicleType, Omit<VehicleProfile, 'make' | 'model' | 'known'>>> = {
  '2-wheeler': { type: '2-wheeler', batteryKwh: '3.0', maxAcKw: '1.0', maxDcKw: '3.3', connectorTypes: ['BHARAT_AC001', 'LECCS'] },
  '3-wheeler': { type: '3-wheeler', batteryKwh: '8.0', maxAcKw: '2.0', maxDcKw: '10', connectorTypes: ['BHARAT_AC001', 'LECCS', 'BHARAT_DC001'] },
  '4-wheeler': { type: '4-wheeler', batteryKwh: '50.0', maxAcKw: '7.4', maxDcKw: '50', connectorTypes: ['TYPE_2', 'CCS2'] },
};

// What public chargers offer each type of vehicle; an unknown vehicle is assumed to take any of these.
const USUAL_CONNECTORS: Readonly<Record<VehicleType, ReadonlySet<string>>> = {
  '2-wheeler': new Set(['BHARAT_AC001', 'LECCS', 'BHARAT_DC001']),
  '3-wheeler': new Set(['BHARAT_AC001', 'LECCS', 'BHARAT_DC001', 'TYPE_2']),
  '4-wheeler': new Set(['TYPE_1', 'TYPE_2', 'CCS1', 'CCS2', 'CHADEMO', 'GBT', 'BHARAT_AC001', 'BHARAT_DC001']),
};

const MAKE_ALIASES: Readonly<Record<string, string>> = { vw: 'volkswagen', mgmotor: 'mg', tatamotors: 'tata' };

/**
 * The catalogue profile of a make and model (case, spaces and punctuation ignored, a trailing "EV" or
 * "Electric" optional; the make may also be written inside the model), else a typical profile of `type`.
 */
export function lookupVehicle(input: { make?: string; model?: string; type?: string }): VehicleProfile {
  const make = input.make?.trim() ?? '';
  const model = input.model?.trim() ?? '';
  const entry = model ? findEntry(make, model) : undefined;
  if (entry) {
    const { aliases: _aliases, ...profile } = entry;
    return { ...profile, connectorTypes: [...profile.connectorTypes], known: true };
  }
  const typical = TYPICAL[vehicleType(input.type)];
  return { make, model, ...typical, connectorTypes: [...typical.connectorTypes], known: false };
}

/** Whether the vehicle can charge from a connector of this type and current. */
export function canUseConnector(vehicle: VehicleProfile, connectorType: string, powerType: 'AC' | 'DC'): boolean {
  const plug = normalizeConnectorType(connectorType);
  if (powerType === 'DC') {
    if (vehicle.maxDcKw === null || !DC_CONNECTORS.has(plug)) return false;
    return vehicle.known ? vehicle.connectorTypes.includes(plug) : USUAL_CONNECTORS[vehicle.type].has(plug);
  }
  if (!AC_CONNECTORS.has(plug)) return false;
  if (!vehicle.known) return USUAL_CONNECTORS[vehicle.type].has(plug);
  return vehicle.connectorTypes.some((inlet) => inlet === plug || COMBO_AC[inlet] === plug);
}

/** The canonical code of a connector type ("Type2", "IEC_62196_T2" → "TYPE_2"); unknown ones upper-cased. */
export function normalizeConnectorType(connectorType: string): string {
  const compact = connectorType.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return CONNECTOR_ALIASES[compact] ?? connectorType.trim().toUpperCase();
}

/** A vehicle type from the spellings drivers and BAPs use ("4-wheeler", "4W", "car"); default 4-wheeler. */
export function vehicleType(type: string | undefined): VehicleType {
  const key = (type ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  if (['2wheeler', '2w', 'twowheeler', 'scooter', 'motorcycle', 'bike'].includes(key)) return '2-wheeler';
  if (['3wheeler', '3w', 'threewheeler', 'rickshaw', 'autorickshaw'].includes(key)) return '3-wheeler';
  return '4-wheeler';
}

function findEntry(make: string, model: string): CatalogueEntry | undefined {
  const makeKey = MAKE_ALIASES[compact(make)] ?? compact(make);
  const modelKey = modelCompact(model);
  return CATALOGUE.find((entry) => {
    const entryMake = compact(entry.make);
    const entryModels = [entry.model, ...(entry.aliases ?? [])].map(modelCompact);
    if (makeKey && makeKey !== entryMake) return false;
    // The make may also be written inside the model ("Tata Nexon EV"), with or without a make field.
    return entryModels.some((m) => m === modelKey || entryMake + m === modelKey);
  });
}

function compact(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function modelCompact(model: string): string {
  const key = compact(model);
  const stripped = key.replace(/(electric|ev)$/, '');
  return stripped === '' ? key : stripped;
}
