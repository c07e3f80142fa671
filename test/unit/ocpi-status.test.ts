import { describe, expect, it } from 'vitest';
import { connectorStatus, evseStatus, ocpiStatus } from '../../src/graphql/ocpi-status.ts';

describe('OCPP → OCPI status', () => {
  it('maps every OCPP 1.6 ChargePointStatus', () => {
    expect(Object.fromEntries(['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'].map((s) => [s, ocpiStatus(s)]))).toEqual({
      Available: 'AVAILABLE', Preparing: 'CHARGING', Charging: 'CHARGING', SuspendedEV: 'CHARGING', SuspendedEVSE: 'CHARGING',
      Finishing: 'CHARGING', Reserved: 'RESERVED', Unavailable: 'INOPERATIVE', Faulted: 'OUTOFORDER',
    });
    expect(ocpiStatus('Bogus')).toBe('UNKNOWN');
    expect(ocpiStatus('toString')).toBe('UNKNOWN');
    expect(ocpiStatus(null)).toBe('UNKNOWN');
  });

  it('a connector of an offline charger, or without a report, is UNKNOWN', () => {
    expect(connectorStatus('Charging', true)).toBe('CHARGING');
    expect(connectorStatus('Charging', false)).toBe('UNKNOWN');
    expect(connectorStatus('Charging', null)).toBe('UNKNOWN');
    expect(connectorStatus(null, true)).toBe('UNKNOWN');
  });

  it('an EVSE: offline → UNKNOWN; connector 0 Faulted/Unavailable wins; else CHARGING > AVAILABLE > RESERVED > INOPERATIVE > OUTOFORDER', () => {
    const evse = (chargerOcppStatus: string | null, connectorOcppStatuses: Array<string | null>, online = true) => evseStatus({ online, chargerOcppStatus, connectorOcppStatuses });
    expect(evse('Available', ['Charging', 'Available'], false)).toBe('UNKNOWN');
    expect(evse('Faulted', ['Available', 'Charging'])).toBe('OUTOFORDER');
    expect(evse('Unavailable', ['Available'])).toBe('INOPERATIVE');
    expect(evse('Available', ['Available', 'Charging'])).toBe('CHARGING');
    expect(evse(null, ['Available', 'Faulted'])).toBe('AVAILABLE');
    expect(evse(null, ['Reserved', 'Faulted'])).toBe('RESERVED');
    expect(evse(null, ['Unavailable', 'Faulted'])).toBe('INOPERATIVE');
    expect(evse(null, ['Faulted', null])).toBe('OUTOFORDER');
    expect(evse('Available', [null, null])).toBe('AVAILABLE');
    expect(evse(null, [null])).toBe('UNKNOWN');
    expect(evse(null, [])).toBe('UNKNOWN');
  });
});
