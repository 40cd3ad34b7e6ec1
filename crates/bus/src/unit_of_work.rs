//! A unit of work: one transaction that may emit events, and whose commit
//! wakes the relay when it did.
//!
//! Whoever writes to the outbox does it through the unit of work
//! ([`UnitOfWork::emit`], [`UnitOfWork::enqueue`], [`UnitOfWork::outbox_row`]),
//! so the unit knows it did, and [`UnitOfWork::commit`] wakes the relay
//! after the commit — never before, or the relay would look before the row
//! is visible (crate::wake). A request handler, the consumer runner and the
//! sweepers all commit this way. Two writes stand outside a transaction of
//! their own and wake the relay themselves: donation-service's create, one
//! statement that writes the donation and its event (`outbox::Row` and the
//! `Waker`), and `hearth copy-campaigns`, whose commit is followed by a
//! `NOTIFY` (`wake::notify`).

use std::ops::{Deref, DerefMut};

use hearth_events::{Envelope, Event, EventContext};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::outbox::{self, Row};
use crate::wake::Waker;

/// A transaction of the service's own schema, with the waker of its outbox's
/// relay. It derefs to the connection, so every `db::` function takes it as
/// it takes a transaction. Dropped without [`UnitOfWork::commit`], it rolls
/// back and wakes nobody.
#[derive(Debug)]
pub struct UnitOfWork {
    tx: Transaction<'static, Postgres>,
    waker: Waker,
    /// Whether the outbox was written: the commit then wakes the relay.
    emitted: bool,
}

impl UnitOfWork {
    /// Begins a transaction on `pool`; `waker` wakes the relay of the
    /// outbox on that pool's schema.
    pub async fn begin(pool: &PgPool, waker: &Waker) -> sqlx::Result<Self> {
        Ok(Self {
            tx: pool.begin().await?,
            waker: waker.clone(),
            emitted: false,
        })
    }

    /// Wraps `event` in a new CloudEvent from `service` (its name, such as
    /// `campaign`) and adds it to the outbox, to be published once this
    /// unit commits.
    pub async fn emit<T: Event>(
        &mut self,
        service: &str,
        event: T,
        context: &EventContext,
    ) -> sqlx::Result<()> {
        self.enqueue(&Envelope::new(service, event, context)).await
    }

    /// Adds an envelope already made (its id or time chosen by the caller)
    /// to the outbox.
    pub async fn enqueue<T: Event>(&mut self, event: &Envelope<T>) -> sqlx::Result<()> {
        outbox::enqueue(&mut self.tx, event).await?;
        self.emitted = true;
        Ok(())
    }

    /// The outbox row of `event`, for a statement of the caller's that writes
    /// a change and its event at once ([`Row`]); the commit wakes the relay.
    pub fn outbox_row<T: Event>(&mut self, event: &Envelope<T>) -> sqlx::Result<Row> {
        let row = Row::of(event)?;
        self.emitted = true;
        Ok(row)
    }

    /// Commits, then wakes the relay if anything was emitted.
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await?;
        if self.emitted {
            self.waker.wake();
        }
        Ok(())
    }
}

impl Deref for UnitOfWork {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for UnitOfWork {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}
