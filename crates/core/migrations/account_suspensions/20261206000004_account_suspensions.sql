-- Who is suspended (hearth_core::moderation refuses their writes).
-- profile-service decides it and writes it in the transaction of the
-- profile.suspended / profile.reinstated it sends; every other service keeps
-- its copy from those events (hearth_bus::moderation). The newest decision
-- wins, whatever order the events arrive in. A user without a profile can be
-- suspended too.
create table account_suspensions (
    user_id    uuid primary key,
    suspended  boolean not null,
    reason     text,
    -- The time and id of the event that decided it.
    decided_at timestamptz not null,
    event_id   uuid not null
);
