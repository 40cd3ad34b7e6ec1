-- The outbox as every service's migrations leave it, in schema `svc`: what
-- the bus's tests (tests/bus/support.rs) and benchmarks (benches/support)
-- run the relay against.
create schema svc;
set search_path = svc;
create table outbox (
    seq bigint generated always as identity primary key,
    event_id uuid not null unique,
    aggregate_id text not null,
    event_type text not null,
    envelope jsonb not null,
    created_at timestamptz not null default now(),
    published_at timestamptz,
    attempts integer not null default 0,
    last_error text
);
create index outbox_unpublished on outbox (seq) where published_at is null;
create index outbox_published on outbox (published_at) where published_at is not null;
