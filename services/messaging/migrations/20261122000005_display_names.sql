-- Display names, learnt from profile.created / profile.updated, so that a
-- notification can say who gave (when they agreed to be named).
create table display_names (
    user_id      uuid primary key,
    display_name text not null,
    -- The time of the event that set it: an older event never overwrites a newer name.
    named_at     timestamptz not null
);
