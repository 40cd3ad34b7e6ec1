-- Wake the outbox relay on commit: NOTIFY is delivered when the inserting
-- transaction commits, never before. One notification per statement is enough;
-- the relay reads everything waiting.
create function notify_outbox() returns trigger
language plpgsql as $$
begin
    perform pg_notify(tg_table_schema || '_outbox', '');
    return null;
end
$$;

create trigger outbox_notify after insert on outbox
    for each statement execute function notify_outbox();

-- The inbox: ids of the events this service has handled, written in the same
-- transaction as the handler's effect, so a redelivery has no second effect.
create table inbox (
    event_id    uuid primary key,
    event_type  text not null,
    received_at timestamptz not null default now()
);

-- Retention cleanup deletes the oldest rows in bounded batches.
create index inbox_received_at on inbox (received_at);
