import type { Db } from '../db/database.ts';
import * as applicableTariffRepository from './applicable-tariff.repository.ts';
import { tariffFromRow, type Tariff } from './tariff.ts';

/**
 * The tariffs that apply to each connector (db ids): the active ones of the narrowest scope that has
 * any — connector, else EVSE, else location, else CPO-wide. A connector nothing applies to is absent.
 * One query for the whole batch; a tariff shared by several connectors is the same object in each list.
 */
export async function forConnectors(db: Db, connectorIds: readonly number[]): Promise<Map<number, Tariff[]>> {
  const unique = [...new Set(connectorIds)];
  const rows = await applicableTariffRepository.findForConnectors(db, unique);
  const byId = new Map<number, Tariff>();
  const out = new Map<number, Tariff[]>();
  for (const { forConnectorId, ...row } of rows) {
    let tariff = byId.get(row.id);
    if (!tariff) byId.set(row.id, (tariff = tariffFromRow(row)));
    const list = out.get(forConnectorId);
    if (list) list.push(tariff);
    else out.set(forConnectorId, [tariff]);
  }
  return out;
}
