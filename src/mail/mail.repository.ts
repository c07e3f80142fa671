import type { Db } from '../db/database.ts';

export async function enqueue(db: Db, mail: { recipient: string; subject: string; body: string }): Promise<number> {
  const row = await db.insertInto('mailOutbox').values(mail).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function markSent(db: Db, id: number, at: Date): Promise<void> {
  await db.updateTable('mailOutbox').set({ sentAt: at, error: null }).where('id', '=', id).execute();
}

export async function markFailed(db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('mailOutbox').set({ error }).where('id', '=', id).execute();
}

export function list(db: Db, filter: { recipient?: string | undefined; limit: number; offset: number }) {
  let query = db.selectFrom('mailOutbox').selectAll();
  if (filter.recipient) query = query.where('recipient', '=', filter.recipient);
  return query.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
}

export function findById(db: Db, id: number) {
  return db.selectFrom('mailOutbox').selectAll().where('id', '=', id).executeTakeFirst();
}
