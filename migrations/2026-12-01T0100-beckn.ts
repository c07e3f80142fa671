import { sql, type Kysely } from 'kysely';

// Frozen in time: the Beckn BPP — our signing keys, the local registry of subscribers' keys, every
// message received (dedupe), the callbacks we owe (an outbox that survives restarts), and which
// orders belong to which BAP.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Our own ed25519 keys (generated on first start unless configured); the newest active one signs.
  await sql`
    create table beckn_signing_key (
      key_id text primary key,
      subscriber_id text not null,
      public_key text not null,
      private_key text not null,
      active boolean not null default true,
      created_at timestamptz not null default now()
    )`.execute(db);

  // The default registry: subscribers' public keys kept locally (a remote registry can be configured).
  await sql`
    create table beckn_subscriber (
      subscriber_id text not null,
      key_id text not null,
      type text not null default 'BAP' check (type in ('BAP', 'BPP', 'BG')),
      subscriber_url text,
      domain text,
      public_key text not null,
      status text not null default 'SUBSCRIBED',
      valid_from timestamptz,
      valid_until timestamptz,
      created_at timestamptz not null default now(),
      primary key (subscriber_id, key_id)
    )`.execute(db);

  // Every request accepted, once per (bap_id, message_id): a replay is refused and gets no second callback.
  await sql`
    create table beckn_message (
      bap_id text not null,
      message_id text not null,
      action text not null,
      transaction_id text not null,
      bap_uri text not null,
      payload jsonb not null,
      received_at timestamptz not null default now(),
      primary key (bap_id, message_id)
    )`.execute(db);

  // The callbacks we owe; delivered with retries and backoff by any node, recorded per attempt.
  await sql`
    create table beckn_callback (
      id bigserial primary key,
      action text not null,
      bap_id text not null,
      bap_uri text not null,
      transaction_id text not null,
      message_id text not null,
      body jsonb,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'superseded')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text,
      last_status integer,
      created_at timestamptz not null default now(),
      delivered_at timestamptz
    )`.execute(db);
  await sql`create index beckn_callback_due_idx on beckn_callback (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`create index beckn_callback_transaction_idx on beckn_callback (transaction_id, created_at)`.execute(db);

  // Orders placed over Beckn: whom to tell, and what we told them last (unsolicited on_update/on_cancel
  // are the difference between the order's state and this).
  await sql`
    create table beckn_order (
      order_id text primary key references charging_order(id),
      bap_id text not null,
      bap_uri text not null,
      transaction_id text not null,
      confirm_message_id text,
      -- What init said of who pays and who charges, echoed in the callbacks that follow.
      billing jsonb,
      customer jsonb,
      notified_status text,
      notified_payment_status text,
      notified_charging_status text,
      open boolean not null default true,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index beckn_order_open_idx on beckn_order (order_id) where open`.execute(db);
  await sql`create index beckn_order_transaction_idx on beckn_order (bap_id, transaction_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['beckn_order', 'beckn_callback', 'beckn_message', 'beckn_subscriber', 'beckn_signing_key']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
