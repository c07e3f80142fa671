import * as apiClientService from '../api-clients/api-client.service.ts';
import * as cpoService from '../cpo/cpo.service.ts';
import * as chargePointService from '../charge-points/charge-point.service.ts';
import type { Database } from '../db/database.ts';
import * as idTagService from '../id-tags/id-tag.service.ts';
import * as locationRepository from '../locations/location.repository.ts';
import * as tariffService from '../tariffs/tariff.service.ts';
import * as userService from '../users/user.service.ts';

/** What `npm start` puts in a fresh embedded database so there is something to talk to at once. */
export const DEMO = {
  /** An operator account to log in with (POST /api/v1/auth/login); main.ts prints it. */
  apiClient: { name: 'Demo map app', clientId: 'demo-app', secret: 'demo-app-secret-0123456789' },
  /** A CPO_OWNER user of the demo CPO (no forced password change, unlike a registered CPO's first user). */
  cpoUser: { username: 'demo-cpo', password: 'demo-cpo-password' },
  /** The demo CPO's webhook token (token C). */
  tokenC: 'demo-token-c-0123456789abcdef',
  admin: { username: 'admin', password: 'admin-demo-password', role: 'ADMIN' as const },
  cpo: {
    name: 'Demo Charging Co',
    countryCode: 'PH',
    partyId: 'DCC',
    contactName: 'Dana Demo',
    contactNumber: '09170000000',
    contactEmail: 'ops@demo-charging.example',
    ocppReady: true,
  },
  location: {
    name: 'Demo Plaza',
    address: '6750 Ayala Avenue',
    city: 'Makati',
    region: 'Metro Manila',
    province: 'Metro Manila',
    postalCode: '1226',
    countryCode: 'PH',
    addressLat: '14.554729',
    addressLng: '121.024445',
  },
  chargers: [
    {
      uid: 'DEMO-CP-001',
      password: 'demo-charger-password-1',
      meterType: 'AC',
      kwh: 22,
      connectors: [
        { standard: 'TYPE_2', connectorType: 'TYPE_2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 230, maxAmperage: 32, maxElectricPower: 22000 },
        { standard: 'TYPE_2', connectorType: 'TYPE_2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 230, maxAmperage: 32, maxElectricPower: 22000 },
      ],
    },
    {
      uid: 'DEMO-CP-002',
      // No password: shows a charger registered for a closed test network (security profile 0).
      password: null,
      meterType: 'DC',
      kwh: 50,
      connectors: [
        { standard: 'CCS2', connectorType: 'CCS2', format: 'CABLE', powerType: 'DC', maxVoltage: 920, maxAmperage: 125, maxElectricPower: 50000 },
        { standard: 'CHADEMO', connectorType: 'CHADEMO', format: 'CABLE', powerType: 'DC', maxVoltage: 500, maxAmperage: 125, maxElectricPower: 50000 },
      ],
    },
  ],
  /** Who drivers at the demo CPO's chargers can reach (PUT /ocpi/cpo/api/v1/support). */
  support: {
    name: 'Demo Charging Co helpdesk',
    phone: '+63 2 8888 0000',
    email: 'help@demo-charging.example',
    url: 'https://demo-charging.example/help',
    hours: 'Mon–Sun 06:00–22:00',
    channels: ['phone', 'email', 'web'] as cpoService.SupportChannel[],
  },
  /** Prices in PHP, exact decimals; scope: the whole location, or one charger by its uid (docs/tariffs.md). */
  tariffs: [
    {
      name: 'Demo Plaza AC',
      currency: 'PHP',
      scope: { location: true },
      energyPrice: '18.50',
      sessionFee: '20.00',
      taxPercent: '12',
      cancellationFeePercent: '30',
      surcharges: [{ from: '18:00', to: '22:00', percent: '20', description: 'Evening peak' }],
      paymentMethods: ['UPI', 'Card', 'Wallet'],
      timeZone: 'Asia/Manila',
    },
    {
      name: 'Demo Plaza DC fast',
      currency: 'PHP',
      scope: { evseUid: 'DEMO-CP-002' },
      energyPrice: '24.00',
      idleFee: '1.00',
      idleGraceMinutes: 15,
      taxPercent: '12',
      discountPercent: '10',
      discountDescription: 'Launch offer',
      cancellationFeePercent: '30',
      paymentMethods: ['UPI', 'Card', 'Wallet'],
      timeZone: 'Asia/Manila',
    },
  ],
  idTags: [
    { idTag: 'DEMO-TAG-0001', status: 'Accepted' as const, expiryDate: null },
    { idTag: 'DEMO-TAG-0002', status: 'Accepted' as const, expiryDate: new Date('2030-12-31T23:59:59Z') },
    { idTag: 'DEMO-BLOCKED', status: 'Blocked' as const, expiryDate: null },
    { idTag: 'DEMO-EXPIRED', status: 'Accepted' as const, expiryDate: new Date('2024-01-01T00:00:00Z') },
  ],
};

/** Idempotent: does nothing when the demo CPO already exists. Returns whether it seeded. */
export async function seedDemoData(db: Database): Promise<boolean> {
  const { cpo } = DEMO;
  if (await locationRepository.findCpoOwnerByParty(db, cpo.countryCode, cpo.partyId)) return false;
  await db.transaction().execute(async (tx) => {
    const owner = await locationRepository.insertCpoOwner(tx, { ...cpo, tokenCHash: cpoService.tokenCHash(DEMO.tokenC) });
    const location = await locationRepository.insertLocation(tx, { ...DEMO.location, cpoOwnerId: owner.id, publish: true });
    for (const charger of DEMO.chargers) {
      const evse = await locationRepository.insertEvse(tx, {
        uid: charger.uid,
        evseId: `${cpo.countryCode}*${cpo.partyId}*E${charger.uid.replace(/\D/g, '')}`,
        locationId: location.id,
        serialNumber: charger.uid,
        meterType: charger.meterType,
        kwh: charger.kwh,
      });
      await locationRepository.insertConnectors(
        tx,
        charger.connectors.map((c, i) => ({ ...c, evseId: evse.id, connectorId: i + 1 })),
      );
      await chargePointService.register(tx, { id: charger.uid, password: charger.password });
    }
    await cpoService.setSupport(tx, owner.id, DEMO.support);
    for (const { scope, ...tariff } of DEMO.tariffs) {
      const where = 'evseUid' in scope ? { evseUid: scope.evseUid } : { locationId: location.id };
      await tariffService.create(tx, owner.id, { ...tariff, scope: where });
    }
    for (const tag of DEMO.idTags) await idTagService.upsert(tx, tag);
    await apiClientService.issue(tx, DEMO.apiClient);
    await userService.createUser(tx, DEMO.admin);
    await userService.createUser(tx, { ...DEMO.cpoUser, role: 'CPO_OWNER', cpoOwnerId: owner.id });
  });
  return true;
}
