-- campaign-service's own tables. The pool's search_path is `campaign`, so
-- they land there, and so does their history (`_hearth_migrations`).

create table campaigns (
    id              uuid primary key,
    recipient_id    uuid not null,
    -- Who created it: the recipient, or staff acting for them. The nil UUID
    -- for a service token without a user.
    creator_id      uuid not null,
    title           text not null check (char_length(title) between 1 and 200),
    description     text,
    category        text,
    goal_minor      bigint not null check (goal_minor > 0),
    -- What the campaign had raised before Hearth (copied from the legacy table);
    -- raised_minor = opening_minor + the sum of accepted donations.
    opening_minor   bigint not null default 0 check (opening_minor >= 0),
    raised_minor    bigint not null default 0 check (raised_minor >= 0),
    donor_count     integer not null default 0 check (donor_count >= 0),
    currency        text not null check (currency ~ '^[A-Z]{3}$'),
    status          text not null
        check (status in ('draft', 'active', 'paused', 'completed', 'cancelled', 'suspended')),
    -- The status to return to when staff lift a suspension.
    suspended_from  text
        check (suspended_from in ('draft', 'active', 'paused', 'completed', 'cancelled')),
    ends_at         timestamptz,
    goal_reached_at timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1,
    -- `q` searches title and description; English stemming so "blanket" finds "blankets".
    search          tsvector generated always as (
        to_tsvector('english'::regconfig, title || ' ' || coalesce(description, ''))
    ) stored,
    check ((status = 'suspended') = (suspended_from is not null))
);

-- Lists are newest first, keyset-paged on (created_at, id).
create index campaigns_newest on campaigns (created_at desc, id desc);
create index campaigns_by_recipient on campaigns (recipient_id, created_at desc, id desc);
create index campaigns_by_status on campaigns (status, created_at desc, id desc);
create index campaigns_by_category on campaigns (category, created_at desc, id desc);
create index campaigns_search on campaigns using gin (search);
