import { sql, type Kysely } from 'kysely';

// Frozen in time: selling charging to drivers — tariffs, orders, payments and refunds, ratings, and
// the CPO's support details shown to drivers.
//
// Money is numeric (exact decimal), never float: prices per kWh and per minute keep 4 decimals, amounts
// 2 (the minor unit of the currencies we sell in; the pricing code rounds to each currency's exponent).

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table cpo_owner
      add column support_name text,
      add column support_phone text,
      add column support_email citext,
      add column support_url text,
      add column support_hours text,
      add column support_channels text[]`.execute(db);

  // A tariff applies to the narrowest scope it names: one connector, one EVSE, one location, or (all
  // three null) every charger of the CPO. Ancestors are filled in, so a scope query never joins upwards.
  await sql`
    create table tariff (
      id serial primary key,
      cpo_owner_id integer not null references cpo_owner(id) on delete cascade,
      location_id integer references location(id) on delete cascade,
      evse_id integer references evse(id) on delete cascade,
      connector_id integer references connector(id) on delete cascade,
      name text not null check (length(name) between 1 and 120),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      energy_price numeric(12, 4) not null default 0 check (energy_price >= 0),
      time_price numeric(12, 4) not null default 0 check (time_price >= 0),
      session_fee numeric(12, 2) not null default 0 check (session_fee >= 0),
      reservation_fee numeric(12, 2) not null default 0 check (reservation_fee >= 0),
      idle_fee numeric(12, 4) not null default 0 check (idle_fee >= 0),
      idle_grace_minutes integer not null default 0 check (idle_grace_minutes >= 0),
      tax_percent numeric(5, 2) not null default 0 check (tax_percent between 0 and 100),
      discount_percent numeric(5, 2) not null default 0 check (discount_percent between 0 and 100),
      discount_description text,
      surcharges jsonb not null default '[]',
      cancellation_fee_percent numeric(5, 2) not null default 0 check (cancellation_fee_percent between 0 and 100),
      payment_methods text[] not null default '{UPI,Card,Wallet}',
      time_zone text not null default 'UTC',
      active boolean not null default true,
      date_created timestamptz not null default now(),
      date_modified timestamptz not null default now(),
      check (connector_id is null or evse_id is not null),
      check (evse_id is null or location_id is not null)
    )`.execute(db);
  await sql`create index tariff_scope_idx on tariff (cpo_owner_id, location_id, evse_id, connector_id) where active`.execute(db);

  // One driver purchase: quote → paid → charging → completed, or cancelled. The tariff is copied at
  // quote time, so a CPO changing prices never re-prices an order already quoted.
  await sql`
    create table charging_order (
      id text primary key,
      api_client_id integer references api_client(id),
      channel text not null default 'rest' check (channel in ('rest', 'beckn')),
      external_ref text,
      status text not null check (status in ('quoted', 'active', 'completed', 'cancelled')),
      mode text not null check (mode in ('instant', 'reservation')),
      payment_status text not null default 'not_paid'
        check (payment_status in ('not_paid', 'pending', 'paid', 'failed', 'refunded')),
      charging_status text not null default 'idle'
        check (charging_status in ('idle', 'starting', 'active', 'stopping', 'completed')),
      cpo_owner_id integer not null references cpo_owner(id),
      location_id integer not null references location(id),
      evse_id integer not null references evse(id),
      connector_id integer not null references connector(id),
      charge_point_id text not null,
      ocpp_connector_id integer not null,
      connector_type text not null,
      tariff_id integer references tariff(id) on delete set null,
      tariff jsonb not null,
      vehicle_make text,
      vehicle_model text,
      vehicle_type text,
      energy_kwh numeric(12, 3) not null check (energy_kwh > 0),
      duration_minutes integer not null,
      battery_percent integer,
      currency char(3) not null,
      quoted_amount numeric(12, 2) not null,
      quote jsonb not null,
      valid_from timestamptz not null,
      valid_until timestamptz not null,
      id_tag citext unique,
      transaction_id integer unique references transaction(id),
      charging_started_at timestamptz,
      energy_delivered_kwh numeric(12, 3),
      final_amount numeric(12, 2),
      final_components jsonb,
      -- Owed back to the driver (unused prepayment, or a cancelled paid order less its fee); a refund
      -- row is made for it after the state change commits, by the request or else by the maintenance sweep.
      refund_due numeric(12, 2) check (refund_due >= 0),
      completed_at timestamptz,
      stop_reason text,
      cancel_reason text,
      cancel_code text,
      cancellation_fee numeric(12, 2),
      cancelled_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (valid_until > valid_from)
    )`.execute(db);
  await sql`create index charging_order_client_idx on charging_order (api_client_id, created_at desc)`.execute(db);
  // Search marks connectors taken by paid reservation orders inside the requested window.
  await sql`
    create index charging_order_connector_open_idx on charging_order (connector_id, valid_from, valid_until)
      where status = 'active'`.execute(db);
  // The maintenance sweep's no-shows: paid (or payable) orders whose window passed without a session.
  await sql`
    create index charging_order_overdue_idx on charging_order (valid_until)
      where status = 'active' and charging_status = 'idle'`.execute(db);

  await sql`
    create table payment (
      id serial primary key,
      order_id text not null references charging_order(id),
      provider text not null,
      intent_id text not null,
      status text not null check (status in ('pending', 'paid', 'failed', 'cancelled', 'refunded', 'partially_refunded')),
      amount numeric(12, 2) not null check (amount > 0),
      currency char(3) not null,
      method text,
      payment_url text,
      expires_at timestamptz,
      paid_at timestamptz,
      refunded_amount numeric(12, 2) not null default 0 check (refunded_amount >= 0 and refunded_amount <= amount),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (provider, intent_id)
    )`.execute(db);
  // At most one live intent per order: a retried payment call finds it instead of opening a second.
  await sql`
    create unique index payment_one_live_per_order on payment (order_id)
      where status in ('pending', 'paid', 'refunded', 'partially_refunded')`.execute(db);

  // Every webhook the gateway sent, once: a redelivered event is recognised by its id and ignored.
  await sql`
    create table payment_event (
      provider text not null,
      event_id text not null,
      payment_id integer references payment(id),
      type text not null,
      payload jsonb not null,
      received_at timestamptz not null default now(),
      primary key (provider, event_id)
    )`.execute(db);

  // Money given back against a payment; one per order and reason, so a retried cancel cannot refund twice.
  await sql`
    create table refund (
      id serial primary key,
      payment_id integer not null references payment(id),
      order_id text not null references charging_order(id),
      amount numeric(12, 2) not null check (amount > 0),
      reason text not null check (reason in ('cancellation', 'settlement', 'late_payment')),
      status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
      provider_refund_id text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (order_id, reason)
    )`.execute(db);

  await sql`
    create table order_rating (
      order_id text primary key references charging_order(id),
      connector_id integer not null references connector(id) on delete cascade,
      value smallint not null check (value between 1 and 5),
      comments text,
      tags text[] not null default '{}',
      submission_id text not null unique,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index order_rating_connector_idx on order_rating (connector_id)`.execute(db);
  // Driver search and estimates name an EVSE by its EVSE id ("PH*DCC*E0001") as often as by its charger.
  await sql`create index evse_evse_id_upper_idx on evse (upper(evse_id))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists evse_evse_id_upper_idx`.execute(db);
  for (const table of ['order_rating', 'refund', 'payment_event', 'payment', 'charging_order', 'tariff']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`
    alter table cpo_owner
      drop column support_name, drop column support_phone, drop column support_email,
      drop column support_url, drop column support_hours, drop column support_channels`.execute(db);
}
