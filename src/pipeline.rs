//! The pipeline: reads every input in order, parses and classifies records
//! in parallel, and writes the outputs in input order.
//!
//! One reader thread opens each input, recognises its format and cuts it
//! into chunks of whole records; an uncompressed regular file of lines is
//! only cut into byte ranges, which the workers read themselves (no copy
//! through the reader). Each chunk is parsed and classified as a job on a
//! rayon pool; each worker folds its calls into its own
//! [`Aggregates`], and the partial states are merged at the end (in any
//! order, to the same result), and packs its calls into an Arrow record
//! batch ([`calls_out`]). The calling thread receives the chunk results,
//! puts them back in input order and streams them to `calls.parquet` (whose
//! columns are encoded as jobs on the same pool) and `rejects.csv`, so the
//! outputs are byte-identical whatever the thread count, and nearly all the
//! work scales with the threads. A fixed number of tickets bounds the chunks in flight, so memory
//! stays flat however large the input. Evidence found in other records
//! (token requests, Application Insights traces) is merged like the
//! aggregates; the calls it may still change are held back, packed and
//! bounded, and judged and written last ([`crate::evidence`]).
//!
//! With `--shard I/N` a scan reads its share of the inputs ([`crate::shard`])
//! and writes its calls as a Hive tree beside the other shards'; `report`
//! ([`report`]) reads calls files back, in parallel, and rebuilds the tables.

mod report;

pub use report::{report, ReportConfig};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::aggregate::{Aggregates, IntegrationRow, VerdictCounts};
use crate::classify::{classify_with, Origin};
use crate::error::Error;
use crate::event::{Reject, RejectReason};
use crate::evidence::held::{HeldCalls, DEFAULT_MAX_HELD_CALLS};
use crate::evidence::lift::rejected_operation;
use crate::evidence::{SideEvidence, SideFact};
use crate::formats::timestamp::format_iso;
use crate::formats::{
    detect, format_label, is_w3c_directive, not_a_log, parse_record_mapped, parse_w3c_record,
    Detection, FieldMap, Format, Framing, Parsed, RecordKind, StartRule, W3cFields, DOCUMENT_PATHS,
    HAR_PATHS,
};
use crate::input::json_array::{ElementError, JsonArrayFramer};
use crate::input::{
    discover, open, read_head, read_mapped_range_lines, read_range_lines, replay, split_groups,
    split_ranges, ByteRange, Discovery, GroupChunk, GroupFramer, InputFile, Line, LineChunk,
    LineChunker, Source,
};
use crate::output::summary::{
    Accounting, CrossRecordEvidence, FileSummary, InputTotals, IntegrationTotals,
    PartnerCenterTotals, ShardInfo, SkippedInput, Summary, TimeRange, UnreadableInput,
    VerdictTotals, SCHEMA_VERSION,
};
use crate::output::write_summary;
use crate::output::{
    write_rollups, CallsParquetWriter, PartitionedCallsWriter, RejectsCsvWriter, ReportOptions,
    Rollups, CALLS_DIR, CALLS_FILE, DAILY_CSV, INTEGRATIONS_CSV, INTEGRATIONS_PARQUET,
    OPERATIONS_CSV, REJECTS_CSV, SHARDS_DIR, SUMMARY_FILE,
};
use crate::prefilter::Prefilter;
use crate::redact::Redactor;
use crate::report::{Catalog, REPORT_HTML, REPORT_MD};
use crate::shard::{assign, ShardSpec};
use crate::token::TokenCache;
use crate::vocab::Verdict;

mod calls_out;
mod csv_input;
mod memory;
use crate::formats::csv_record::{parse_csv_record_mapped, CsvHeader};
use crate::input::CsvChunk;
use calls_out::{CallsSink, ChunkCalls, PoolJobs};

/// What a scan reads and where it writes.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Files, folders, glob patterns, or `-` for stdin.
    pub inputs: Vec<String>,
    pub out_dir: PathBuf,
    /// Parse workers (at least 1).
    pub threads: usize,
    /// Force one format for every input instead of recognising it.
    pub format: Option<Format>,
    /// Target size of a chunk of records handed to one job.
    pub chunk_bytes: usize,
    /// A record (line or array element) larger than this is rejected.
    pub max_record_bytes: usize,
    /// Write into an output folder that holds files pcmfa did not write.
    pub force: bool,
    /// Pseudonymise principals with this keyed HMAC.
    pub redactor: Option<Redactor>,
    /// Where a custom-schema gateway log keeps its columns (`--field`).
    pub fields: FieldMap,
    /// Calls held back for cross-record evidence, at most (see `crate::evidence::held`).
    pub max_held_calls: usize,
    /// Read only this shard's share of the inputs and write its calls as a
    /// Hive tree under `calls/`, its other files under `shards/<I>-of-<N>/`.
    pub shard: Option<ShardSpec>,
    /// Who owns each integration, joined into the reports.
    pub catalog: Option<Catalog>,
}

impl ScanConfig {
    pub fn new(inputs: Vec<String>, out_dir: PathBuf) -> ScanConfig {
        ScanConfig {
            inputs,
            out_dir,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            format: None,
            chunk_bytes: 4 << 20,
            max_record_bytes: 16 << 20,
            force: false,
            redactor: None,
            fields: FieldMap::default(),
            max_held_calls: DEFAULT_MAX_HELD_CALLS,
            shard: None,
            catalog: None,
        }
    }
}

/// Live counters a front end may poll to show progress.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes of all inputs on disk (stdin not included).
    pub total_bytes: AtomicU64,
    /// Bytes read from disk so far.
    pub bytes_read: AtomicU64,
}

/// What a finished scan reports.
#[derive(Debug, Clone)]
pub struct ScanReport {
    pub summary: Summary,
    /// The integrations table, worst first.
    pub integrations: Vec<IntegrationRow>,
}

/// One array element: its bytes, or why it could not be framed; with its index.
type FramedElement = Result<(u64, Vec<u8>), (u64, RejectReason)>;

thread_local! {
    /// Each worker's decoded tokens: a token is decoded once per worker.
    static TOKENS: RefCell<TokenCache> = RefCell::new(TokenCache::default());
    /// Each worker's read buffer for byte ranges, reused from range to range.
    static RANGE_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What every chunk job reads (and the per-worker partial aggregates it folds into).
struct Shared {
    prefilter: Prefilter,
    redactor: Option<Redactor>,
    fields: FieldMap,
    /// One partial state per worker thread, merged at the end.
    partials: Vec<Mutex<Aggregates>>,
    /// One partial side-evidence state per worker thread, merged at the end.
    side: Vec<Mutex<SideEvidence>>,
}

/// A chunk of records for one job.
enum Work {
    Lines(LineChunk),
    /// Lines of a plain regular file that start in a byte range.
    Range(Arc<File>, ByteRange),
    Elements(Vec<FramedElement>),
    /// Multi-line records, grouped by `rule`; a record over `max_bytes` is rejected.
    Groups {
        chunk: GroupChunk,
        rule: StartRule,
        max_bytes: usize,
    },
    /// W3C lines, with the `#Fields:` in force at the chunk's first line.
    W3c {
        chunk: LineChunk,
        fields: Option<Arc<W3cFields>>,
    },
    /// CSV rows, with the file's header row.
    Csv(CsvChunk, Arc<CsvHeader>),
}

/// What a chunk job found.
#[derive(Default)]
struct ChunkResult {
    /// The calls, packed for the writer as they are classified.
    packed: ChunkCalls,
    rejects: Vec<Reject>,
    /// Evidence for other records' calls (traces, token requests).
    facts: Vec<SideFact>,
    records: u64,
    other: u64,
    /// Format labels of the records read, first seen first.
    labels: Vec<&'static str>,
    /// For a byte range: the lines it holds. Its record numbers count from
    /// the range's start; the writer adds the lines of the ranges before it.
    range_lines: Option<u64>,
    /// Why the rest of the file could not be read.
    failure: Option<String>,
}

/// Messages to the writer, put back in order by sequence number.
enum Message {
    Opened {
        file: usize,
        format: &'static str,
        compression: &'static str,
    },
    Chunk {
        file: usize,
        result: Box<ChunkResult>,
    },
    Failed {
        file: usize,
        reason: String,
    },
    Skipped {
        file: usize,
        reason: String,
    },
    Unreadable {
        file: usize,
        reason: String,
    },
    Bytes {
        file: usize,
        bytes: u64,
    },
}

const ELEMENTS_PER_CHUNK: usize = 4096;

/// How often the writer hands freed memory back, in messages (about 32 MiB
/// of input in 4 MiB chunks). Measured on 1 and 10 GiB of gateway lines:
/// every 8 messages keeps the 10 GiB peak RSS 1.10x the 1 GiB one (every
/// 64: 1.12x; never: 1.16x), at no measurable CPU cost.
const TRIM_EVERY_MESSAGES: u64 = 8;

/// Runs a scan and writes every output file; `summary.json` last.
pub fn scan(config: &ScanConfig, progress: &Progress) -> Result<ScanReport, Error> {
    let started = Instant::now();
    let threads = config.threads.max(1);
    std::fs::create_dir_all(&config.out_dir).map_err(|source| Error::Write {
        path: config.out_dir.clone(),
        source,
    })?;
    if !config.force {
        check_out_dir(&config.out_dir, config.shard.is_some())?;
    }
    let mut discovery = discover(&config.inputs, Some(&config.out_dir));
    let shard = config
        .shard
        .map(|spec| take_share(&mut discovery, spec))
        .transpose()?;
    let run_dir = match config.shard {
        Some(spec) => config.out_dir.join(SHARDS_DIR).join(spec.label()),
        None => config.out_dir.clone(),
    };
    std::fs::create_dir_all(&run_dir).map_err(|source| Error::Write {
        path: run_dir.clone(),
        source,
    })?;
    let total: u64 = discovery.files.iter().filter_map(|f| f.size).sum();
    progress.total_bytes.store(total, Ordering::Relaxed);

    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("pcmfa-worker-{i}"))
            .build()
            .map_err(|err| Error::Usage(format!("cannot start {threads} threads: {err}")))?,
    );
    let shared = Arc::new(Shared {
        prefilter: Prefilter::new(),
        redactor: config.redactor.clone(),
        fields: config.fields.clone(),
        partials: (0..threads)
            .map(|_| Mutex::new(Aggregates::default()))
            .collect(),
        side: (0..threads)
            .map(|_| Mutex::new(SideEvidence::default()))
            .collect(),
    });

    let mut ledger = Ledger::new(&discovery.files);
    let files = discovery.files;
    let tickets_in_flight = threads * 4;
    let (ticket_tx, ticket_rx) = sync_channel::<()>(tickets_in_flight);
    for _ in 0..tickets_in_flight {
        let _ = ticket_tx.send(());
    }
    let (msg_tx, msg_rx) = channel::<(u64, Message)>();

    let written = std::thread::scope(|scope| {
        let reader = Reader {
            config,
            pool: &pool,
            shared: shared.clone(),
            tickets: ticket_rx,
            messages: msg_tx,
            progress,
            seq: 0,
        };
        let files = &files;
        scope.spawn(move || reader.read_all(files));
        let encoder = Arc::new(PoolJobs(pool.clone()));
        write_in_order(
            config,
            &run_dir,
            msg_rx,
            ticket_tx,
            &mut ledger,
            &shared,
            encoder,
        )
    })?;
    let Written {
        calls: written,
        late: mut aggregates,
    } = written;
    for partial in shared.partials.iter() {
        let partial = std::mem::take(&mut *partial.lock().unwrap_or_else(|e| e.into_inner()));
        aggregates.merge(partial);
    }
    let rollups = Rollups::from_aggregates(&aggregates);
    let mut summary = Summary {
        shard,
        ..ledger.summary(
            &discovery.unreadable,
            &aggregates,
            &rollups.integrations,
            written,
            threads,
            started.elapsed().as_secs_f64(),
        )
    };
    let options = ReportOptions {
        catalog: config.catalog.as_ref(),
        sections: &[],
    };
    write_rollups(&run_dir, &rollups, &summary, options)?;
    summary.duration_seconds = started.elapsed().as_secs_f64();
    write_summary(&run_dir, &summary)?;
    Ok(ScanReport {
        summary,
        integrations: rollups.integrations,
    })
}

/// Files a scan writes; anything else in the output folder is someone else's.
const OUTPUT_FILES: &[&str] = &[
    CALLS_FILE,
    INTEGRATIONS_CSV,
    INTEGRATIONS_PARQUET,
    OPERATIONS_CSV,
    DAILY_CSV,
    REJECTS_CSV,
    REPORT_HTML,
    REPORT_MD,
    SUMMARY_FILE,
];

/// An output file or one of pcmfa's temporary files, or the folders shards
/// share (`calls/` Hive tree, `shards/` run folders).
fn is_ours(name: &str) -> bool {
    OUTPUT_FILES.contains(&name)
        || name == CALLS_DIR
        || name == SHARDS_DIR
        || (name.starts_with('.') && name.ends_with(".tmp"))
}

/// Keeps the inputs assigned to this shard (the unreadable arguments too, so
/// exactly one shard reports each). Every shard computes the same assignment.
fn take_share(discovery: &mut Discovery, spec: ShardSpec) -> Result<ShardInfo, Error> {
    if discovery
        .files
        .iter()
        .any(|f| matches!(f.source, Source::Stdin))
    {
        return Err(Error::Usage(
            "--shard cannot share standard input; list files with --files-from".to_string(),
        ));
    }
    let items: Vec<(&str, u64)> = discovery
        .files
        .iter()
        .map(|f| (&*f.display, f.size.unwrap_or(0)))
        .chain(
            discovery
                .unreadable
                .iter()
                .map(|(path, _)| (path.as_str(), 0)),
        )
        .collect();
    let listed = items.len() as u64;
    let mut mine = assign(&items, spec.count)
        .into_iter()
        .map(|shard| shard == spec.index);
    discovery.files.retain(|_| mine.next().unwrap_or(false));
    discovery
        .unreadable
        .retain(|_| mine.next().unwrap_or(false));
    Ok(ShardInfo {
        index: spec.index,
        count: spec.count,
        inputs_listed: listed,
        inputs_assigned: (discovery.files.len() + discovery.unreadable.len()) as u64,
    })
}

/// Refuses an output folder holding files pcmfa did not write, so a typo in
/// `--out` never overwrites or mixes with someone's data; and never mixes a
/// single run's `calls.parquet` with shards' `calls/` tree (a roll-up of the
/// folder would count those calls twice).
fn check_out_dir(dir: &std::path::Path, sharded: bool) -> Result<(), Error> {
    let mixed = if sharded { CALLS_FILE } else { CALLS_DIR };
    if dir.join(mixed).exists() {
        return Err(Error::Usage(format!(
            "--out {} holds {mixed} from a {} scan; write {} scan into another folder",
            dir.display(),
            if sharded { "single" } else { "sharded" },
            if sharded { "a sharded" } else { "a single" },
        )));
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut foreign: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !is_ours(name))
        .collect();
    foreign.sort();
    match foreign.first() {
        None => Ok(()),
        Some(name) => Err(Error::Usage(format!(
            "--out {} holds files pcmfa did not write (e.g. {name}); choose an empty folder or pass --force",
            dir.display()
        ))),
    }
}

/// Reads inputs in order and dispatches chunk jobs.
struct Reader<'a> {
    config: &'a ScanConfig,
    pool: &'a rayon::ThreadPool,
    shared: Arc<Shared>,
    tickets: Receiver<()>,
    messages: Sender<(u64, Message)>,
    progress: &'a Progress,
    seq: u64,
}

impl Reader<'_> {
    fn send(&mut self, message: Message) -> bool {
        let seq = self.seq;
        self.seq += 1;
        self.messages.send((seq, message)).is_ok()
    }

    fn read_all(mut self, files: &[InputFile]) {
        for (index, file) in files.iter().enumerate() {
            if !self.read_file(index, file) {
                return;
            }
        }
    }

    /// Reads one input; false when the writer has stopped.
    fn read_file(&mut self, file: usize, input: &InputFile) -> bool {
        let counter = Arc::new(AtomicU64::new(0));
        let mut opened = match open(input, counter.clone()) {
            Ok(opened) => opened,
            Err(err) => {
                return self.send(Message::Unreadable {
                    file,
                    reason: err.to_string(),
                })
            }
        };
        let head = read_head(&mut opened.reader);
        // A UTF-16 file is read through its transcoder, never in byte ranges.
        let plain_file = opened.plain_file.take().filter(|_| !head.utf16);
        // A forced format still never reads an image or an archive.
        let forced = self
            .config
            .format
            .filter(|_| not_a_log(&head.bytes).is_none());
        let format = match forced {
            Some(format) => format,
            None => match detect(&head.bytes) {
                Detection::Recognised(format) => format,
                Detection::Unrecognised(reason) => {
                    let reason = match &head.error {
                        Some(err) if head.bytes.is_empty() => err.to_string(),
                        _ => reason.to_string(),
                    };
                    let bytes = counter.load(Ordering::Relaxed);
                    self.progress.bytes_read.fetch_add(bytes, Ordering::Relaxed);
                    return self.send(Message::Bytes { file, bytes })
                        && self.send(Message::Skipped { file, reason });
                }
            },
        };
        let label = format_label(
            format.framing,
            match format.records {
                RecordKind::Auto => RecordKind::Http,
                kind => kind,
            },
        );
        if !self.send(Message::Opened {
            file,
            format: label,
            compression: opened.compression.as_str(),
        }) {
            return false;
        }
        let head_read_whole = head.error.is_none();
        // How a text log's lines group into records, from its first lines.
        let start_rule = match format.framing {
            Framing::LineGroups => StartRule::sniff(&head.bytes),
            _ => StartRule::Headers,
        };
        let csv_delimiter = match format.framing {
            Framing::Csv => crate::formats::csv_record::sniff_delimiter(&head.bytes),
            _ => b',',
        };
        let stream = replay(head, opened.reader);
        let mut reported = 0;
        let mut report_bytes = |reader: &mut Self| {
            let now = counter.load(Ordering::Relaxed);
            reader
                .progress
                .bytes_read
                .fetch_add(now - reported, Ordering::Relaxed);
            reported = now;
        };
        let source: Arc<str> = input.display.clone();
        let alive = match format.framing {
            Framing::Lines => match plain_file.filter(|_| head_read_whole) {
                Some((plain, size)) => {
                    let mut alive = true;
                    for range in split_ranges(size, self.config.chunk_bytes) {
                        counter.fetch_max(range.end, Ordering::Relaxed);
                        report_bytes(self);
                        let work = Work::Range(plain.clone(), range);
                        if !self.dispatch(file, &source, format, work) {
                            alive = false;
                            break;
                        }
                    }
                    alive
                }
                None => {
                    let mut chunker = LineChunker::new(
                        stream,
                        self.config.chunk_bytes,
                        self.config.max_record_bytes,
                    );
                    let chunks = || chunker.next_chunk();
                    self.dispatch_chunks(
                        file,
                        &source,
                        format,
                        chunks,
                        &mut report_bytes,
                        Work::Lines,
                    )
                }
            },
            Framing::LineGroups => {
                let max_bytes = self.config.max_record_bytes;
                let mut framer = GroupFramer::new(
                    stream,
                    move |line: &[u8]| start_rule.starts_record(line),
                    self.config.chunk_bytes,
                    max_bytes,
                );
                let work = |chunk| Work::Groups {
                    chunk,
                    rule: start_rule,
                    max_bytes,
                };
                let chunks = || framer.next_chunk();
                self.dispatch_chunks(file, &source, format, chunks, &mut report_bytes, work)
            }
            Framing::W3c => {
                let mut chunker = LineChunker::new(
                    stream,
                    self.config.chunk_bytes,
                    self.config.max_record_bytes,
                );
                let mut fields: Option<Arc<W3cFields>> = None;
                let work = |chunk: LineChunk| {
                    // The next chunk's lines read with the last `#Fields:` of this one.
                    let after = W3cFields::last_in(&chunk.data).or_else(|| fields.clone());
                    Work::W3c {
                        chunk,
                        fields: std::mem::replace(&mut fields, after),
                    }
                };
                let chunks = || chunker.next_chunk();
                self.dispatch_chunks(file, &source, format, chunks, &mut report_bytes, work)
            }
            Framing::Document => {
                let paths = if format.records == RecordKind::Har {
                    HAR_PATHS
                } else {
                    DOCUMENT_PATHS
                };
                let framer = JsonArrayFramer::new(stream, paths, self.config.max_record_bytes);
                let mut batch = Vec::new();
                let mut batch_bytes = 0;
                let mut alive = true;
                let mut first = true;
                let mut failure = None;
                for item in framer {
                    // A document whose array holds no objects is not a log (e.g. a settings file).
                    if let (true, Ok(element)) = (first, &item) {
                        first = false;
                        if !element.bytes.starts_with(b"{") {
                            alive = self.send(Message::Skipped {
                                file,
                                reason: "JSON array of non-records".into(),
                            });
                            break;
                        }
                    }
                    let entry = match item {
                        Ok(element) => {
                            batch_bytes += element.bytes.len();
                            Ok((element.index, element.bytes))
                        }
                        Err(ElementError::TooLarge { index }) => {
                            Err((index, RejectReason::TooLarge))
                        }
                        Err(ElementError::Truncated { index }) => {
                            batch.push(Err((index, RejectReason::Truncated)));
                            failure = Some("document ends early (truncated)".to_string());
                            break;
                        }
                        Err(ElementError::NoArray) => {
                            alive = self.send(Message::Skipped {
                                file,
                                reason: "JSON without a record array".into(),
                            });
                            break;
                        }
                        Err(ElementError::Io(message)) => {
                            failure = Some(message);
                            break;
                        }
                    };
                    batch.push(entry);
                    if batch_bytes >= self.config.chunk_bytes || batch.len() >= ELEMENTS_PER_CHUNK {
                        report_bytes(self);
                        batch_bytes = 0;
                        if !self.dispatch(
                            file,
                            &source,
                            format,
                            Work::Elements(std::mem::take(&mut batch)),
                        ) {
                            alive = false;
                            break;
                        }
                    }
                }
                if alive && !batch.is_empty() {
                    alive = self.dispatch(file, &source, format, Work::Elements(batch));
                }
                if let (true, Some(reason)) = (alive, failure) {
                    alive = self.send(Message::Failed { file, reason });
                }
                alive
            }
            Framing::Csv => self.read_csv(
                file,
                &source,
                format,
                stream,
                csv_delimiter,
                &mut report_bytes,
            ),
        };
        report_bytes(self);
        alive
            && self.send(Message::Bytes {
                file,
                bytes: counter.load(Ordering::Relaxed),
            })
    }

    /// Hands each chunk a framer yields to the pool as `work(chunk)`; a read
    /// error fails the file. False when the writer has stopped.
    fn dispatch_chunks<C>(
        &mut self,
        file: usize,
        source: &Arc<str>,
        format: Format,
        mut next_chunk: impl FnMut() -> Option<io::Result<C>>,
        report_bytes: &mut dyn FnMut(&mut Self),
        mut work: impl FnMut(C) -> Work,
    ) -> bool {
        while let Some(next) = next_chunk() {
            report_bytes(self);
            let alive = match next {
                Ok(chunk) => {
                    let work = work(chunk);
                    self.dispatch(file, source, format, work)
                }
                Err(err) => self.send(Message::Failed {
                    file,
                    reason: describe_read_error(&err),
                }),
            };
            if !alive {
                return false;
            }
        }
        true
    }

    /// Hands a chunk to the pool once a ticket is free; false when the writer has stopped.
    fn dispatch(&mut self, file: usize, source: &Arc<str>, format: Format, work: Work) -> bool {
        if self.tickets.recv().is_err() {
            return false;
        }
        let seq = self.seq;
        self.seq += 1;
        let messages = self.messages.clone();
        let shared = self.shared.clone();
        let source = source.clone();
        let max_record_bytes = self.config.max_record_bytes;
        self.pool.spawn(move || {
            let mut result = process_chunk(&source, format, work, max_record_bytes, &shared);
            result.packed.seal();
            let slot = rayon::current_thread_index().unwrap_or(0) % shared.partials.len().max(1);
            if let Some(partial) = shared.partials.get(slot) {
                let mut partial = partial.lock().unwrap_or_else(|e| e.into_inner());
                // Calls that side evidence may change are counted once judged.
                partial.merge(std::mem::take(&mut result.packed.aggregates));
            }
            if let Some(side) = shared.side.get(slot) {
                let mut side = side.lock().unwrap_or_else(|e| e.into_inner());
                for fact in result.facts.drain(..) {
                    side.add(fact);
                }
            }
            let _ = messages.send((
                seq,
                Message::Chunk {
                    file,
                    result: Box::new(result),
                },
            ));
        });
        true
    }
}

fn describe_read_error(err: &io::Error) -> String {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        "stream ends early (truncated compressed file)".to_string()
    } else {
        err.to_string()
    }
}

/// Parses and classifies one chunk of records.
fn process_chunk(
    source: &Arc<str>,
    format: Format,
    work: Work,
    max_record_bytes: usize,
    shared: &Shared,
) -> ChunkResult {
    let mut result = ChunkResult::default();
    let redactor = shared.redactor.as_ref();
    // The `#Fields:` in force, for W3C lines.
    let w3c_fields = std::cell::RefCell::new(match &work {
        Work::W3c { fields, .. } => fields.clone(),
        _ => None,
    });
    let read = |result: &mut ChunkResult, record: u64, bytes: &[u8], csv: Option<&CsvHeader>| {
        result.records += 1;
        // Most records cannot be Partner Center: count them without parsing.
        if !shared.prefilter.may_be_partner_center(bytes) {
            result.other += 1;
            return;
        }
        let parsed = match csv {
            Some(header) => parse_csv_record_mapped(bytes, header, &shared.fields),
            None if format.framing == Framing::W3c => {
                let fields = w3c_fields.borrow();
                parse_w3c_record(bytes, fields.as_deref().unwrap_or(W3cFields::iis_default()))
            }
            None => parse_record_mapped(bytes, format, &shared.fields),
        };
        match parsed {
            Parsed::Reject(reason) => result.rejects.push(Reject {
                source_file: source.clone(),
                source_record: record,
                reason,
            }),
            Parsed::SideEvidence(fact, label) => {
                // Evidence about other records' calls, not a call itself.
                result.other += 1;
                if !result.labels.contains(&label) {
                    result.labels.push(label);
                }
                result.facts.extend(fact);
            }
            Parsed::Event(observation, label) => {
                if !result.labels.contains(&label) {
                    result.labels.push(label);
                }
                let origin = Origin {
                    source_file: source.clone(),
                    source_record: record,
                    format: label,
                };
                let call =
                    TOKENS.with_borrow_mut(|tokens| classify_with(*observation, &origin, tokens));
                match call {
                    Some(mut call) => {
                        if let (Some(redactor), Some(principal)) = (redactor, &call.principal) {
                            call.principal = Some(redactor.pseudonym(principal).into());
                        }
                        if let Some(operation) = rejected_operation(&call) {
                            result.facts.push(SideFact::RejectedOperation {
                                operation_id: operation.to_string(),
                            });
                        }
                        result.packed.push(call)
                    }
                    None => result.other += 1,
                }
            }
        }
    };
    let reject = |result: &mut ChunkResult, record: u64, reason: RejectReason| {
        result.records += 1;
        result.rejects.push(Reject {
            source_file: source.clone(),
            source_record: record,
            reason,
        });
    };
    // A line without its `\n`; blank lines are not records.
    let line = |result: &mut ChunkResult, number: u64, line: &[u8]| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.iter().all(u8::is_ascii_whitespace) {
            read(result, number, line, None);
        }
    };
    match work {
        Work::Lines(chunk) => {
            let mut too_large = chunk.too_large.iter().peekable();
            let mut start = 0;
            for (offset, newline) in memchr::memchr_iter(b'\n', &chunk.data).enumerate() {
                let number = chunk.first_line + offset as u64;
                let text = &chunk.data[start..newline];
                start = newline + 1;
                if too_large.peek() == Some(&&number) {
                    too_large.next();
                    reject(&mut result, number, RejectReason::TooLarge);
                    continue;
                }
                line(&mut result, number, text);
            }
            if let Some(number) = chunk.cut_short {
                reject(&mut result, number, RejectReason::Truncated);
            }
        }
        Work::Range(file, range) => {
            let each = |result: &mut ChunkResult, number: u64, text: Line<'_>| match text {
                Line::Text(text) => line(result, number, text),
                Line::TooLarge => reject(result, number, RejectReason::TooLarge),
            };
            let mapped = read_mapped_range_lines(&file, range, max_record_bytes, |number, text| {
                each(&mut result, number, text)
            });
            // Not mapped, or the file shrank under the mapping: read it again.
            let read = match mapped {
                Some(end) => Ok(end),
                None => {
                    result = ChunkResult::default();
                    RANGE_BUFFER.with_borrow_mut(|buffer| {
                        read_range_lines(&file, range, max_record_bytes, buffer, |number, text| {
                            each(&mut result, number, text)
                        })
                    })
                }
            };
            match read {
                Ok(end) => {
                    result.range_lines = Some(end.lines);
                    if end.shrank {
                        result.failure =
                            Some("file shrank while being read: its end is missing".into());
                    }
                }
                Err(err) => {
                    result.range_lines = Some(0);
                    result.failure = Some(format!("read error: {err}"));
                }
            }
        }
        Work::Elements(elements) => {
            for element in elements {
                match element {
                    Ok((index, bytes)) => read(&mut result, index, &bytes, None),
                    Err((index, reason)) => reject(&mut result, index, reason),
                }
            }
        }
        Work::Groups {
            chunk,
            rule,
            max_bytes,
        } => {
            let groups = split_groups(chunk.first_line, &chunk.data, |line| {
                rule.starts_record(line)
            });
            for (first, bytes) in groups {
                let last =
                    first + memchr::memchr_iter(b'\n', bytes).count().saturating_sub(1) as u64;
                let holds_long_line = chunk.long_lines.iter().any(|n| (first..=last).contains(n));
                if bytes.len() > max_bytes || holds_long_line {
                    reject(&mut result, first, RejectReason::TooLarge);
                } else {
                    read(&mut result, first, bytes.trim_ascii_end(), None);
                }
            }
            for first in chunk.too_large {
                reject(&mut result, first, RejectReason::TooLarge);
            }
            if let Some(number) = chunk.cut_short {
                reject(&mut result, number, RejectReason::Truncated);
            }
        }
        Work::W3c { chunk, .. } => {
            let mut too_large = chunk.too_large.iter().peekable();
            for (offset, line) in chunk.data.split_inclusive(|b| *b == b'\n').enumerate() {
                let number = chunk.first_line + offset as u64;
                if too_large.peek() == Some(&&number) {
                    too_large.next();
                    reject(&mut result, number, RejectReason::TooLarge);
                    continue;
                }
                let line = line.trim_ascii_end();
                if line.is_empty() {
                    continue;
                }
                // Directives are headers, not records.
                if is_w3c_directive(line) {
                    if let Some(fields) = W3cFields::from_directive(line) {
                        *w3c_fields.borrow_mut() = Some(fields);
                    }
                    continue;
                }
                read(&mut result, number, line, None);
            }
            if let Some(number) = chunk.cut_short {
                reject(&mut result, number, RejectReason::Truncated);
            }
        }
        Work::Csv(chunk, header) => {
            // The header names the file's format even when no row is read.
            result.labels.push(header.label());
            for (number, range) in chunk.records {
                match range.and_then(|r| chunk.data.get(r)) {
                    Some(row) => read(&mut result, number, row, Some(&header)),
                    None => reject(&mut result, number, RejectReason::TooLarge),
                }
            }
            if let Some(number) = chunk.cut_short {
                reject(&mut result, number, RejectReason::Truncated);
            }
        }
    }
    result
}

/// Per-file tallies, kept by the writer in input order.
struct Ledger {
    files: Vec<FileSummary>,
    /// Whether each input was read (not skipped or unreadable).
    read: Vec<bool>,
    unreadable: Vec<UnreadableInput>,
    skipped: Vec<SkippedInput>,
    /// What evidence from other records did, once the run is over.
    evidence: CrossRecordEvidence,
}

impl Ledger {
    fn new(files: &[InputFile]) -> Ledger {
        Ledger {
            files: files
                .iter()
                .map(|f| FileSummary {
                    path: f.display.to_string(),
                    ..FileSummary::default()
                })
                .collect(),
            read: vec![false; files.len()],
            unreadable: Vec::new(),
            skipped: Vec::new(),
            evidence: CrossRecordEvidence::default(),
        }
    }

    fn record(&mut self, message: &Message) {
        match message {
            Message::Opened {
                file,
                format,
                compression,
            } => {
                self.read[*file] = true;
                self.files[*file].format = format.to_string();
                self.files[*file].compression = compression.to_string();
            }
            Message::Chunk { file, result } => {
                if let Some(reason) = &result.failure {
                    self.files[*file]
                        .error
                        .get_or_insert_with(|| reason.clone());
                }
                let entry = &mut self.files[*file];
                entry.records += result.records;
                entry.partner_center += result.packed.count;
                entry.other += result.other;
                entry.rejected += result.rejects.len() as u64;
                if let Some(label) = result.labels.first() {
                    if entry.records == result.records || entry.format.is_empty() {
                        entry.format = label.to_string();
                    }
                }
            }
            Message::Failed { file, reason } => {
                self.files[*file]
                    .error
                    .get_or_insert_with(|| reason.clone());
            }
            Message::Skipped { file, reason } => {
                self.read[*file] = false;
                self.skipped.push(SkippedInput {
                    path: self.files[*file].path.clone(),
                    reason: reason.clone(),
                });
            }
            Message::Unreadable { file, reason } => {
                self.unreadable.push(UnreadableInput {
                    path: self.files[*file].path.clone(),
                    reason: reason.clone(),
                });
            }
            Message::Bytes { file, bytes } => self.files[*file].bytes = *bytes,
        }
    }

    fn summary(
        self,
        discovery_unreadable: &[(String, String)],
        aggregates: &Aggregates,
        integrations: &[IntegrationRow],
        written: u64,
        threads: usize,
        duration_seconds: f64,
    ) -> Summary {
        let read_files: Vec<FileSummary> = self
            .files
            .into_iter()
            .zip(self.read)
            .filter_map(|(file, read)| read.then_some(file))
            .collect();
        let mut unreadable: Vec<UnreadableInput> = discovery_unreadable
            .iter()
            .map(|(path, reason)| UnreadableInput {
                path: path.clone(),
                reason: reason.clone(),
            })
            .collect();
        unreadable.extend(self.unreadable);
        let sum = |f: fn(&FileSummary) -> u64| read_files.iter().map(f).sum::<u64>();
        let accounting = Accounting {
            records: sum(|f| f.records),
            partner_center: sum(|f| f.partner_center),
            other: sum(|f| f.other),
            rejected: sum(|f| f.rejected),
            holds: false,
        };
        let accounting = Accounting {
            holds: accounting.records
                == accounting.partner_center + accounting.other + accounting.rejected
                && accounting.partner_center == written,
            ..accounting
        };
        let mut integration_counts = VerdictCounts::default();
        for row in integrations {
            integration_counts.add(row.verdict);
        }
        let partial = !unreadable.is_empty()
            || accounting.rejected > 0
            || read_files.iter().any(|f| f.error.is_some());
        Summary {
            schema_version: SCHEMA_VERSION,
            tool: "pcmfa",
            tool_version: env!("CARGO_PKG_VERSION"),
            status: if partial { "partial" } else { "complete" },
            inputs: InputTotals {
                files: read_files.len() as u64,
                bytes: sum(|f| f.bytes),
                records: accounting.records,
                unreadable: unreadable.len() as u64,
                skipped: self.skipped.len() as u64,
            },
            partner_center: PartnerCenterTotals {
                events: aggregates.totals.total(),
                api_calls: aggregates.api_calls,
                sign_ins: aggregates.sign_ins,
                by_verdict: verdict_totals(&aggregates.totals),
            },
            accounting,
            integrations: IntegrationTotals {
                total: integrations.len() as u64,
                by_verdict: verdict_totals(&integration_counts),
            },
            cross_record_evidence: self.evidence,
            time_range: TimeRange {
                first: aggregates.first_time.map(format_iso),
                last: aggregates.last_time.map(format_iso),
            },
            files: read_files,
            unreadable,
            skipped: self.skipped,
            threads,
            duration_seconds,
            shard: None,
            rollup: None,
        }
    }
}

fn verdict_totals(counts: &VerdictCounts) -> VerdictTotals {
    VerdictTotals {
        broken: counts.get(Verdict::Broken),
        at_risk: counts.get(Verdict::AtRisk),
        compliant: counts.get(Verdict::Compliant),
        not_affected: counts.get(Verdict::NotAffected),
        unknown: counts.get(Verdict::Unknown),
    }
}

/// What the writer wrote: the call count and the aggregates of the calls
/// the workers did not fold (held or over the hold limit).
struct Written {
    calls: u64,
    late: Aggregates,
}

/// Receives results, restores input order and streams the row outputs.
/// Calls that side evidence may change are held back, judged again once
/// every record is read, and written last, in input order.
fn write_in_order(
    config: &ScanConfig,
    run_dir: &std::path::Path,
    messages: Receiver<(u64, Message)>,
    tickets: SyncSender<()>,
    ledger: &mut Ledger,
    shared: &Shared,
    encoder: Arc<PoolJobs>,
) -> Result<Written, Error> {
    let mut calls = match config.shard {
        Some(spec) => CallsSink::Parts(
            PartitionedCallsWriter::create(&config.out_dir, spec.index)?.encode_with(encoder),
        ),
        None => CallsSink::File(Box::new(
            CallsParquetWriter::create(&config.out_dir)?.encode_with(encoder),
        )),
    };
    let mut rejects = RejectsCsvWriter::create(run_dir)?;
    let mut waiting: BTreeMap<u64, Message> = BTreeMap::new();
    let mut next = 0u64;
    let mut held = HeldCalls::new(config.max_held_calls);
    let mut late = Aggregates::default();
    // Per file: lines of the byte ranges written so far.
    let mut range_lines = vec![0u64; ledger.files.len()];
    for (seq, message) in messages {
        waiting.insert(seq, message);
        while let Some(mut message) = waiting.remove(&next) {
            next += 1;
            if let Message::Chunk { file, result } = &mut message {
                if let Some(lines) = result.range_lines {
                    let before = range_lines[*file];
                    result.packed.shift_records(before)?;
                    result
                        .rejects
                        .iter_mut()
                        .for_each(|r| r.source_record += before);
                    range_lines[*file] += lines;
                }
            }
            ledger.record(&message);
            if let Message::Chunk { result, file } = &mut message {
                std::mem::take(&mut result.packed)
                    .write(*file, &mut held, &mut late, &mut calls)?;
                for reject in &result.rejects {
                    rejects.write(reject)?;
                }
                // A full ticket queue means the reader has stopped: nothing to return.
                let _ = tickets.try_send(());
            }
            if next % TRIM_EVERY_MESSAGES == 0 {
                memory::release_free_memory();
            }
        }
    }
    drop(tickets);
    rejects.finish()?;
    // Every job has finished: the side evidence is complete.
    let mut side = SideEvidence::default();
    for partial in &shared.side {
        side.merge(std::mem::take(
            &mut *partial.lock().unwrap_or_else(|e| e.into_inner()),
        ));
    }
    let held_calls = held.len() as u64;
    let resolved = held.resolve(&side, |call| {
        late.add(call);
        calls.write(call)
    })?;
    // A trace whose 900421 lifted onto its operation's call was evidence.
    for &file in &resolved.traces_as_evidence {
        ledger.files[file].partner_center -= 1;
        ledger.files[file].other += 1;
    }
    ledger.evidence = CrossRecordEvidence {
        token_requests: side.token_requests,
        token_request_apps: side.token_grants.len() as u64,
        rejection_traces: side.rejection_traces,
        rejected_operations: side.rejected_operations.len() as u64,
        held_calls,
        lifted_by_trace_900421: resolved.lifted_by_trace,
        lifted_by_token_request: resolved.lifted_by_token_request,
        traces_as_evidence: resolved.traces_as_evidence.len() as u64,
        not_held: resolved.not_held,
    };
    Ok(Written {
        calls: calls.finish()?,
        late,
    })
}
