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
