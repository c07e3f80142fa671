import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedChargePoint, type SimulatedChargePointOptions } from '../../../simulators/charge-point.ts';
import { startCentralSystem, type CentralSystemStub, type StubOptions } from './central-system-stub.ts';

const open: Array<{ close(): Promise<unknown> }> = [];

afterEach(async () => {
  // simulators first, then servers
  for (const item of open.splice(0).reverse()) await item.close().catch(() => {});
});

async function setup(stubOptions: StubOptions = {}, simOptions: Partial<SimulatedChargePointOptions> = {}) {
  const stub = await startCentralSystem(stubOptions);
  open.push(stub);
  const cp = new SimulatedChargePoint({
    url: stub.url, identity: 'CP-TEST-1', meterValueIntervalSec: 0, followUpDelayMs: 10, rebootDelayMs: 50,
    ...simOptions,
  });
  open.push(cp);
  return { stub, cp };
}

async function booted(stubOptions: StubOptions = {}, simOptions: Partial<SimulatedChargePointOptions> = {}) {
  const { stub, cp } = await setup(stubOptions, simOptions);
  await cp.connect();
  await cp.boot();
  const server = await stub.client(cp.identity);
  return { stub, cp, server };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statuses = (stub: CentralSystemStub, connectorId: number) =>
  stub.received.filter((c) => c.action === 'StatusNotification' && c.params.connectorId === connectorId).map((c) => c.params.status);

describe('SimulatedChargePoint connection and boot', () => {
  it('connects with subprotocol ocpp1.6 and sends a complete BootNotification', async () => {
    const { stub, cp } = await setup({ password: 's3cret' }, { password: 's3cret', vendor: 'Acme', model: 'Wallbox 22' });
    expect(cp.connected).toBe(false);
    await cp.connect();
    expect(cp.connected).toBe(true);
    const conf = await cp.boot();
    expect(conf.status).toBe('Accepted');
    expect(cp.bootStatus).toBe('Accepted');
    const boot = await stub.waitForCall('BootNotification');
    expect(boot.params).toMatchObject({ chargePointVendor: 'Acme', chargePointModel: 'Wallbox 22' });
    for (const key of ['chargePointSerialNumber', 'firmwareVersion', 'iccid', 'imsi', 'meterType', 'meterSerialNumber']) {
      expect(typeof boot.params[key]).toBe('string');
    }
    await cp.close();
    expect(cp.connected).toBe(false);
  });

  it('rejects connect() with the HTTP status code when the upgrade is refused', async () => {
    const { cp } = await setup({ rejectWith: 401 });
    await expect(cp.connect()).rejects.toMatchObject({ code: 401 });
    expect(cp.connected).toBe(false);
  });

  it('rejects connect() with 401 on a wrong password', async () => {
    const { cp } = await setup({ password: 'right' }, { password: 'wrong' });
    await expect(cp.connect()).rejects.toMatchObject({ code: 401 });
  });

  it('sends heartbeats at the interval from BootNotification.conf and stops them on close', async () => {
    const { stub, cp } = await booted({ interval: 1 });
    expect(cp.configuration.get('HeartbeatInterval')).toBe('1');
    await stub.waitForCall('Heartbeat', () => true, 2500);
    const first = stub.received.find((c) => c.action === 'Heartbeat');
    const boot = stub.received.find((c) => c.action === 'BootNotification');
    expect(first!.at - boot!.at).toBeGreaterThanOrEqual(900);
    await cp.close();
    const count = stub.actions().filter((a) => a === 'Heartbeat').length;
    await sleep(1300);
    expect(stub.actions().filter((a) => a === 'Heartbeat').length).toBe(count);
  });

  it('autoReconnect: reconnects after the server drops the connection', async () => {
    const { stub, cp, server } = await booted({}, { autoReconnect: true });
    const dropped = cp.waitFor('disconnect');
    const reconnected = cp.waitFor('connected', () => true, 5000);
    await server.close({ code: 1001, force: true });
    await dropped;
    expect(cp.connected).toBe(false);
    await reconnected;
    expect(cp.connected).toBe(true);
    const again = await stub.client(cp.identity);
    expect(again).not.toBe(server);
    await cp.heartbeat();
  });

  it('heartbeatIntervalSec overrides the server interval', async () => {
    const { stub } = await booted({ interval: 300 }, { heartbeatIntervalSec: 0.1 });
    await sleep(450);
    expect(stub.actions().filter((a) => a === 'Heartbeat').length).toBeGreaterThanOrEqual(3);
  });

  it('retries a Pending boot after the interval when retryBoot is set, no heartbeats until Accepted', async () => {
    const { stub, cp } = await booted({ bootStatus: 'Pending', interval: 1 }, { retryBoot: true, heartbeatIntervalSec: 0.1 });
    expect(cp.bootStatus).toBe('Pending');
    await sleep(300);
    expect(stub.actions()).toEqual(['BootNotification']);
    stub.options.bootStatus = 'Accepted';
    await cp.waitFor('booted', (c: { status: string }) => c.status === 'Accepted', 2500);
    expect(stub.actions().filter((a) => a === 'BootNotification')).toHaveLength(2);
    expect(stub.actions().slice(0, 2)).toEqual(['BootNotification', 'BootNotification']);
    await stub.waitForCall('Heartbeat');
  });
});

describe('SimulatedChargePoint charging sessions', () => {
  it('startCharging / stopCharging send the full message sequence with consistent meter data', async () => {
    const { stub, cp } = await booted({}, { meterValueIntervalSec: 0.1 });
    const registerBefore = cp.connector(1).energyWh;
    const { transactionId } = await cp.startCharging(1, 'TAG-001');
    expect(transactionId).toBe(1000);
    expect(cp.connector(1)).toMatchObject({ status: 'Charging', transactionId, idTag: 'TAG-001' });
    await stub.waitForCall('MeterValues', (c) => c.params.transactionId === transactionId);
    await sleep(150);
    const conf = await cp.stopCharging(1);
    expect(conf.idTagInfo?.status).toBe('Accepted');
    await sleep(20);

    expect(stub.actions().filter((a) => a !== 'MeterValues')).toEqual([
      'BootNotification', 'Authorize', 'StatusNotification', 'StartTransaction', 'StatusNotification',
      'StatusNotification', 'StopTransaction', 'StatusNotification',
    ]);
    expect(statuses(stub, 1)).toEqual(['Preparing', 'Charging', 'Finishing', 'Available']);
    const start = stub.received.find((c) => c.action === 'StartTransaction')!.params;
    expect(start).toMatchObject({ connectorId: 1, idTag: 'TAG-001', meterStart: registerBefore });
    const meterValues = stub.received.filter((c) => c.action === 'MeterValues');
    expect(meterValues.length).toBeGreaterThanOrEqual(2);
    for (const mv of meterValues) {
      expect(mv.params).toMatchObject({ connectorId: 1, transactionId });
      const sampled = mv.params.meterValue[0].sampledValue;
      expect(sampled).toHaveLength(6);
      expect(sampled.every((s: { context: string }) => s.context === 'Sample.Periodic')).toBe(true);
    }
    const stop = stub.received.find((c) => c.action === 'StopTransaction')!.params;
    expect(stop).toMatchObject({ transactionId, reason: 'Local', idTag: 'TAG-001' });
    expect(stop.meterStop).toBeGreaterThan(start.meterStart);
    expect(stop.meterStop).toBe(cp.connector(1).energyWh);
    expect(stop.transactionData.map((d: any) => d.sampledValue[0].context)).toEqual(['Transaction.Begin', 'Transaction.End']);
    expect(Number(stop.transactionData[0].sampledValue[0].value)).toBe(start.meterStart);
    expect(Number(stop.transactionData[1].sampledValue[0].value)).toBe(stop.meterStop);
    expect(cp.connector(1)).toMatchObject({ status: 'Available' });
    expect(cp.connector(1).transactionId).toBeUndefined();
  });

  it('does not start when Authorize is not Accepted', async () => {
    const { stub, cp } = await booted({ authorizeStatus: 'Blocked' });
    await expect(cp.startCharging(1, 'BAD')).rejects.toThrow(/Blocked/);
    expect(stub.actions()).toEqual(['BootNotification', 'Authorize']);
    expect(cp.connector(1).status).toBe('Available');
  });
});

describe('SimulatedChargePoint answers server-initiated calls', () => {
  it('RemoteStartTransaction: Accepted, reply before the follow-up, then a full start', async () => {
    const { stub, cp, server } = await booted();
    const started = cp.waitFor<{ connectorId: number; transactionId: number }>('transactionStarted');
    expect(await server.call('RemoteStartTransaction', { idTag: 'REMOTE-1' })).toEqual({ status: 'Accepted' });
    const tx = await started;
    expect(tx.connectorId).toBe(1);
    const replyIndex = stub.frames.findIndex((f) => !f.outbound && f.message[0] === 3);
    const authorizeIndex = stub.frames.findIndex((f) => !f.outbound && f.message[2] === 'Authorize');
    expect(replyIndex).toBeGreaterThan(-1);
    expect(replyIndex).toBeLessThan(authorizeIndex);
    // connector 1 busy now: an explicit start there is rejected, without connectorId connector 2 is used
    expect(await server.call('RemoteStartTransaction', { idTag: 'REMOTE-2', connectorId: 1 })).toEqual({ status: 'Rejected' });
    expect(await server.call('RemoteStartTransaction', { idTag: 'REMOTE-2', connectorId: 7 })).toEqual({ status: 'Rejected' });
    expect(await server.call('RemoteStartTransaction', { idTag: 'REMOTE-2' })).toEqual({ status: 'Accepted' });
    const second = await cp.waitFor<{ connectorId: number }>('transactionStarted');
    expect(second.connectorId).toBe(2);
    expect(await server.call('RemoteStartTransaction', { idTag: 'REMOTE-3' })).toEqual({ status: 'Rejected' });
  });

  it('RemoteStopTransaction: Accepted for a known transaction (reason Remote), Rejected otherwise', async () => {
    const { stub, cp, server } = await booted();
    const { transactionId } = await cp.startCharging(2, 'TAG-2');
    expect(await server.call('RemoteStopTransaction', { transactionId: 999_999 })).toEqual({ status: 'Rejected' });
    const stopped = cp.waitFor<{ reason: string }>('transactionStopped');
    expect(await server.call('RemoteStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    expect((await stopped).reason).toBe('Remote');
    const stop = await stub.waitForCall('StopTransaction');
    expect(stop.params).toMatchObject({ transactionId, reason: 'Remote' });
    expect(stop.params.idTag).toBeUndefined();
    await stub.waitForCall('StatusNotification', (c) => c.params.connectorId === 2 && c.params.status === 'Available');
  });

  it('Reset: stops transactions, reconnects, boots again and reports every connector', async () => {
    const { stub, cp, server } = await booted();
    const { transactionId } = await cp.startCharging(1, 'TAG-R');
    const rebooted = cp.waitFor('rebooted');
    const closed = cp.waitFor('close');
    expect(await server.call('Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
    await closed;
    await rebooted;
    expect(cp.connected).toBe(true);
    const stop = stub.received.find((c) => c.action === 'StopTransaction')!;
    expect(stop.params).toMatchObject({ transactionId, reason: 'SoftReset' });
    const boots = stub.received.filter((c) => c.action === 'BootNotification');
    expect(boots).toHaveLength(2);
    const after = stub.received.filter((c) => c.at >= boots[1]!.at && c.action === 'StatusNotification');
    expect(after.map((c) => c.params.connectorId)).toEqual([0, 1, 2]);
    expect(after.every((c) => c.params.status === 'Available')).toBe(true);
    expect(stop.at).toBeLessThan(boots[1]!.at);
  });

  it('ChangeAvailability: Accepted/Scheduled with the matching StatusNotifications', async () => {
    const { stub, cp, server } = await booted();
    expect(await server.call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await stub.waitForCall('StatusNotification', (c) => c.params.connectorId === 2 && c.params.status === 'Unavailable');
    expect(cp.connector(2)).toMatchObject({ status: 'Unavailable', availability: 'Inoperative' });
    expect(await server.call('RemoteStartTransaction', { idTag: 'X', connectorId: 2 })).toEqual({ status: 'Rejected' });
    expect(await server.call('ChangeAvailability', { connectorId: 2, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await stub.waitForCall('StatusNotification', (c) => c.params.connectorId === 2 && c.params.status === 'Available');

    await cp.startCharging(1, 'TAG-A');
    expect(await server.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Scheduled' });
    expect(cp.connector(1)).toMatchObject({ status: 'Charging', scheduledAvailability: 'Inoperative' });
    await cp.stopCharging(1);
    expect(statuses(stub, 1).at(-1)).toBe('Unavailable');
    expect(cp.connector(1).availability).toBe('Inoperative');
    expect(await server.call('ChangeAvailability', { connectorId: 9, type: 'Operative' })).toEqual({ status: 'Rejected' });
  });

  it('TriggerMessage sends the requested message after Accepted', async () => {
    const { stub, server } = await booted();
    const count = (action: string) => stub.actions().filter((a) => a === action).length;
    const trigger = async (requestedMessage: string, action: string, connectorId?: number) => {
      const before = count(action);
      const payload = connectorId === undefined ? { requestedMessage } : { requestedMessage, connectorId };
      expect(await server.call('TriggerMessage', payload)).toEqual({ status: 'Accepted' });
      await stub.waitForCall(action, () => count(action) > before);
      return stub.received.filter((c) => c.action === action).at(-1)!;
    };
    expect((await trigger('StatusNotification', 'StatusNotification', 1)).params).toMatchObject({ connectorId: 1, status: 'Available' });
    const mv = await trigger('MeterValues', 'MeterValues', 2);
    expect(mv.params.connectorId).toBe(2);
    expect(mv.params.meterValue[0].sampledValue[0].context).toBe('Trigger');
    await trigger('Heartbeat', 'Heartbeat');
    await trigger('BootNotification', 'BootNotification');
    expect((await trigger('DiagnosticsStatusNotification', 'DiagnosticsStatusNotification')).params).toEqual({ status: 'Idle' });
    expect((await trigger('FirmwareStatusNotification', 'FirmwareStatusNotification')).params).toEqual({ status: 'Idle' });
    expect(await server.call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 5 })).toEqual({ status: 'Rejected' });
  });

  it('GetConfiguration / ChangeConfiguration', async () => {
    const { cp, server } = await booted();
    const all = (await server.call('GetConfiguration', {})) as { configurationKey: Array<{ key: string; readonly: boolean; value?: string }> };
    const keys = new Map(all.configurationKey.map((k) => [k.key, k]));
    for (const key of ['HeartbeatInterval', 'MeterValueSampleInterval', 'MeterValuesSampledData', 'AuthorizeRemoteTxRequests',
      'LocalAuthListEnabled', 'ConnectionTimeOut', 'NumberOfConnectors']) {
      expect(keys.has(key)).toBe(true);
    }
    expect(keys.get('NumberOfConnectors')).toEqual({ key: 'NumberOfConnectors', readonly: true, value: '2' });
    expect(await server.call('GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] })).toEqual({
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }],
      unknownKey: ['NoSuchKey'],
    });
    expect(await server.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: '120' })).toEqual({ status: 'Accepted' });
    expect(cp.configuration.get('HeartbeatInterval')).toBe('120');
    expect(await server.call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: 'often' })).toEqual({ status: 'Rejected' });
    expect(await server.call('ChangeConfiguration', { key: 'NumberOfConnectors', value: '4' })).toEqual({ status: 'Rejected' });
    expect(await server.call('ChangeConfiguration', { key: 'NoSuchKey', value: '1' })).toEqual({ status: 'NotSupported' });
  });

  it('ChangeConfiguration HeartbeatInterval reschedules heartbeats', async () => {
    const { stub, server } = await booted({ interval: 300 });
    expect(await server.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: '1' })).toEqual({ status: 'Accepted' });
    await stub.waitForCall('Heartbeat', () => true, 2500);
  });

  it('reservations, local list, data transfer, unlock, cache, unknown actions', async () => {
    const { stub, cp, server } = await booted();
    const expiryDate = new Date(Date.now() + 60_000).toISOString();
    expect(await server.call('ReserveNow', { connectorId: 1, expiryDate, idTag: 'RES', reservationId: 7 })).toEqual({ status: 'Accepted' });
    await stub.waitForCall('StatusNotification', (c) => c.params.connectorId === 1 && c.params.status === 'Reserved');
    expect(await server.call('ReserveNow', { connectorId: 1, expiryDate, idTag: 'OTHER', reservationId: 8 })).toEqual({ status: 'Occupied' });
    expect(await server.call('RemoteStartTransaction', { idTag: 'OTHER', connectorId: 1 })).toEqual({ status: 'Rejected' });
    expect(await server.call('CancelReservation', { reservationId: 7 })).toEqual({ status: 'Accepted' });
    expect(await server.call('CancelReservation', { reservationId: 7 })).toEqual({ status: 'Rejected' });
    await stub.waitForCall('StatusNotification', (c) => c.params.connectorId === 1 && c.params.status === 'Available');

    expect(await server.call('SendLocalList', { listVersion: 3, updateType: 'Full',
      localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Blocked' } }] })).toEqual({ status: 'Accepted' });
    expect(await server.call('SendLocalList', { listVersion: 3, updateType: 'Differential', localAuthorizationList: [{ idTag: 'A' }] })).toEqual({ status: 'VersionMismatch' });
    expect(await server.call('SendLocalList', { listVersion: 4, updateType: 'Differential', localAuthorizationList: [{ idTag: 'A' }] })).toEqual({ status: 'Accepted' });
    expect(await server.call('GetLocalListVersion', {})).toEqual({ listVersion: 4 });
    expect([...cp.localList.entries.keys()]).toEqual(['B']);

    expect(await server.call('DataTransfer', { vendorId: 'Nobody' })).toEqual({ status: 'UnknownVendorId' });
    expect(await server.call('DataTransfer', { vendorId: 'SimCharge', data: 'x' })).toEqual({ status: 'Accepted', data: 'x' });
    expect(await server.call('UnlockConnector', { connectorId: 1 })).toEqual({ status: 'Unlocked' });
    expect(await server.call('UnlockConnector', { connectorId: 0 })).toEqual({ status: 'NotSupported' });
    expect(await server.call('ClearCache', {})).toEqual({ status: 'Accepted' });
    await expect(server.call('CertificateSigned', { certificateChain: 'x' })).rejects.toMatchObject({ rpcErrorCode: 'NotImplemented' });
    const calls: string[] = [];
    cp.on('call', ({ action }: { action: string }) => calls.push(action));
    await server.call('ClearCache', {});
    expect(calls).toEqual(['ClearCache']);
  });

  it('smart charging: SetChargingProfile limits power, GetCompositeSchedule, ClearChargingProfile', async () => {
    const { cp, server } = await booted();
    expect(await server.call('GetCompositeSchedule', { connectorId: 1, duration: 3600 })).toEqual({ status: 'Rejected' });
    const profile = {
      chargingProfileId: 11, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
      chargingSchedule: { chargingRateUnit: 'A', startSchedule: new Date(Date.now() - 1000).toISOString(),
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    };
    expect(await server.call('SetChargingProfile', { connectorId: 0, csChargingProfiles: profile })).toEqual({ status: 'Accepted' });
    await cp.startCharging(1, 'TAG-SC');
    expect(cp.connector(1).powerW).toBe(16 * 3 * 230);
    const composite = (await server.call('GetCompositeSchedule', { connectorId: 1, duration: 600, chargingRateUnit: 'A' })) as any;
    expect(composite).toMatchObject({ status: 'Accepted', connectorId: 1, chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } });
    const txProfile = { ...profile, chargingProfileId: 12, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3680 }] } };
    expect(await server.call('SetChargingProfile', { connectorId: 2, csChargingProfiles: txProfile })).toEqual({ status: 'Rejected' });
    expect(await server.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: txProfile })).toEqual({ status: 'Accepted' });
    await sleep(30);
    expect(cp.connector(1).powerW).toBe(3680);
    expect(await server.call('ClearChargingProfile', { id: 12 })).toEqual({ status: 'Accepted' });
    expect(await server.call('ClearChargingProfile', { id: 12 })).toEqual({ status: 'Unknown' });
    await sleep(30);
    expect(cp.connector(1).powerW).toBe(16 * 3 * 230);
  });

  it('GetDiagnostics and UpdateFirmware report their progress; firmware update reboots', async () => {
    const { stub, cp, server } = await booted();
    const diag = (await server.call('GetDiagnostics', { location: 'ftp://example.com/diag' })) as { fileName: string };
    expect(diag.fileName).toMatch(/^diagnostics-CP-TEST-1-\d{8}T\d{6}\.zip$/);
    await stub.waitForCall('DiagnosticsStatusNotification', (c) => c.params.status === 'Uploaded');
    expect(stub.received.filter((c) => c.action === 'DiagnosticsStatusNotification').map((c) => c.params.status)).toEqual(['Uploading', 'Uploaded']);

    const rebooted = cp.waitFor('rebooted');
    expect(await server.call('UpdateFirmware', { location: 'https://example.com/fw.bin', retrieveDate: new Date().toISOString() })).toEqual({});
    await rebooted;
    expect(stub.received.filter((c) => c.action === 'FirmwareStatusNotification').map((c) => c.params.status))
      .toEqual(['Downloading', 'Downloaded', 'Installing', 'Installed']);
    expect(stub.actions().filter((a) => a === 'BootNotification')).toHaveLength(2);
  });

  it('sendRaw puts a frame on the wire as is, call() validates payloads before sending', async () => {
    const { stub, cp } = await booted();
    cp.sendRaw('[2,"raw-1","Heartbeat",{"unexpected":true}]');
    await sleep(50);
    expect(stub.frames.some((f) => !f.outbound && f.message[1] === 'raw-1')).toBe(true);
    expect(stub.frames.some((f) => f.outbound && f.message[0] === 4 && f.message[1] === 'raw-1')).toBe(true);
    await expect(cp.call('StatusNotification', { connectorId: 1, status: 'Bogus', errorCode: 'NoError' })).rejects.toThrow();
    expect(stub.received.some((c) => c.action === 'StatusNotification' && c.params.status === 'Bogus')).toBe(false);
    expect(cp.stats.callErrors).toBe(1);
  });
});
