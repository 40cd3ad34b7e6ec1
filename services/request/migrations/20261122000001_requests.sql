-- request-service's own tables (schema `request`, on Main DB). The pool's
-- search_path is `request`, so they land there, and so does their history
-- (`_hearth_migrations`).

create table requests (
    id                 uuid primary key,
    requester_id       uuid not null,
    title              text not null check (char_length(title) between 1 and 200),
    description        text,
    category           text not null,
    quantity_needed    integer not null check (quantity_needed between 1 and 10000),
    -- Reserved by accepted item donations not yet received (the saga's sum).
    quantity_pledged   integer not null default 0 check (quantity_pledged >= 0),
    -- Received by the requester.
    quantity_fulfilled integer not null default 0 check (quantity_fulfilled >= 0),
    status             text not null
        check (status in ('open', 'fulfilled', 'cancelled', 'expired', 'suspended')),
    -- The status to return to when staff lift a suspension.
    suspended_from     text check (suspended_from in ('open', 'fulfilled', 'cancelled', 'expired')),
    needed_by          timestamptz,
    location           text,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    version            integer not null default 1,
    -- `q` searches title and description; English stemming so "blanket" finds "blankets".
    search             tsvector generated always as (
        to_tsvector('english'::regconfig, title || ' ' || coalesce(description, ''))
    ) stored,
    check ((status = 'suspended') = (suspended_from is not null)),
    -- The saga never promises more than is needed.
    check (quantity_pledged + quantity_fulfilled <= greatest(quantity_needed, quantity_fulfilled))
);

-- Lists are newest first, keyset-paged on (created_at, id).
create index requests_newest on requests (created_at desc, id desc);
create index requests_by_requester on requests (requester_id, created_at desc, id desc);
create index requests_by_status on requests (status, created_at desc, id desc);
create index requests_by_category on requests (category, created_at desc, id desc);
create index requests_search on requests using gin (search);
-- The expiry sweeper's work list: open requests with a deadline.
create index requests_open_needed_by on requests (needed_by) where status = 'open' and needed_by is not null;

-- The item saga's memory (EVENTS.md, "Items to a request"): each accepted
-- pledge and where it stands. quantity_pledged and quantity_fulfilled are the
-- sums over the `pledged` and `fulfilled` rows.
create table pledges (
    donation_id uuid primary key,
    request_id  uuid not null references requests (id),
    donor_id    uuid not null,
    quantity    integer not null check (quantity > 0),
    state       text not null check (state in ('pledged', 'fulfilled', 'freed')),
    accepted_at timestamptz not null default now(),
    settled_at  timestamptz
);
create index pledges_by_request on pledges (request_id);

-- Donations cancelled or expired before their donation.created arrived: refused when it does.
create table voided_donations (
    donation_id uuid primary key,
    voided_at   timestamptz not null default now()
);
