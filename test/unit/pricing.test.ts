import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { Decimal, dec } from '../../src/money/decimal-money.ts';
import {
  MAX_ENERGY_KWH, cancellationTerms, energyForAmount, minutesAtPower, priceSession, settle, surchargeAt,
  type Bill, type Usage,
} from '../../src/tariffs/pricing.ts';
import type { Tariff } from '../../src/tariffs/tariff.ts';

function tariff(overrides: Partial<Tariff> = {}): Tariff {
  return {
    id: 1, cpoOwnerId: 1, name: 'Test', currency: 'INR', energyPrice: '18.0000', timePrice: '0.0000',
    sessionFee: '0.00', reservationFee: '0.00', idleFee: '0.0000', idleGraceMinutes: 0, taxPercent: '0',
    discountPercent: '0', discountDescription: null, surcharges: [], cancellationFeePercent: '30',
    paymentMethods: ['UPI'], timeZone: 'Asia/Kolkata', ...overrides,
  };
}

// Monday 2 March 2026, 18:30 in India.
const MONDAY_EVENING_IST = new Date('2026-03-02T13:00:00Z');
const MONDAY_NOON_IST = new Date('2026-03-02T06:30:00Z');

function usage(overrides: Partial<Usage> = {}): Usage {
  return { energyKwh: '30.000', minutes: '45', idleMinutes: '0', startAt: MONDAY_NOON_IST, reservation: false, ...overrides };
}

const FULL = tariff({
  timePrice: '0.5000', sessionFee: '10.00', reservationFee: '20.00', idleFee: '2.0000', idleGraceMinutes: 15,
  taxPercent: '18', discountPercent: '15', surcharges: [{ from: '18:00', to: '22:00', percent: '20', description: 'Peak hours' }],
});

function amounts(bill: Bill): Record<string, string> {
  return Object.fromEntries(bill.components.map((c) => [c.kind, c.amount]));
}

function expectAddsUp(bill: Bill): void {
  expect(Decimal.sum(bill.components.map((c) => c.amount)).eq(bill.total)).toBe(true);
}

function validationError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return err as AppError;
  }
  throw new Error('expected a VALIDATION_FAILED error');
}

describe('priceSession', () => {
  it('prices every line in order, discount before tax', () => {
    const bill = priceSession(FULL, usage({ idleMinutes: '25', startAt: MONDAY_EVENING_IST, reservation: true }));
    expect(bill.components.map((c) => [c.kind, c.amount])).toEqual([
      ['energy', '540.00'], // 30 kWh × 18
      ['time', '22.50'], // 45 min × 0.5
      ['surcharge', '112.50'], // 20 % of 562.50
      ['discount', '-101.25'], // 15 % of 675.00
      ['session_fee', '10.00'],
      ['reservation_fee', '20.00'],
      ['idle_fee', '20.00'], // (25 − 15) min × 2
      ['tax', '112.28'], // 18 % of 623.75 = 112.275
    ]);
    expect(bill.total).toBe('736.03');
    expect(bill.currency).toBe('INR');
    expect(bill.components.every((c) => c.currency === 'INR')).toBe(true);
    expectAddsUp(bill);
  });

  it('writes readable descriptions with the rates', () => {
    const bill = priceSession(FULL, usage({ idleMinutes: '25', startAt: MONDAY_EVENING_IST, reservation: true }));
    const text = Object.fromEntries(bill.components.map((c) => [c.kind, c.description]));
    expect(text.energy).toBe('Energy 30.000 kWh × 18.0000 INR/kWh');
    expect(text.time).toBe('Time 45 min × 0.5000 INR/min');
    expect(text.surcharge).toContain('Peak hours');
    expect(text.surcharge).toContain('20%');
    expect(text.discount).toBe('Offer discount (15%)');
    expect(text.idle_fee).toContain('10 min × 2.0000 INR/min');
    expect(text.tax).toBe('Tax (18%)');
  });

  it('uses the tariff discount description when set', () => {
    const bill = priceSession(tariff({ discountPercent: '10', discountDescription: 'Diwali offer' }), usage());
    expect(bill.components.find((c) => c.kind === 'discount')).toMatchObject({ amount: '-54.00', description: 'Diwali offer' });
  });

  it('discounts only energy, time and surcharge, and taxes after the discount', () => {
    const t = tariff({ sessionFee: '100.00', discountPercent: '50', taxPercent: '10' });
    const bill = priceSession(t, usage({ energyKwh: '10' }));
    expect(amounts(bill)).toEqual({ energy: '180.00', discount: '-90.00', session_fee: '100.00', tax: '19.00' });
    expect(bill.total).toBe('209.00');
  });

  it('keeps the energy line at zero and leaves out other zero lines', () => {
    const bill = priceSession(FULL, usage({ energyKwh: '0', minutes: '0', idleMinutes: '15' }));
    expect(bill.components.map((c) => c.kind)).toEqual(['energy', 'session_fee', 'tax']);
    expect(amounts(bill)).toEqual({ energy: '0.00', session_fee: '10.00', tax: '1.80' });
    const free = priceSession(tariff({ energyPrice: '0' }), usage());
    expect(free.components).toEqual([{ kind: 'energy', amount: '0.00', currency: 'INR', description: 'Energy 30.000 kWh × 0.0000 INR/kWh' }]);
    expect(free.total).toBe('0.00');
  });

  it('leaves out the reservation fee without a reservation, and idle time within grace', () => {
    const bill = priceSession(FULL, usage({ idleMinutes: '15' }));
    expect(bill.components.map((c) => c.kind)).not.toContain('reservation_fee');
    expect(bill.components.map((c) => c.kind)).not.toContain('idle_fee');
    expect(amounts(priceSession(FULL, usage({ idleMinutes: '15.5' }))).idle_fee).toBe('1.00');
  });

  it('rounds each line HALF_UP by itself and totals the rounded lines', () => {
    const t = tariff({ energyPrice: '0.125', timePrice: '0.125' });
    const bill = priceSession(t, usage({ energyKwh: '1', minutes: '1' }));
    expect(amounts(bill)).toEqual({ energy: '0.13', time: '0.13' });
    expect(bill.total).toBe('0.26'); // not round(0.25)
    const discounted = priceSession(tariff({ energyPrice: '0.1', discountPercent: '5' }), usage({ energyKwh: '1', minutes: '0' }));
    expect(amounts(discounted)).toEqual({ energy: '0.10', discount: '-0.01' }); // −0.005 → −0.01
  });

  it('always adds up, over a grid of awkward values', () => {
    for (const energyKwh of ['0.001', '1.234', '7.777', '33.333', '99.999']) {
      for (const minutes of ['0', '1.5', '17', '59.99']) {
        for (const discountPercent of ['0', '7.5', '33.33']) {
          const t = tariff({ ...FULL, energyPrice: '17.3456', timePrice: '0.3333', discountPercent, taxPercent: '12.36' });
          expectAddsUp(priceSession(t, usage({ energyKwh, minutes, idleMinutes: '31', startAt: MONDAY_EVENING_IST, reservation: true })));
        }
      }
    }
  });

  it('uses 0 minor digits for JPY and 3 for KWD', () => {
    const jpy = priceSession(tariff({ currency: 'JPY', energyPrice: '35.5', taxPercent: '10' }), usage({ energyKwh: '10.001' }));
    expect(amounts(jpy)).toEqual({ energy: '355', tax: '36' }); // 355.0355 → 355, 35.5 → 36
    expect(jpy.total).toBe('391');
    const kwd = priceSession(tariff({ currency: 'KWD', energyPrice: '0.0125', sessionFee: '0.5' }), usage({ energyKwh: '33.333' }));
    expect(amounts(kwd)).toEqual({ energy: '0.417', session_fee: '0.500' });
    expect(kwd.total).toBe('0.917');
  });

  it('rejects negative or malformed quantities and prices', () => {
    expect(validationError(() => priceSession(FULL, usage({ energyKwh: '-1' }))).details).toMatchObject({ field: 'energyKwh' });
    validationError(() => priceSession(FULL, usage({ minutes: '-0.5' })));
    validationError(() => priceSession(FULL, usage({ idleMinutes: '-3' })));
    validationError(() => priceSession(FULL, usage({ energyKwh: '1,5' })));
    validationError(() => priceSession(FULL, usage({ minutes: 'abc' })));
    validationError(() => priceSession(FULL, usage({ startAt: new Date('nonsense') })));
    validationError(() => priceSession(tariff({ energyPrice: '-1' }), usage()));
    validationError(() => priceSession(tariff({ discountPercent: '101' }), usage()));
  });
});

describe('surchargeAt', () => {
  const night = { from: '22:00', to: '06:00', percent: '10', description: 'Night' };
  const at = (iso: string) => new Date(iso);

  it('matches a window within the day, end excluded', () => {
    const t = tariff({ surcharges: [{ from: '18:00', to: '22:00', percent: '20' }] });
    expect(surchargeAt(t, at('2026-03-02T12:29:59Z'))).toBeUndefined(); // 17:59:59 IST
    expect(surchargeAt(t, at('2026-03-02T12:30:00Z'))).toBeDefined(); // 18:00
    expect(surchargeAt(t, at('2026-03-02T16:29:00Z'))).toBeDefined(); // 21:59
    expect(surchargeAt(t, at('2026-03-02T16:30:00Z'))).toBeUndefined(); // 22:00
  });

  it('matches a window that wraps midnight', () => {
    const t = tariff({ surcharges: [night] });
    expect(surchargeAt(t, at('2026-03-02T16:29:00Z'))).toBeUndefined(); // 21:59 IST
    expect(surchargeAt(t, at('2026-03-02T16:30:00Z'))).toBe(night); // 22:00
    expect(surchargeAt(t, at('2026-03-02T18:30:00Z'))).toBe(night); // 00:00
    expect(surchargeAt(t, at('2026-03-03T00:29:00Z'))).toBe(night); // 05:59
    expect(surchargeAt(t, at('2026-03-03T00:30:00Z'))).toBeUndefined(); // 06:00
  });

  it('reads the clock in the tariff time zone, with daylight saving', () => {
    const peak = [{ from: '18:00', to: '20:00', percent: '20' }];
    const instant = at('2026-01-15T17:30:00Z');
    expect(surchargeAt(tariff({ surcharges: peak, timeZone: 'Europe/Berlin' }), instant)).toBeDefined(); // 18:30 CET
    expect(surchargeAt(tariff({ surcharges: peak, timeZone: 'Asia/Manila' }), instant)).toBeUndefined(); // 01:30
    expect(surchargeAt(tariff({ surcharges: peak, timeZone: 'UTC' }), instant)).toBeUndefined(); // 17:30
    expect(surchargeAt(tariff({ surcharges: peak, timeZone: 'Europe/Berlin' }), at('2026-07-15T17:30:00Z'))).toBeDefined(); // 19:30 CEST
    expect(surchargeAt(tariff({ surcharges: peak, timeZone: 'Europe/Berlin' }), at('2026-01-15T19:30:00Z'))).toBeUndefined(); // 20:30 CET
    expect(surchargeAt(tariff({ surcharges: peak, timeZone: 'Europe/Berlin' }), at('2026-07-15T18:30:00Z'))).toBeUndefined(); // 20:30 CEST
  });

  it('limits a window to its days (ISO 1 = Monday … 7 = Sunday), in local time', () => {
    const weekend = { from: '00:00', to: '00:00', percent: '5', days: [6, 7] };
    const t = tariff({ surcharges: [weekend] });
    expect(surchargeAt(t, at('2026-03-06T18:29:00Z'))).toBeUndefined(); // Friday 23:59 IST
    expect(surchargeAt(t, at('2026-03-06T18:30:00Z'))).toBe(weekend); // Saturday 00:00 IST, Friday in UTC
    expect(surchargeAt(t, at('2026-03-08T18:29:00Z'))).toBe(weekend); // Sunday 23:59
    expect(surchargeAt(t, at('2026-03-08T18:30:00Z'))).toBeUndefined(); // Monday 00:00
  });

  it('gives the hours after midnight to the day the window opened', () => {
    const fridayNight = { ...night, days: [5] };
    const t = tariff({ surcharges: [fridayNight] });
    expect(surchargeAt(t, at('2026-03-06T20:30:00Z'))).toBe(fridayNight); // Saturday 02:00 IST
    expect(surchargeAt(t, at('2026-03-05T20:30:00Z'))).toBeUndefined(); // Friday 02:00 (Thursday's night)
    expect(surchargeAt(t, at('2026-03-06T17:00:00Z'))).toBe(fridayNight); // Friday 22:30
    const sundayNight = tariff({ surcharges: [{ ...night, days: [7] }] });
    expect(surchargeAt(sundayNight, at('2026-03-08T20:30:00Z'))).toBeDefined(); // Monday 02:00 IST
  });

  it('takes the first matching window and prices it', () => {
    const first = { from: '18:00', to: '23:00', percent: '20' };
    const t = tariff({ surcharges: [first, { from: '17:00', to: '23:30', percent: '50' }] });
    expect(surchargeAt(t, MONDAY_EVENING_IST)).toBe(first);
    const bill = priceSession(t, usage({ minutes: '0', startAt: MONDAY_EVENING_IST }));
    expect(amounts(bill)).toEqual({ energy: '540.00', surcharge: '108.00' });
    expect(bill.components[1]?.description).toContain('20%');
  });

  it('rejects a bad time zone or clock time', () => {
    validationError(() => surchargeAt(tariff({ surcharges: [night], timeZone: 'Mars/Olympus' }), MONDAY_NOON_IST));
    validationError(() => surchargeAt(tariff({ surcharges: [{ from: '7:00', to: '09:00', percent: '5' }] }), MONDAY_NOON_IST));
    validationError(() => surchargeAt(tariff({ surcharges: [{ from: '07:00', to: '25:00', percent: '5' }] }), MONDAY_NOON_IST));
  });
});

describe('energyForAmount', () => {
  const totalFor = (t: Tariff, energyKwh: string, powerKw: string, startAt: Date, reservation: boolean): Decimal =>
    dec(priceSession(t, { energyKwh, minutes: minutesAtPower(energyKwh, powerKw), idleMinutes: '0', startAt, reservation }).total);

  const tariffs: Array<[string, Tariff]> = [
    ['energy only', tariff()],
    ['every line', FULL],
    ['JPY', tariff({ currency: 'JPY', energyPrice: '48', timePrice: '3', sessionFee: '100', taxPercent: '10' })],
    ['KWD', tariff({ currency: 'KWD', energyPrice: '0.0125', timePrice: '0.001', taxPercent: '5', discountPercent: '12.5' })],
    ['PHP night', tariff({ currency: 'PHP', energyPrice: '21.7731', timePrice: '0.25', timeZone: 'Asia/Manila', surcharges: [{ from: '20:00', to: '04:00', percent: '7.5' }] })],
    ['very cheap', tariff({ energyPrice: '0.0137' })],
  ];

  for (const [name, t] of tariffs) {
    it(`is exact on the ${name} tariff`, () => {
      for (const amount of ['1', '7.77', '100', '499.99', '1000', '12345.67']) {
        for (const powerKw of ['3.3', '7.4', '50', '150']) {
          for (const [startAt, reservation] of [[MONDAY_NOON_IST, false], [MONDAY_EVENING_IST, true]] as const) {
            const energy = energyForAmount(t, amount, { powerKw, startAt, reservation });
            if (energy === null) {
              expect(totalFor(t, '0.001', powerKw, startAt, reservation).gt(amount)).toBe(true);
              continue;
            }
            expect(energy).toMatch(/^\d+\.\d{3}$/);
            if (energy === MAX_ENERGY_KWH) continue;
            expect(totalFor(t, energy, powerKw, startAt, reservation).lte(amount)).toBe(true);
            expect(totalFor(t, dec(energy).add('0.001').toFixed(3), powerKw, startAt, reservation).gt(amount)).toBe(true);
          }
        }
      }
    });
  }

  it('answers the plain cases exactly', () => {
    const opts = { powerKw: '7.4', startAt: MONDAY_NOON_IST, reservation: false };
    expect(energyForAmount(tariff(), '540', opts)).toBe('30.000');
    expect(energyForAmount(tariff(), '540.01', opts)).toBe('30.000'); // 30.001 kWh costs 540.02
    expect(energyForAmount(tariff(), '100', opts)).toBe('5.555');
    // 50 / 0.0137 = 3649.635 kWh, but rounding lets up to 50.004999… through: 3649.999 × 0.0137 = 50.0049863.
    expect(energyForAmount(tariff({ energyPrice: '0.0137' }), '50', opts)).toBe('3649.999');
  });

  it('is null when fees alone exceed the amount, the amount is 0, or the power is not positive', () => {
    const opts = { powerKw: '7.4', startAt: MONDAY_NOON_IST, reservation: false };
    expect(energyForAmount(tariff({ sessionFee: '50' }), '49.99', opts)).toBeNull();
    expect(energyForAmount(tariff({ sessionFee: '50' }), '50', opts)).toBeNull(); // 0.001 kWh costs 50.02
    expect(energyForAmount(tariff({ sessionFee: '50' }), '50.02', opts)).toBe('0.001');
    expect(energyForAmount(tariff({ reservationFee: '20' }), '10', { ...opts, reservation: true })).toBeNull();
    expect(energyForAmount(tariff({ reservationFee: '20' }), '10', opts)).toBe('0.555');
    expect(energyForAmount(tariff(), '0', opts)).toBeNull();
    expect(energyForAmount(tariff(), '100', { ...opts, powerKw: '0' })).toBeNull();
    expect(energyForAmount(tariff(), '100', { ...opts, powerKw: '-7' })).toBeNull();
  });

  it('caps the energy when the tariff charges nothing per kWh or minute', () => {
    const opts = { powerKw: '7.4', startAt: MONDAY_NOON_IST, reservation: false };
    expect(energyForAmount(tariff({ energyPrice: '0', sessionFee: '10' }), '10', opts)).toBe(MAX_ENERGY_KWH);
    expect(energyForAmount(tariff({ discountPercent: '100' }), '1', opts)).toBe(MAX_ENERGY_KWH);
    expect(energyForAmount(tariff({ energyPrice: '0', sessionFee: '10' }), '9.99', opts)).toBeNull();
  });

  it('rejects a negative or malformed amount', () => {
    const opts = { powerKw: '7.4', startAt: MONDAY_NOON_IST, reservation: false };
    validationError(() => energyForAmount(tariff(), '-1', opts));
    validationError(() => energyForAmount(tariff(), 'lots', opts));
    validationError(() => energyForAmount(tariff(), '100', { ...opts, powerKw: 'fast' }));
  });

  it('computes session minutes at a steady power', () => {
    expect(minutesAtPower('30', '7.4')).toBe('243.24');
    expect(minutesAtPower('0', '50')).toBe('0.00');
    validationError(() => minutesAtPower('1', '0'));
  });
});

describe('settle', () => {
  const u = usage({ idleMinutes: '25', startAt: MONDAY_EVENING_IST, reservation: true }); // total 736.03

  it('refunds what was prepaid beyond the bill', () => {
    const s = settle(FULL, u, '1000');
    expect(s).toMatchObject({ prepaid: '1000.00', refund: '263.97', extra: '0.00' });
    expect(s.components.at(-1)).toEqual({ kind: 'refund', amount: '-263.97', currency: 'INR', description: 'Refund of unused prepaid amount' });
    expect(s.components.slice(0, -1)).toEqual(s.bill.components);
    expect(s.bill.total).toBe('736.03');
  });

  it('charges what the bill exceeds the prepaid amount by', () => {
    const s = settle(FULL, u, '500.00');
    expect(s).toMatchObject({ prepaid: '500.00', refund: '0.00', extra: '236.03' });
    expect(s.components.at(-1)).toMatchObject({ kind: 'extra_charge', amount: '236.03', description: 'Charged beyond the prepaid amount' });
  });

  it('adds no line when the bill equals the prepaid amount', () => {
    const s = settle(FULL, u, '736.03');
    expect(s).toMatchObject({ refund: '0.00', extra: '0.00' });
    expect(s.components).toEqual(s.bill.components);
  });

  it('refunds everything for an empty session, in the currency digits', () => {
    const s = settle(tariff({ currency: 'JPY', energyPrice: '40' }), usage({ energyKwh: '0', minutes: '0' }), '2000');
    expect(s).toMatchObject({ prepaid: '2000', refund: '2000', extra: '0' });
  });

  it('rejects a negative prepaid amount', () => {
    validationError(() => settle(FULL, u, '-1'));
  });
});

describe('cancellationTerms', () => {
  it('keeps 30 %', () => {
    expect(cancellationTerms(tariff(), '500')).toEqual({
      percent: '30', fee: '150.00', refund: '350.00',
      components: [
        { kind: 'paid', amount: '500.00', currency: 'INR', description: 'Amount paid' },
        { kind: 'cancellation_fee', amount: '150.00', currency: 'INR', description: 'Cancellation charges (30%)' },
        { kind: 'refund', amount: '-350.00', currency: 'INR', description: 'Cancellation refund' },
      ],
    });
  });

  it('refunds everything at 0 %', () => {
    const terms = cancellationTerms(tariff({ cancellationFeePercent: '0.00' }), '500');
    expect(terms).toMatchObject({ percent: '0', fee: '0.00', refund: '500.00' });
    expect(terms.components.map((c) => [c.kind, c.amount])).toEqual([['paid', '500.00'], ['cancellation_fee', '0.00'], ['refund', '-500.00']]);
  });

  it('keeps everything at 100 %, without a refund line', () => {
    const terms = cancellationTerms(tariff({ cancellationFeePercent: '100' }), '500');
    expect(terms).toMatchObject({ fee: '500.00', refund: '0.00' });
    expect(terms.components.map((c) => c.kind)).toEqual(['paid', 'cancellation_fee']);
  });

  it('returns just a zero fee line when nothing was paid', () => {
    expect(cancellationTerms(tariff(), '0')).toEqual({
      percent: '30', fee: '0.00', refund: '0.00',
      components: [{ kind: 'cancellation_fee', amount: '0.00', currency: 'INR', description: 'Cancellation charges (30%)' }],
    });
  });

  it('rounds the fee HALF_UP so fee and refund add up to what was paid', () => {
    expect(cancellationTerms(tariff(), '333.33')).toMatchObject({ fee: '100.00', refund: '233.33' });
    expect(cancellationTerms(tariff({ currency: 'JPY' }), '1001')).toMatchObject({ fee: '300', refund: '701' });
    expect(cancellationTerms(tariff({ cancellationFeePercent: '12.5' }), '0.20')).toMatchObject({ percent: '12.5', fee: '0.03', refund: '0.17' });
  });

  it('rejects a negative paid amount or a share above 100 %', () => {
    validationError(() => cancellationTerms(tariff(), '-5'));
    validationError(() => cancellationTerms(tariff({ cancellationFeePercent: '120' }), '5'));
  });
});
