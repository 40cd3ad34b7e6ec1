-- The inbox (hearth_bus::consumer): ids of the events this service has
-- handled, written in the same transaction as the handler's effect, so a
-- redelivery has no second effect.
create table inbox (
    event_id    uuid primary key,
    event_type  text not null,
    received_at timestamptz not null default now()
);

-- Retention cleanup deletes the oldest rows in bounded batches.
create index inbox_received_at on inbox (received_at);
