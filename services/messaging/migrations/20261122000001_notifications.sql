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
