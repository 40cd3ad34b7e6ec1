-- Messages between two people, and each person's list of conversations.

create table messages (
    id           uuid primary key,
    sender_id    uuid not null,
    recipient_id uuid not null,
    body         text not null check (char_length(body) between 1 and 4000),
    -- What it is about, if anything: a donation, a request or a campaign.
    context_type text check (context_type in ('donation', 'request', 'campaign')),
    context_id   uuid,
    created_at   timestamptz not null default now(),
    read_at      timestamptz,
    check (sender_id <> recipient_id),
    check ((context_type is null) = (context_id is null))
);

-- A thread between two people, newest first, whoever sent what: the pair in
-- a fixed order is the conversation's key.
create index messages_thread on messages (
    least(sender_id, recipient_id), greatest(sender_id, recipient_id), created_at desc, id desc
);

-- Each person's conversations, kept as messages are sent and read, so that
-- `GET /conversations` reads one row per conversation and never counts or
-- searches messages.
create table conversations (
    owner_id        uuid not null,
    counterpart_id  uuid not null,
    last_message_id uuid not null references messages (id),
    last_at         timestamptz not null,
    -- Messages to the owner they have not read yet.
    unread_count    integer not null default 0 check (unread_count >= 0),
    primary key (owner_id, counterpart_id)
);
create index conversations_recent on conversations (owner_id, last_at desc, last_message_id desc);
