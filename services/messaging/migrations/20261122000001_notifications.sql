-- messaging-service's own schema (`messaging`, on Main DB).

-- What happened that a user should know about, made from events.
create table notifications (
    id              uuid primary key,
    user_id         uuid not null,
    -- The event type that caused it: campaign.created, donation.confirmed, …
    type            text not null,
    title           text not null,
    body            text not null,
    link_type       text not null,
    link_id         uuid not null,
    -- One notification per event and person, however often the event is delivered.
    source_event_id uuid not null,
    created_at      timestamptz not null default now(),
    read_at         timestamptz,
    unique (source_event_id, user_id)
);

-- A user's notifications, newest first, and the unread ones among them.
create index notifications_by_user on notifications (user_id, created_at desc, id desc);
create index notifications_unread on notifications (user_id, created_at desc, id desc) where read_at is null;

-- The transactional outbox (same shape in every service; the relay reads it).
create table outbox (
    seq          bigint generated always as identity primary key,
    event_id     uuid not null unique,
    aggregate_id text not null,
    event_type   text not null,
    envelope     jsonb not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz,
    attempts     integer not null default 0,
    last_error   text
);
create index outbox_unpublished on outbox (seq) where published_at is null;
create index outbox_published on outbox (published_at) where published_at is not null;

create function notify_outbox() returns trigger
language plpgsql as $$
begin
    perform pg_notify(tg_table_schema || '_outbox', '');
    return null;
end
$$;
create trigger outbox_notify after insert on outbox
    for each statement execute function notify_outbox();

-- The inbox: handled event ids, written in the handler's transaction.
create table inbox (
    event_id    uuid primary key,
    event_type  text not null,
    received_at timestamptz not null default now()
);
create index inbox_received_at on inbox (received_at);
