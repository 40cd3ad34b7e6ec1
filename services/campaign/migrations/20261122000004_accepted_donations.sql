-- The money saga's memory on campaign-service's side (EVENTS.md, "Money to a campaign").

-- Donations this service accepted; raised_minor and donor_count are their sums.
create table accepted_donations (
    donation_id  uuid primary key,
    campaign_id  uuid not null references campaigns (id),
    donor_id     uuid not null,
    amount_minor bigint not null check (amount_minor > 0),
    accepted_at  timestamptz not null default now(),
    -- Set when a refund, cancellation or expiry took it back out.
    reversed_at  timestamptz
);
create index accepted_donations_by_donor on accepted_donations (campaign_id, donor_id) where reversed_at is null;

-- Donations cancelled or expired before their donation.created arrived: refused when it does.
create table voided_donations (
    donation_id uuid primary key,
    voided_at   timestamptz not null default now()
);
