//! The largest request body a service takes: docs/api.md, a body over 64 KiB is
//! a 413. The router refuses larger ones; the extractors and the
//! `Idempotency-Key` layer, which buffer a body, stop at the same size.

pub const BODY_LIMIT: usize = 64 * 1024;
