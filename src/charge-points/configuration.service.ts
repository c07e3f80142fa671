import type { Db } from '../db/database.ts';
import * as configurationRepository from './configuration.repository.ts';

/** What GetConfiguration returned: stored per charger; keys the charger says it does not know are dropped. */
export async function reported(
  db: Db,
  chargePointId: string,
  keys: ReadonlyArray<{ key: string; readonly: boolean; value?: string }>,
  unknownKeys: readonly string[],
): Promise<void> {
  await configurationRepository.upsertMany(
    db,
    chargePointId,
    keys.map((k) => ({ key: k.key, value: k.value ?? null, readonly: k.readonly })),
  );
  await configurationRepository.deleteKeys(db, chargePointId, unknownKeys);
}

/** ChangeConfiguration was Accepted (or needs a reboot to take effect): the stored value follows. */
export function changed(db: Db, chargePointId: string, key: string, value: string): Promise<void> {
  return configurationRepository.setValue(db, chargePointId, key, value);
}

export const list = configurationRepository.list;
