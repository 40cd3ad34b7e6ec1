-- The history of every migration a schema ran, by history: a platform
-- table's (`outbox`) or the service's own (named after its schema). Created
-- by the runner (migrations.rs) before anything else, and by
-- scripts/sqlx-prepare, so that the runner's statements are checked.
create table if not exists _hearth_migrations (
    -- Whose: a platform table's (`outbox`), or the service's own
    -- (named after its schema, `campaign`).
    history      text not null,
    version      bigint not null,
    description  text not null,
    checksum     bytea not null,
    installed_on timestamptz not null default now(),
    -- Null when the migration ran here; otherwise the history it was
    -- taken over from (old_layout.rs), its tables already there.
    adopted_from text,
    primary key (history, version)
);
