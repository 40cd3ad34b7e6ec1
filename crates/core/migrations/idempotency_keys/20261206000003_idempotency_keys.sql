-- Idempotency-Key (hearth_core::idempotency, docs/conventions.md): the first
-- answer to a user's key, replayed to the same request, refused to a
-- different one. Kept 24 hours.
create table idempotency_keys (
    user_id      uuid not null,
    key          text not null,
    -- SHA-256 of method, path, query and body.
    request_hash bytea not null,
    -- Null while the first request runs.
    status       smallint,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz not null default now(),
    -- The id of what the request with this key creates, chosen when the key
    -- is claimed and kept when a later copy of the request takes a stale
    -- claim over: a run whose effect committed before its answer was stored
    -- is then found by that id instead of being made twice.
    resource_id  uuid,
    primary key (user_id, key)
);

create index idempotency_keys_created_at on idempotency_keys (created_at);
