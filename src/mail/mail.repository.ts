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

export function listFor(db: Db, recipient: string) {
  return db.selectFrom('mailOutbox').selectAll().where('recipient', '=', recipient).orderBy('id', 'desc').execute();
}

export function findById(db: Db, id: number) {
  return db.selectFrom('mailOutbox').selectAll().where('id', '=', id).executeTakeFirst();
}
