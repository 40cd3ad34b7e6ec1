-- donation-service's own schema (`donation`, on Main DB).

create table donations (
    id               uuid primary key,
    donor_id         uuid not null,
    kind             text not null check (kind in ('money', 'item')),
    campaign_id      uuid,
    request_id       uuid,
    -- Learnt from the campaign's or request's answer; null until accepted.
    recipient_id     uuid,
    amount_minor     bigint check (amount_minor > 0),
    currency         text check (currency ~ '^[A-Z]{3}$'),
    quantity         integer check (quantity between 1 and 10000),
    item_description text,
    message          text,
    anonymous        boolean not null default false,
    status           text not null check (status in
                         ('pending', 'confirmed', 'rejected', 'expired', 'cancelled', 'refunded', 'completed')),
    status_reason    text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    version          integer not null default 1,
    check (kind <> 'money' or (campaign_id is not null and amount_minor is not null and currency is not null
                               and request_id is null and quantity is null)),
    check (kind <> 'item' or (request_id is not null and quantity is not null and item_description is not null
                              and campaign_id is null and amount_minor is null))
);

create index donations_by_campaign on donations (campaign_id, created_at desc, id desc) where campaign_id is not null;
create index donations_by_request on donations (request_id, created_at desc, id desc) where request_id is not null;
create index donations_by_donor on donations (donor_id, created_at desc, id desc);
create index donations_by_recipient on donations (recipient_id, created_at desc, id desc) where recipient_id is not null;
-- The expiry sweeper's work list.
create index donations_pending on donations (created_at) where status = 'pending';
