-- The own table of `svc`, the service the bus's tests and benchmarks run
-- the relay and the consumer for: what the test handlers do, one row per
-- effect. The platform's tables come from hearth-bus's and hearth-core's
-- migrations, as a real service's do.
create table effects (
    id       bigint generated always as identity,
    event_id uuid not null,
    at       timestamptz not null default clock_timestamp()
);
