-- profile-service's own schema (`profile`, on Main DB).

-- A person's public face; `id` is their JWT `sub`.
create table profiles (
    id           uuid primary key,
    display_name text not null check (char_length(display_name) between 1 and 80),
    bio          text,
    avatar_url   text,
    location     text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    version      integer not null default 1
);

-- Who is suspended. profile-service decides it (staff, or a report resolved
-- with suspend_user) and writes it here in the same transaction as the
-- profile.suspended / profile.reinstated it sends; the other services keep
-- the same table from those events. A user without a profile can be suspended too.
create table account_suspensions (
    user_id    uuid primary key,
    suspended  boolean not null,
    reason     text,
    decided_at timestamptz not null,
    event_id   uuid not null
);

-- The read model that makes a rating possible: donations that went through
-- (a confirmed money donation, a completed item donation), learnt from
-- donation.confirmed / donation.completed. No call to donation-service.
create table exchanges (
    donation_id  uuid primary key,
    donor_id     uuid not null,
    recipient_id uuid not null,
    learned_at   timestamptz not null default now()
);

create table ratings (
    id          uuid primary key,
    donation_id uuid not null references exchanges (donation_id),
    rater_id    uuid not null,
    ratee_id    uuid not null,
    score       smallint not null check (score between 1 and 5),
    comment     text,
    -- Set when staff hide it after a report; a hidden rating counts nowhere.
    hidden_at   timestamptz,
    created_at  timestamptz not null default now(),
    -- Once per donation and rater: each party rates the other once.
    unique (donation_id, rater_id),
    check (rater_id <> ratee_id)
);
create index ratings_by_ratee on ratings (ratee_id, created_at desc, id desc) where hidden_at is null;

-- Each person's visible ratings, summed as they are given (rating_avg = sum / count).
create table rating_totals (
    user_id      uuid primary key,
    rating_count integer not null default 0 check (rating_count >= 0),
    rating_sum   bigint not null default 0 check (rating_sum >= 0)
);

create table reports (
    id              uuid primary key,
    reporter_id     uuid not null,
    target_type     text not null
        check (target_type in ('profile', 'campaign', 'request', 'donation', 'message', 'rating')),
    target_id       uuid not null,
    reason          text not null
        check (reason in ('spam', 'fraud', 'harassment', 'inappropriate', 'no_show', 'other')),
    details         text,
    status          text not null default 'open' check (status in ('open', 'actioned', 'dismissed')),
    action          text check (action in ('hide_target', 'suspend_user')),
    resolution_note text,
    resolved_by     uuid,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1
);
-- One open report per reporter and target; a second is a 409.
create unique index reports_one_open on reports (reporter_id, target_type, target_id) where status = 'open';
create index reports_by_status on reports (status, created_at desc, id desc);
create index reports_newest on reports (created_at desc, id desc);

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

create table inbox (
    event_id    uuid primary key,
    event_type  text not null,
    received_at timestamptz not null default now()
);
create index inbox_received_at on inbox (received_at);

create table idempotency_keys (
    user_id      uuid not null,
    key          text not null,
    request_hash bytea not null,
    status       smallint,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz not null default now(),
    primary key (user_id, key)
);
create index idempotency_keys_created_at on idempotency_keys (created_at);
