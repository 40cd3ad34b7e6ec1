-- The transactional outbox (hearth_bus::outbox). A change and its event
-- commit together; the relay (hearth_bus::relay) publishes committed rows and
-- only then sets published_at. Nothing wakes the relay from inside the
-- writing transaction: the writer notifies after its commit, in a statement
-- of its own (hearth_bus::wake), because a NOTIFY inside it would hold
-- PostgreSQL's cluster-wide notify lock until the commit record is flushed.
create table outbox (
    -- Commit order within an aggregate: changes to one aggregate hold its row
    -- lock, so their events are inserted, and numbered, in commit order.
    seq          bigint generated always as identity primary key,
    event_id     uuid not null unique,
    -- The envelope's subject; the relay keeps each aggregate's events in order.
    aggregate_id text not null,
    event_type   text not null,
    -- The whole CloudEvent, exactly as it will be published.
    envelope     jsonb not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz,
    -- Failed publish attempts, for backoff and for `hearth outbox status`.
    attempts     integer not null default 0,
    last_error   text
);

-- The relay's work list stays small however large the table grows.
create index outbox_unpublished on outbox (seq) where published_at is null;
-- Retention cleanup deletes published rows oldest first, in bounded batches.
create index outbox_published on outbox (published_at) where published_at is not null;
