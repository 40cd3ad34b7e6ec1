//! `hearth copy-campaigns`: the legacy `public.campaigns` of Main DB into
//! campaign-service's `campaign.campaigns` (docs/operations.md).
//!
//! - `mapping.rs`: one legacy row → one campaign, or the reason it cannot be;
//! - `source.rs`: keyset-batched reads, so memory holds a batch at a time;
//! - `target.rs`: one transaction per batch, `on conflict (id) do nothing`;
//! - `verify.rs`: source and target merged in id order and compared;
//! - `progress.rs`, `report.rs`: what the operator sees.

mod mapping;
mod progress;
mod report;
mod source;
mod target;
mod verify;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::ValueEnum;
use futures::{StreamExt, TryStreamExt};
use hearth_core::config::{Database, DatabaseConfig, Env};
use hearth_events::EventContext;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use uuid::Uuid;

use self::mapping::{BadRow, Compare, LegacyCampaign, MappedCampaign};
use self::progress::{rows_per_second, Progress};
use self::report::{Report, PRINTED};

/// Batches written at once, each on its own connection and transaction:
/// PostgreSQL indexes one while the next is read and mapped.
const WRITERS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnInvalid {
    /// Copy nothing if any row cannot be mapped; list every such row.
    Fail,
    /// Copy the rows that map; write the others to --report.
    Skip,
}

#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The main database holding public.campaigns [default: MAIN_DATABASE_URL]
    #[arg(long, value_name = "URL")]
    from: Option<String>,
    /// campaign-service's database [default: CAMPAIGN_DATABASE_URL]
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// Rows read, and written in one transaction, at a time.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(i64).range(1..=50_000))]
    batch_size: i64,
    /// Read and validate everything, write nothing, say what would be done.
    #[arg(long)]
    dry_run: bool,
    /// Afterwards, compare every row of source and target; exit non-zero on a difference.
    #[arg(long)]
    verify: bool,
    /// Emit campaign.created, through campaign-service's outbox, for each campaign copied.
    #[arg(long)]
    publish_events: bool,
    /// What to do with rows that cannot be mapped.
    #[arg(long, value_enum, default_value_t = OnInvalid::Fail)]
    on_invalid: OnInvalid,
    /// A CSV file listing every bad, missing and differing row (kind,id,detail).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

/// What one copy did (or, with --dry-run, would do).
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    copied: u64,
    present: u64,
    skipped: u64,
    differing: u64,
    images_dropped: u64,
}

/// How each batch is copied.
struct CopyOptions<'a> {
    dry_run: bool,
    publish: Option<&'a EventContext>,
    /// Whether the last batch found rows already in the target.
    expect_present: AtomicBool,
}

/// What one batch did.
#[derive(Debug, Default)]
struct BatchOutcome {
    read: u64,
    copied: u64,
    present: u64,
    bad: Vec<(Uuid, BadRow)>,
    differing: Vec<(Uuid, Vec<&'static str>)>,
    /// Rows that map, whose legacy image is left out, and why.
    dropped_images: Vec<(Uuid, String)>,
}

pub async fn run(args: CopyArgs, env: &dyn Env) -> anyhow::Result<()> {
    if args.on_invalid == OnInvalid::Skip && args.report.is_none() {
        anyhow::bail!("--on-invalid skip needs --report FILE: the skipped rows are listed there");
    }
    let from = url_or("--from", args.from.as_deref(), || Database::Main.url(env))?;
    let to = url_or("--to", args.to.as_deref(), || {
        campaign_service::SERVICE.database_url(env)
    })?;
    let source = PgPoolOptions::new()
        .max_connections(3)
        .acquire_timeout(Duration::from_secs(10))
        .connect(&from)
        .await
        .context("connecting to the source database (--from / MAIN_DATABASE_URL)")?;
    // The source first: a wrong --from changes nothing in the target.
    let total = source::check(&source).await?;
    let target = target_pool(&to, args.dry_run).await?;
    let total = u64::try_from(total).unwrap_or_default();
    let mut report = Report::open(args.report.as_deref())?;
    let started = Instant::now();

    if args.on_invalid == OnInvalid::Fail {
        let bad = validate(&source, args.batch_size, total, &mut report).await?;
        if bad > 0 {
            report.finish()?;
            anyhow::bail!(
                "{bad} legacy row(s) cannot be copied (listed above); nothing was copied. \
                 Fix them in the source, or copy the rest with --on-invalid skip --report FILE"
            );
        }
    }
    let publish = args.publish_events.then(|| EventContext {
        // One flow per run: every event it emits can be traced back to it.
        correlation_id: format!("copy-campaigns-{}", Uuid::now_v7()),
        ..Default::default()
    });
    let tally = copy(
        &source,
        &target,
        &args,
        total,
        publish.as_ref(),
        &mut report,
    )
    .await?;
    print_summary(&tally, args.dry_run, started.elapsed());

    let mut verdict = None;
    if args.verify {
        let verify_started = Instant::now();
        let v = verify::run(&source, &target, args.batch_size, total, &mut report).await?;
        print_verdict(&v, verify_started.elapsed());
        verdict = Some(v);
    }
    report.finish()?;
    if let Some(path) = report.path() {
        println!("report: {}", path.display());
    }
    match verdict {
        Some(v) if v.differences() > 0 => anyhow::bail!(
            "verify: {} difference(s) between source and target",
            v.differences()
        ),
        _ => Ok(()),
    }
}

/// The URL given on the command line, or the one from the environment.
fn url_or(
    flag: &str,
    given: Option<&str>,
    from_env: impl FnOnce() -> Result<String, hearth_core::config::ConfigError>,
) -> anyhow::Result<String> {
    match given {
        // A bad one is a bad setting (exit code 2), as in the environment.
        Some(url) => Ok(hearth_core::config::parse_database_url(url)
            .map_err(|e| hearth_core::config::ConfigError::new(flag, e))?),
        None => Ok(from_env()?),
    }
}

/// campaign-service's pool, its schema migrated. A dry run changes nothing,
/// not even the schema, so it only checks.
async fn target_pool(url: &str, dry_run: bool) -> anyhow::Result<PgPool> {
    let config = DatabaseConfig {
        url: url.to_owned(),
        max_connections: WRITERS as u32 + 2,
        acquire_timeout: Duration::from_secs(30),
    };
    let schema = campaign_service::SERVICE.schema();
    let pool = hearth_core::db::pool(&config, schema)?;
    if dry_run {
        target::check_migrated(&pool)
            .await
            .context("checking the target database (--to / CAMPAIGN_DATABASE_URL)")?;
    } else {
        hearth_core::migrations::migrate(&pool, schema, &<campaign_service::Campaign as hearth_bus::app::Service>::MIGRATIONS)
            .await
            .context("migrating campaign-service's schema in the target database (--to / CAMPAIGN_DATABASE_URL)")?;
    }
    Ok(pool)
}

/// The first pass of `--on-invalid fail`: every row mapped, nothing written;
/// each bad row printed (and reported) as found, so memory stays flat.
async fn validate(
    source: &PgPool,
    batch_size: i64,
    total: u64,
    report: &mut Report,
) -> anyhow::Result<u64> {
    let mut progress = Progress::start("validating", total);
    let mut bad = 0;
    let mut batches = std::pin::pin!(source::batches(source.clone(), batch_size));
    while let Some(batch) = batches.try_next().await? {
        for row in &batch {
            if let Err(why) = mapping::map(row) {
                bad += 1;
                eprintln!("bad row {}: {why}", row.id);
                report.line("invalid", row.id, &why.to_string())?;
            }
        }
        progress.advance(batch.len() as u64);
    }
    progress.finish();
    Ok(bad)
}

async fn copy(
    source: &PgPool,
    target: &PgPool,
    args: &CopyArgs,
    total: u64,
    publish: Option<&EventContext>,
    report: &mut Report,
) -> anyhow::Result<Tally> {
    let mut progress = Progress::start(if args.dry_run { "checking" } else { "copying" }, total);
    let mut tally = Tally::default();
    let options = CopyOptions {
        dry_run: args.dry_run,
        publish,
        expect_present: AtomicBool::new(false),
    };
    let options = &options;
    let mut outcomes = std::pin::pin!(source::batches(source.clone(), args.batch_size)
        .map(|batch| async move { copy_batch(target, batch?, options).await })
        .buffer_unordered(WRITERS));
    while let Some(outcome) = outcomes.next().await {
        let outcome = outcome?;
        tally.read += outcome.read;
        tally.copied += outcome.copied;
        tally.present += outcome.present;
        for (id, why) in outcome.bad {
            tally.skipped += 1;
            if tally.skipped <= PRINTED {
                eprintln!("skipped bad row {id}: {why}");
            }
            report.line("invalid", id, &why.to_string())?;
        }
        for (id, fields) in outcome.differing {
            tally.differing += 1;
            let fields = fields.join(" ");
            if tally.differing <= PRINTED {
                eprintln!("differs {id}: {fields} (left as it is in the target)");
            }
            report.line("differing", id, &fields)?;
        }
        for (id, why) in outcome.dropped_images {
            tally.images_dropped += 1;
            if tally.images_dropped <= PRINTED {
                eprintln!("image dropped {id}: {why} (the campaign is copied without it)");
            }
            report.line("image_dropped", id, &why)?;
        }
        progress.advance(outcome.read);
    }
    progress.finish();
    Ok(tally)
}

/// Maps one batch and writes it in one transaction: the rows not yet in the
/// target are inserted (with their events); those already there are compared.
///
/// `expect_present` is what the last batch found. A first run finds nothing
/// and inserts straight away; a second or resumed run finds its rows there,
/// so it looks first and inserts only the missing: an `on conflict do
/// nothing` would still compute each present row's search column before it
/// finds the conflict.
async fn copy_batch(
    target: &PgPool,
    batch: Vec<LegacyCampaign>,
    options: &CopyOptions<'_>,
) -> anyhow::Result<BatchOutcome> {
    let mut outcome = BatchOutcome {
        read: batch.len() as u64,
        ..Default::default()
    };
    let mut rows = Vec::with_capacity(batch.len());
    for legacy in &batch {
        match mapping::map(legacy) {
            Ok(row) => {
                if let Some(why) = mapping::dropped_image(legacy) {
                    outcome.dropped_images.push((legacy.id, why));
                }
                rows.push(row);
            }
            Err(why) => outcome.bad.push((legacy.id, why)),
        }
    }
    drop(batch);
    let look_first = options.dry_run || options.expect_present.load(Ordering::Relaxed);
    let (inserted, present) = if look_first {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let present = target::present(target, &ids).await?;
        let there: HashSet<Uuid> = present.iter().map(|r| r.id).collect();
        let missing: Vec<&MappedCampaign> =
            rows.iter().filter(|r| !there.contains(&r.id)).collect();
        outcome.copied = missing.len() as u64;
        let inserted = if options.dry_run {
            HashSet::new()
        } else {
            write(target, &missing, options.publish).await?
        };
        (inserted, present)
    } else {
        let all: Vec<&MappedCampaign> = rows.iter().collect();
        let inserted = write(target, &all, options.publish).await?;
        let others: Vec<Uuid> = rows
            .iter()
            .map(|r| r.id)
            .filter(|id| !inserted.contains(id))
            .collect();
        (inserted, target::present(target, &others).await?)
    };
    options
        .expect_present
        .store(!present.is_empty(), Ordering::Relaxed);
    let by_id: HashMap<Uuid, &MappedCampaign> = rows.iter().map(|r| (r.id, r)).collect();
    for there in &present {
        if let Some(wanted) = by_id.get(&there.id) {
            if wanted.checksum() != there.checksum() {
                outcome
                    .differing
                    .push((there.id, wanted.differing_fields(there)));
            }
        }
    }
    outcome.present = present.len() as u64;
    // A dry run counts what it would insert: every row that maps and is not there.
    if !options.dry_run {
        outcome.copied = inserted.len() as u64;
    }
    Ok(outcome)
}

/// Inserts `rows` (those not there yet) and their events in one transaction;
/// the ids it inserted.
async fn write(
    target: &PgPool,
    rows: &[&MappedCampaign],
    publish: Option<&EventContext>,
) -> anyhow::Result<HashSet<Uuid>> {
    if rows.is_empty() {
        return Ok(HashSet::new());
    }
    let mut tx = target.begin().await?;
    let inserted = campaign_service::transitions::copy_in(&mut tx, rows, publish).await?;
    tx.commit().await?;
    if publish.is_some() {
        hearth_bus::wake::notify(target).await?;
    }
    Ok(inserted.into_iter().collect())
}

fn print_summary(tally: &Tally, dry_run: bool, elapsed: Duration) {
    let rate = rows_per_second(tally.read, elapsed);
    if dry_run {
        println!("copy-campaigns (dry run, nothing written):");
        println!("  would copy       {}", tally.copied);
    } else {
        println!("copy-campaigns:");
        println!("  copied           {}", tally.copied);
    }
    println!("  already present  {}", tally.present);
    println!("  skipped (bad)    {}", tally.skipped);
    println!("  differing        {}", tally.differing);
    println!("  images dropped   {}", tally.images_dropped);
    println!(
        "  {} legacy rows in {:.1}s ({rate:.0} rows/s)",
        tally.read,
        elapsed.as_secs_f64()
    );
}

fn print_verdict(verdict: &verify::Verdict, elapsed: Duration) {
    println!("verify:");
    println!("  source rows      {}", verdict.source_rows());
    println!("  target rows      {}", verdict.target_rows());
    println!("  equal            {}", verdict.equal);
    println!("  missing          {}", verdict.missing);
    println!("  differing        {}", verdict.differing);
    println!("  invalid (listed) {}", verdict.invalid);
    println!("  only in target   {}", verdict.only_in_target);
    println!("  in {:.1}s", elapsed.as_secs_f64());
}
