//! Where the leading relay has read to, and what it read past without seeing.
//!
//! An outbox row's `seq` is taken when it is inserted, not when it commits.
//! A read that returns seq 7 may be missing seq 6 because the transaction
//! holding it is still running. If that transaction then commits, and
//! another change to the same aggregate commits seq 8 after it (it waited
//! for the aggregate's lock), a read after 7 would send 8 and never look back
//! at 6: one aggregate's events out of commit order.
//!
//! So every `seq` read past unseen is remembered as a gap, and every read
//! looks its gaps up again in the same snapshot as the new rows. Whenever 8
//! is visible 6 is too, so the two leave in one read, in `seq` order. A gap
//! is forgotten once no transaction that could hold it is still running:
//!
//! - whoever holds 6 took it before the read that missed it (a later `seq`
//!   had already committed), and had its transaction id before it took the
//!   `seq` (every outbox insert follows the change it describes, or asks for
//!   its id first: `outbox::enqueue`);
//! - that read records, as the gap's bound, its own transaction id, given
//!   out after its snapshot and so above the holder's;
//! - once a later read's snapshot `xmin` (the oldest transaction still
//!   running) reaches the bound, the holder has ended: a row still missing
//!   was rolled back.

/// Gaps kept at most. They pile up only while some transaction, in any
/// database of the cluster, runs for very long (holding every snapshot's
/// `xmin`): each rollback meanwhile leaves a gap. Past this, the oldest are
/// left to the relay's periodic pass from the start, which sends a late row
/// whatever its order.
const MAX_GAPS: usize = 1000;

/// A run of `seq`s read past without seeing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gap {
    from: i64,
    to: i64,
    /// The transaction id of the read that first missed it: every holder's
    /// id is below it.
    missed_before: i64,
}

/// What one read says about transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Snapshot {
    /// Every transaction id below this has ended (the snapshot's `xmin`).
    pub xmin: i64,
    /// The read's own transaction id, given out after its snapshot was taken.
    pub bound: i64,
}

#[derive(Debug, Default)]
pub(super) struct Cursor {
    /// Every `seq` up to here was read, or is in `gaps`.
    high: i64,
    gaps: Vec<Gap>,
}

impl Cursor {
    pub(super) fn high(&self) -> i64 {
        self.high
    }

    /// The gaps' bounds, as the read statement takes them: firsts and lasts.
    pub(super) fn gaps(&self) -> (Vec<i64>, Vec<i64>) {
        self.gaps.iter().map(|g| (g.from, g.to)).unzip()
    }

    /// Takes in what a read in `snapshot` returned: `seqs`, ascending, the
    /// gaps' rows among them.
    pub(super) fn absorb(&mut self, seqs: &[i64], snapshot: Snapshot) {
        self.gaps = self
            .gaps
            .iter()
            // Still unseen in a snapshot where nobody can hold it: rolled back.
            .filter(|gap| snapshot.xmin < gap.missed_before)
            .flat_map(|gap| gap.without(seqs))
            .collect();
        let mut last = self.high;
        for &seq in seqs.iter().filter(|&&seq| seq > self.high) {
            if seq > last + 1 {
                self.gaps.push(Gap {
                    from: last + 1,
                    to: seq - 1,
                    missed_before: snapshot.bound,
                });
            }
            last = seq;
        }
        self.high = last;
        if self.gaps.len() > MAX_GAPS {
            let dropped = self.gaps.len() - MAX_GAPS;
            tracing::warn!(
                dropped,
                "a long transaction keeps outbox gaps open; a late row among the oldest may be sent out of order"
            );
            self.gaps.drain(..dropped);
        }
    }
}

impl Gap {
    /// What is left of this gap once `seqs` (ascending) are seen.
    fn without(self, seqs: &[i64]) -> Vec<Gap> {
        let start = seqs.partition_point(|&s| s < self.from);
        let end = seqs.partition_point(|&s| s <= self.to);
        let mut left = Vec::new();
        let mut from = self.from;
        for &seen in &seqs[start..end] {
            if seen > from {
                left.push(Gap {
                    to: seen - 1,
                    from,
                    ..self
                });
            }
            from = seen + 1;
        }
        if from <= self.to {
            left.push(Gap { from, ..self });
        }
        left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EARLY: Snapshot = Snapshot {
        xmin: 10,
        bound: 20,
    };

    fn gaps(cursor: &Cursor) -> Vec<(i64, i64)> {
        cursor.gaps.iter().map(|g| (g.from, g.to)).collect()
    }

    #[test]
    fn seqs_read_past_are_gaps_until_seen() {
        let mut cursor = Cursor::default();
        cursor.absorb(&[1, 2, 5, 9], EARLY);
        assert_eq!(cursor.high(), 9);
        assert_eq!(gaps(&cursor), [(3, 4), (6, 8)]);

        // 4 and 7 committed; the next read finds them with the new rows.
        cursor.absorb(&[4, 7, 10, 12], EARLY);
        assert_eq!(cursor.high(), 12);
        assert_eq!(gaps(&cursor), [(3, 3), (6, 6), (8, 8), (11, 11)]);
        assert_eq!(cursor.gaps(), (vec![3, 6, 8, 11], vec![3, 6, 8, 11]));
    }

    #[test]
    fn a_gap_is_forgotten_once_every_transaction_that_could_hold_it_has_ended() {
        let mut cursor = Cursor::default();
        cursor.absorb(&[3], EARLY);
        assert_eq!(gaps(&cursor), [(1, 2)]);
        // The oldest transaction still running (19) is below the bound of
        // the read that missed them (20): it may hold them.
        cursor.absorb(
            &[4],
            Snapshot {
                xmin: 19,
                bound: 25,
            },
        );
        assert_eq!(gaps(&cursor), [(1, 2)]);
        // Every transaction below 20 has ended: 1 and 2 were rolled back. A
        // gap seen in this very read is kept, though: its holder may still run.
        cursor.absorb(
            &[6],
            Snapshot {
                xmin: 20,
                bound: 30,
            },
        );
        assert_eq!(gaps(&cursor), [(5, 5)]);
        assert_eq!(cursor.high(), 6);
    }

    #[test]
    fn a_read_below_the_cursor_keeps_it() {
        let mut cursor = Cursor::default();
        cursor.absorb(&[1, 2, 3], EARLY);
        assert_eq!(cursor.high(), 3);
        assert!(gaps(&cursor).is_empty());
        // A pass from the start re-reads rows below the cursor (left by a nack).
        cursor.absorb(&[2], EARLY);
        assert_eq!(cursor.high(), 3);
        assert!(gaps(&cursor).is_empty());
    }

    #[test]
    fn gaps_are_bounded_oldest_first() {
        let mut cursor = Cursor::default();
        let every_other: Vec<i64> = (1..=2 * (MAX_GAPS as i64 + 5))
            .step_by(2)
            .map(|s| s + 1)
            .collect();
        cursor.absorb(&every_other, EARLY);
        assert_eq!(cursor.gaps.len(), MAX_GAPS);
        assert_eq!(cursor.gaps[0].from, 11, "the oldest five dropped");
    }
}
