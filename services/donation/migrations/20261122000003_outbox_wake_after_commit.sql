-- The relay is no longer woken by a NOTIFY inside the writing transaction:
-- PostgreSQL holds one cluster-wide lock from a notifying transaction's commit
-- until its commit record is flushed, so every event-writing commit queued
-- behind the others' fsync. The writer now notifies after its commit, in a
-- statement of its own (hearth_bus::wake).
drop trigger outbox_notify on outbox;
drop function notify_outbox();
