import * as chargePointRepository from '../charge-points/charge-point.repository.ts';
import type { AuthorizationData } from '../commands/charger-commands.ts';
import type { Database, Db } from '../db/database.ts';
import * as localListRepository from './local-list.repository.ts';

/**
 * The charger accepted SendLocalList: our copy of its list becomes what it now holds. Full replaces
 * the list; Differential adds/updates entries with idTagInfo and removes those without (OCPP 1.6 §5.15).
 */
export async function applied(
  db: Database,
  chargePointId: string,
  list: { listVersion: number; updateType: 'Full' | 'Differential'; localAuthorizationList?: AuthorizationData[] },
): Promise<void> {
  const entries = list.localAuthorizationList ?? [];
  const present = entries.flatMap((e) =>
    e.idTagInfo
      ? [{
          idTag: e.idTag,
          status: e.idTagInfo.status,
          expiryDate: e.idTagInfo.expiryDate ? new Date(e.idTagInfo.expiryDate) : null,
          parentIdTag: e.idTagInfo.parentIdTag ?? null,
        }]
      : [],
  );
  await db.transaction().execute(async (tx) => {
    if (list.updateType === 'Full') {
      await localListRepository.replaceAll(tx, chargePointId, present);
    } else {
      await localListRepository.remove(tx, chargePointId, entries.filter((e) => !e.idTagInfo).map((e) => e.idTag));
      await localListRepository.upsert(tx, chargePointId, present);
    }
    await chargePointRepository.update(tx, chargePointId, { localListVersion: list.listVersion });
  });
}

/** The version the charger reported (GetLocalListVersion); -1 means it has no list support, 0 an empty list. */
export async function versionReported(db: Db, chargePointId: string, version: number): Promise<void> {
  await chargePointRepository.update(db, chargePointId, { localListVersion: version });
}

export const list = localListRepository.list;
