-- Whether the donor of an exchange asked to stay anonymous: a rating on it
-- then hides the donor from everyone but them and staff (docs/decisions.md).
-- Exchanges learnt before the events carried it count as anonymous: when in
-- doubt, no one is named.
alter table exchanges add column anonymous boolean not null default true;
alter table exchanges alter column anonymous drop default;

-- Exchanges undone after they went through (donation.refunded): no new
-- rating. Apart from `exchanges` because a refund may be handled before the
-- confirmation it undoes; a rating made before it stays (docs/decisions.md).
create table undone_exchanges (
    donation_id uuid primary key,
    -- The event that undid it.
    undone_by   text not null check (undone_by in ('donation.refunded')),
    undone_at   timestamptz not null default now()
);
