//! `--verify`: source and target compared row by row, after the copy.
//!
//! Both tables are read in id order, in keyset batches, and merged like two
//! sorted files: memory holds a batch of each. Every legacy row that maps
//! must be in the target with the same checksum of its mapped fields; rows
//! that do not map are listed, not counted as differences; campaigns created
//! in campaign-service since the split (in the target only) are counted, not
//! differences either.

use std::collections::VecDeque;

use futures::{Stream, StreamExt};
use sqlx::PgPool;
use uuid::Uuid;

use super::mapping::{self, Compare, LegacyCampaign, MappedCampaign};
use super::progress::Progress;
use super::report::{Report, PRINTED};
use super::{source, target};

#[derive(Debug, Default)]
pub struct Verdict {
    /// Legacy rows that map, each found in the target with the same checksum.
    pub equal: u64,
    pub missing: u64,
    pub differing: u64,
    /// Legacy rows that do not map (listed, not differences).
    pub invalid: u64,
    /// Campaigns only in the target: created in campaign-service.
    pub only_in_target: u64,
}

impl Verdict {
    pub fn differences(&self) -> u64 {
        self.missing + self.differing
    }

    pub fn source_rows(&self) -> u64 {
        self.equal + self.missing + self.differing + self.invalid
    }

    pub fn target_rows(&self) -> u64 {
        self.equal + self.differing + self.only_in_target
    }
}

/// A stream of batches, drained into a deque one batch at a time.
struct Cursor<S> {
    stream: std::pin::Pin<Box<S>>,
    rows: VecDeque<MappedCampaign>,
    done: bool,
}

pub async fn run(
    source: &PgPool,
    target: &PgPool,
    batch_size: i64,
    total: u64,
    report: &mut Report,
) -> anyhow::Result<Verdict> {
    let mut progress = Progress::start("verifying", total);
    let mut verdict = Verdict::default();
    let mut legacy = Cursor::new(source::batches(source.clone(), batch_size));
    let mut copied = Cursor::new(source::keyset(
        target.clone(),
        batch_size,
        target::after,
        |row: &MappedCampaign| row.id,
    ));
    loop {
        // Each side is read ahead while the other is compared.
        tokio::try_join!(
            legacy.fill_legacy(&mut verdict, &mut progress),
            copied.fill()
        )?;
        match (legacy.rows.front(), copied.rows.front()) {
            (None, None) => break,
            (Some(_), None) => {
                if let Some(row) = legacy.rows.pop_front() {
                    verdict.missing += 1;
                    note(report, &verdict, "missing", row.id, "not in the target")?;
                }
            }
            (None, Some(_)) => {
                copied.rows.pop_front();
                verdict.only_in_target += 1;
            }
            (Some(from), Some(to)) => match from.id.cmp(&to.id) {
                std::cmp::Ordering::Less => {
                    let id = from.id;
                    legacy.rows.pop_front();
                    verdict.missing += 1;
                    note(report, &verdict, "missing", id, "not in the target")?;
                }
                std::cmp::Ordering::Greater => {
                    copied.rows.pop_front();
                    verdict.only_in_target += 1;
                }
                std::cmp::Ordering::Equal => {
                    if from.checksum() == to.checksum() {
                        verdict.equal += 1;
                    } else {
                        verdict.differing += 1;
                        let fields = from.differing_fields(to).join(" ");
                        let id = from.id;
                        note(report, &verdict, "differing", id, &fields)?;
                    }
                    legacy.rows.pop_front();
                    copied.rows.pop_front();
                }
            },
        }
    }
    progress.finish();
    Ok(verdict)
}

/// Prints the first few differences and reports them all.
fn note(
    report: &mut Report,
    verdict: &Verdict,
    kind: &str,
    id: Uuid,
    detail: &str,
) -> anyhow::Result<()> {
    if verdict.differences() <= PRINTED {
        eprintln!("verify: {kind} {id}: {detail}");
    }
    report.line(kind, id, detail)
}

impl<S> Cursor<S> {
    fn new(stream: S) -> Self {
        Self {
            stream: Box::pin(stream),
            rows: VecDeque::new(),
            done: false,
        }
    }
}

impl<S: Stream<Item = sqlx::Result<Vec<MappedCampaign>>>> Cursor<S> {
    /// Reads the next batch when this side has run dry.
    async fn fill(&mut self) -> anyhow::Result<()> {
        if self.rows.is_empty() && !self.done {
            match self.stream.next().await {
                Some(batch) => self.rows.extend(batch?),
                None => self.done = true,
            }
        }
        Ok(())
    }
}

impl<S: Stream<Item = sqlx::Result<Vec<LegacyCampaign>>>> Cursor<S> {
    /// Reads and maps legacy batches until one has a row that maps, or none are left.
    async fn fill_legacy(
        &mut self,
        verdict: &mut Verdict,
        progress: &mut Progress,
    ) -> anyhow::Result<()> {
        while self.rows.is_empty() && !self.done {
            let Some(batch) = self.stream.next().await else {
                self.done = true;
                break;
            };
            let batch = batch?;
            progress.advance(batch.len() as u64);
            // The copy already listed the rows that do not map.
            for row in &batch {
                match mapping::map(row) {
                    Ok(mapped) => self.rows.push_back(mapped),
                    Err(_) => verdict.invalid += 1,
                }
            }
        }
        Ok(())
    }
}
