-- The id of what the request with this key creates, chosen when the key is
-- claimed and kept when a later copy of the request takes a stale claim over:
-- a run whose effect committed before its answer was stored is then found by
-- that id instead of being made twice (hearth_core::idempotency).
alter table idempotency_keys add column resource_id uuid;
