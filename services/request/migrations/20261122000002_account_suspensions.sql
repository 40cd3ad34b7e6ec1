-- Who is suspended, as this service has heard from profile-service
-- (profile.suspended / profile.reinstated; hearth_bus::moderation). Every
-- write by a suspended user is refused (hearth_core::moderation). The newest
-- decision wins, whatever order the events arrive in.
create table account_suspensions (
    user_id    uuid primary key,
    suspended  boolean not null,
    reason     text,
    -- The time and id of the event that decided it.
    decided_at timestamptz not null,
    event_id   uuid not null
);
