import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { TariffRow } from '../db/schema.ts';

/** A tariff row that applies to `forConnectorId` (a connector's db id). */
export type ApplicableTariffRow = TariffRow & { forConnectorId: number };

/**
 * For each connector, the active tariffs of its CPO at the narrowest scope that has any: the connector,
 * else its EVSE, else its location, else CPO-wide. One query for the whole batch: every candidate scope
 * is joined, ranked by narrowness per connector, and only the top rank is kept. Ordered by connector
 * and tariff id.
 */
export async function findForConnectors(db: Db, connectorIds: readonly number[]): Promise<ApplicableTariffRow[]> {
  if (connectorIds.length === 0) return [];
  // Ancestors are filled in on every tariff row (see the migration), so the scope test never joins upwards.
  const narrowness = sql<number>`case
    when tariff.connector_id is not null then 3
    when tariff.evse_id is not null then 2
    when tariff.location_id is not null then 1
    else 0 end`;
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('connector')
        .innerJoin('evse', 'evse.id', 'connector.evseId')
        .innerJoin('location', 'location.id', 'evse.locationId')
        .innerJoin('tariff', (join) =>
          join
            .onRef('tariff.cpoOwnerId', '=', 'location.cpoOwnerId')
            .on('tariff.active', '=', true)
            .on((on) =>
              on.or([
                on('tariff.connectorId', '=', on.ref('connector.id')),
                on.and([on('tariff.connectorId', 'is', null), on('tariff.evseId', '=', on.ref('evse.id'))]),
                on.and([on('tariff.evseId', 'is', null), on('tariff.locationId', '=', on.ref('location.id'))]),
                on('tariff.locationId', 'is', null),
              ]),
            ),
        )
        .selectAll('tariff')
        .select([
          'connector.id as forConnectorId',
          sql<number>`rank() over (partition by connector.id order by ${narrowness} desc)`.as('scopeRank'),
        ])
        .where('connector.id', 'in', connectorIds)
        .as('ranked'),
    )
    .selectAll('ranked')
    .where('ranked.scopeRank', '=', 1)
    .orderBy('ranked.forConnectorId')
    .orderBy('ranked.id')
    .execute();
  return rows.map(({ scopeRank: _rank, ...row }) => ({ ...row, id: Number(row.id), forConnectorId: Number(row.forConnectorId) }));
}
