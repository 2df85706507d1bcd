//! Reads a byte range of a plain regular file through a read-only memory
//! mapping instead of `pread`, so the bytes are not copied out of the page
//! cache (that copy was the largest single cost of a scan of plain files).
//!
//! Each range is mapped on its own (`MAP_PRIVATE`, from the page holding the
//! byte before the range to the cap its last line may reach, never past the
//! file's size at open), its lines are read from the mapped slice exactly as
//! [`read_range_lines`](super::read_range_lines) reads them, and it is
//! unmapped. Only the pages a range touches are faulted in.
//!
//! **Truncation.** A file truncated while mapped (logrotate `copytruncate`)
//! makes a load from a page past its new end raise `SIGBUS`, which would kill
//! the process. A process-wide `SIGBUS` handler, installed once, looks the
//! faulting address up in a fixed-size, lock-free registry of the live
//! mappings: inside one, it maps anonymous zero pages over the rest of that
//! mapping, marks it faulted and returns, so the load reads zeros. A fault
//! anywhere else goes to the handler that was there before (Rust's
//! stack-overflow guard), or kills the process as it would have. A range
//! whose mapping faulted, or whose file is shorter after reading than the
//! bytes it mapped (a cut inside a page reads as zeros, not as a fault),
//! is not trusted: [`read_mapped_range_lines`] returns `None` and the caller
//! throws away what it was given and reads the range again with `pread`,
//! which keeps the lines before the cut and reports that the file shrank.
//! Mapping failures (and a full registry) also return `None` before any line.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::ptr::null_mut;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{OnceLock, RwLock};

use super::ranges::{slice_range_lines, ByteRange, Line, RangeEnd};

/// Whether ranges are mapped (`false`: every range is read with `pread`).
static ENABLED: AtomicBool = AtomicBool::new(true);

/// Maps ranges (the default) or reads every range with `pread`; for tests
/// and benchmarks that compare the two paths.
pub fn set_memory_mapping(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Called with the file between mapping a range and reading it, in tests
/// that truncate the file there.
type AfterMapping = fn(&File);
static AFTER_MAPPING: RwLock<Option<AfterMapping>> = RwLock::new(None);

/// Test hook: `hook` runs between mapping a range and reading it.
#[doc(hidden)]
pub fn set_after_mapping_hook(hook: Option<AfterMapping>) {
    *AFTER_MAPPING.write().unwrap_or_else(|e| e.into_inner()) = hook;
}

/// `SIGBUS` faults survived (each zero-filled one mapping), since start.
pub fn mapping_faults() -> u64 {
    FAULTS.load(Ordering::Relaxed)
}

/// Reads the lines `range` owns from a mapping of `file`, handing each to
/// `each` as [`read_range_lines`](super::read_range_lines) does. `None`: the
/// range could not be mapped, or the file shrank under the mapping; whatever
/// `each` was given must be thrown away and the range read with `pread`.
pub fn read_mapped_range_lines(
    file: &File,
    range: ByteRange,
    max_line: usize,
    each: impl FnMut(u64, Line<'_>),
) -> Option<RangeEnd> {
    if !ENABLED.load(Ordering::Relaxed) || !handler_installed() {
        return None;
    }
    let from = range.start.saturating_sub(1);
    let end = range
        .end
        .saturating_add(max_line as u64)
        .saturating_add(1)
        .min(range.size);
    let page = PAGE_SIZE.load(Ordering::Relaxed) as u64;
    let map_start = from - from % page;
    let skip = (from - map_start) as usize;
    let len = usize::try_from(end.checked_sub(map_start)?).ok()?;
    let mapping = Mapping::new(file, map_start, len)?;
    // Read ahead what the range surely needs; the rest only if a line runs on.
    let surely = usize::try_from(range.end - map_start).unwrap_or(len);
    mapping.advise(surely.min(len));
    if let Some(hook) = *AFTER_MAPPING.read().unwrap_or_else(|e| e.into_inner()) {
        hook(file);
    }
    let bytes = mapping.bytes().get(skip..)?;
    let lines = slice_range_lines(bytes, range, max_line, each);
    let still_whole = file.metadata().is_ok_and(|m| m.len() >= end);
    if mapping.faulted() || !still_whole {
        return None;
    }
    Some(RangeEnd {
        lines,
        shrank: false,
    })
}

/// One live mapping, registered for the `SIGBUS` handler; unmapped on drop.
struct Mapping {
    ptr: *mut libc::c_void,
    len: usize,
    slot: &'static Slot,
}

impl Mapping {
    fn new(file: &File, offset: u64, len: usize) -> Option<Mapping> {
        let offset = libc::off_t::try_from(offset).ok()?;
        if len == 0 {
            return None;
        }
        // SAFETY: a fresh read-only private mapping of a file we hold open; the
        // kernel picks the address, so no existing memory is replaced.
        let ptr = unsafe {
            libc::mmap(
                null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        let Some(slot) = Slot::claim() else {
            // SAFETY: `ptr`/`len` is the mapping just made, never handed out.
            unsafe { libc::munmap(ptr, len) };
            return None;
        };
        slot.publish(ptr as usize, len);
        Some(Mapping { ptr, len, slot })
    }

    /// Asks the kernel to map the first `len` bytes' pages now, in one call,
    /// rather than one fault at a time (measured: fewer faults and no more CPU
    /// than `MADV_SEQUENTIAL` or no advice; `MAP_POPULATE` would map the whole
    /// line-cap overhang too). Kernels before 5.14 refuse it: no harm.
    fn advise(&self, len: usize) {
        // SAFETY: advice on our own live mapping; it changes no contents.
        unsafe { libc::madvise(self.ptr, len, libc::MADV_POPULATE_READ) };
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr..ptr + len` is mapped readable until `self` drops, and
        // nothing writes through it. Truncation may turn pages into zero
        // pages under the slice (see the module doc); such a read is thrown
        // away, and the slice's length, which bounds every index, never changes.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }

    fn faulted(&self) -> bool {
        self.slot.faulted.load(Ordering::Acquire)
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // Unregister first: once unmapped, the addresses may be reused.
        self.slot.retire();
        // SAFETY: the mapping made in `new`, no slice of it outlives `self`.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

/// Live mappings at most (a worker holds one at a time); more read with `pread`.
const SLOTS: usize = 256;

/// A registry entry: a sequence lock guards `(start, len)` so the handler
/// never acts on a half-written entry; only the slot's owner writes it.
struct Slot {
    claimed: AtomicBool,
    /// Odd while the owner rewrites `start` and `len`.
    sequence: AtomicUsize,
    start: AtomicUsize,
    /// 0 when no mapping is registered.
    len: AtomicUsize,
    faulted: AtomicBool,
}

static REGISTRY: [Slot; SLOTS] = [const { Slot::new() }; SLOTS];
static FAULTS: AtomicU64 = AtomicU64::new(0);
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(4096);

impl Slot {
    const fn new() -> Slot {
        Slot {
            claimed: AtomicBool::new(false),
            sequence: AtomicUsize::new(0),
            start: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            faulted: AtomicBool::new(false),
        }
    }

    fn claim() -> Option<&'static Slot> {
        REGISTRY.iter().find(|slot| {
            slot.claimed
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        })
    }

    fn write(&self, start: usize, len: usize) {
        let sequence = self.sequence.load(Ordering::Relaxed);
        self.sequence.store(sequence + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.start.store(start, Ordering::Relaxed);
        self.len.store(len, Ordering::Relaxed);
        self.sequence.store(sequence + 2, Ordering::Release);
    }

    fn publish(&self, start: usize, len: usize) {
        self.faulted.store(false, Ordering::Relaxed);
        self.write(start, len);
    }

    fn retire(&self) {
        self.write(0, 0);
        self.claimed.store(false, Ordering::Release);
    }

    /// The registered `(start, len)`, if stable and not being rewritten.
    /// Async-signal-safe: atomics only.
    fn read(&self) -> Option<(usize, usize)> {
        let before = self.sequence.load(Ordering::Acquire);
        if before % 2 == 1 {
            return None;
        }
        let start = self.start.load(Ordering::Relaxed);
        let len = self.len.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        (self.sequence.load(Ordering::Relaxed) == before && len > 0).then_some((start, len))
    }
}

/// The `SIGBUS` action that was in place before ours.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();
static INSTALLED: OnceLock<bool> = OnceLock::new();

fn handler_installed() -> bool {
    *INSTALLED.get_or_init(install_handler)
}

fn install_handler() -> bool {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    match usize::try_from(page) {
        Ok(page) if page.is_power_of_two() => PAGE_SIZE.store(page, Ordering::Relaxed),
        _ => return false,
    }
    // SAFETY: an all-zero `sigaction` is a valid value to be filled in.
    let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: queries the current action into a valid struct.
    if unsafe { libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut previous) } != 0 {
        return false;
    }
    if PREVIOUS.set(previous).is_err() {
        return false;
    }
    // SAFETY: as above.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_sigbus as *const () as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
    // SAFETY: `action.sa_mask` is a valid set to empty; `on_sigbus` has the
    // three-argument signature that SA_SIGINFO calls.
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, null_mut()) == 0
    }
}

/// Zero-fills the rest of a registered mapping the fault lies in, or passes
/// the signal on. Async-signal-safe: atomics, `mmap`, `sigaction`, `raise`.
extern "C" fn on_sigbus(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: with SA_SIGINFO the kernel passes a valid `siginfo_t`.
    let address = unsafe { (*info).si_addr() } as usize;
    let page = PAGE_SIZE.load(Ordering::Relaxed);
    for slot in &REGISTRY {
        let Some((start, len)) = slot.read() else {
            continue;
        };
        if address < start || address - start >= len {
            continue;
        }
        let from = address - address % page;
        // SAFETY: replaces pages of our own registered mapping (from the
        // faulting page to its end) with zero pages; only the thread that
        // faulted reads it, and it is unmapped only after that thread stops.
        let zeros = unsafe {
            libc::mmap(
                from as *mut libc::c_void,
                start + len - from,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if zeros == libc::MAP_FAILED {
            break;
        }
        slot.faulted.store(true, Ordering::Release);
        FAULTS.fetch_add(1, Ordering::Relaxed);
        return;
    }
    pass_on(signal, info, context);
}

/// Hands a fault that is not ours to the previous action.
fn pass_on(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let previous = PREVIOUS.get().map(|p| (p.sa_sigaction, p.sa_flags));
    match previous {
        Some((handler, flags)) if handler != libc::SIG_DFL && handler != libc::SIG_IGN => {
            if flags & libc::SA_SIGINFO != 0 {
                // SAFETY: installed with SA_SIGINFO, so it takes three arguments.
                let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    unsafe { std::mem::transmute(handler) };
                handler(signal, info, context);
            } else {
                // SAFETY: installed without SA_SIGINFO, so it takes the signal only.
                let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(handler) };
                handler(signal);
            }
        }
        // SAFETY: reading `si_code` of the valid `siginfo_t`.
        Some((handler, _)) if handler == libc::SIG_IGN && unsafe { (*info).si_code } <= 0 => {
            // Sent by a process to a process that ignores it.
        }
        _ => {
            // Die as without us: the default action, re-raised (delivered on return).
            // SAFETY: a zeroed `sigaction` is SIG_DFL with no flags; both calls
            // are async-signal-safe.
            unsafe {
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signal, &default, null_mut());
                libc::raise(signal);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ranges::{read_range_lines, split_ranges};
    use proptest::prelude::*;
    use std::io::Write;

    type Lines = Vec<(u64, Option<Vec<u8>>)>;

    fn collect(lines: &mut Lines, before: u64) -> impl FnMut(u64, Line<'_>) + '_ {
        move |number, line| {
            lines.push((
                before + number,
                match line {
                    Line::Text(text) => Some(text.to_vec()),
                    Line::TooLarge => None,
                },
            ))
        }
    }

    /// Every line of `file` as the mapped and the `pread` path read it.
    fn both_paths(file: &File, size: u64, target: usize, max_line: usize) -> (Lines, Lines) {
        let (mut mapped, mut read) = (Vec::new(), Vec::new());
        let (mut mapped_before, mut read_before) = (0, 0);
        let mut buf = Vec::new();
        for range in split_ranges(size, target) {
            let end =
                read_mapped_range_lines(file, range, max_line, collect(&mut mapped, mapped_before))
                    .expect("a file that does not change maps");
            mapped_before += end.lines;
            let end = read_range_lines(
                file,
                range,
                max_line,
                &mut buf,
                collect(&mut read, read_before),
            )
            .expect("read");
            assert!(!end.shrank);
            read_before += end.lines;
        }
        assert_eq!(mapped_before, read_before, "line counts");
        (mapped, read)
    }

    fn temp_file(data: &[u8]) -> File {
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(data).expect("write");
        file
    }

    /// Lines of JSON-ish text, blank lines, CRLF, over-long lines, a BOM.
    fn line_file() -> impl Strategy<Value = Vec<u8>> {
        let line = prop_oneof![
            4 => "[a-z{}\":, ]{0,40}".prop_map(|s| s.into_bytes()),
            1 => Just(Vec::new()),
            1 => "[a-z]{0,20}".prop_map(|s| format!("{s}\r").into_bytes()),
            1 => (50usize..300).prop_map(|n| vec![b'x'; n]),
        ];
        (
            any::<bool>(),
            prop::collection::vec(line, 0..60),
            any::<bool>(),
        )
            .prop_map(|(bom, lines, trailing_newline)| {
                let mut data = if bom {
                    b"\xEF\xBB\xBF".to_vec()
                } else {
                    Vec::new()
                };
                data.extend(lines.join(&b'\n'));
                if trailing_newline && !data.is_empty() {
                    data.push(b'\n');
                }
                data
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Ranges of any size (mid-line ends included) and any cap give the
        /// same numbered lines mapped as read.
        #[test]
        fn mapped_ranges_read_exactly_like_pread(
            data in line_file(),
            target in 1usize..400,
            max_line in 1usize..120,
        ) {
            let file = temp_file(&data);
            let (mapped, read) = both_paths(&file, data.len() as u64, target, max_line);
            prop_assert_eq!(mapped, read);
        }
    }

    /// Ranges that start past the first page map from a page boundary.
    #[test]
    fn ranges_deep_in_a_file_map_from_their_page() {
        let data: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("{{\"line\":{i}}}\n").into_bytes())
            .collect();
        let file = temp_file(&data);
        for target in [4096, 5000, 65_536] {
            let (mapped, read) = both_paths(&file, data.len() as u64, target, 1 << 20);
            assert_eq!(mapped.len(), 20_000);
            assert_eq!(mapped, read, "target {target}");
        }
    }

    /// `data` in a temporary file, opened, and the range of all of it.
    fn whole_file(data: &[u8]) -> (tempfile::NamedTempFile, File, ByteRange) {
        let path = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(path.path(), data).expect("write");
        let file = File::open(path.path()).expect("open");
        let size = data.len() as u64;
        let range = ByteRange {
            start: 0,
            end: size,
            size,
        };
        (path, file, range)
    }

    /// A file cut while mapped raises `SIGBUS` on the first page past its new
    /// end: the process survives, the range says to read it again, and the
    /// `pread` path keeps the lines before the cut and reports the shrink.
    #[test]
    fn a_file_truncated_under_its_mapping_faults_and_is_read_again() {
        let data: Vec<u8> = (0..10_000)
            .flat_map(|i| format!("{{\"line\":{i:06}}}\n").into_bytes())
            .collect(); // 16 bytes a line
        let (path, file, range) = whole_file(&data);
        let faults = mapping_faults();
        let mut lines = Vec::new();
        let mapped = {
            let page = PAGE_SIZE.load(Ordering::Relaxed);
            let bytes_before = page * 2; // a line boundary: 16 divides the page size
            let mut seen = 0;
            let each = |_: u64, _: Line<'_>| {
                seen += 1;
                if seen == 10 {
                    // Truncated from another handle while the range is read.
                    let cutter = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path.path())
                        .expect("open to cut");
                    cutter.set_len(bytes_before as u64).expect("truncate");
                }
            };
            read_mapped_range_lines(&file, range, 1 << 20, each)
        };
        assert_eq!(mapped, None, "a faulted range is read again");
        assert!(mapping_faults() > faults, "SIGBUS was raised and survived");
        let end = read_range_lines(
            &file,
            range,
            1 << 20,
            &mut Vec::new(),
            collect(&mut lines, 0),
        )
        .expect("read");
        assert!(end.shrank);
        let page = PAGE_SIZE.load(Ordering::Relaxed);
        assert_eq!(end.lines as usize, page * 2 / 16);
        assert_eq!(
            lines.last().and_then(|(_, l)| l.clone()),
            Some(format!("{{\"line\":{:06}}}", page * 2 / 16 - 1).into_bytes())
        );
    }

    /// A cut inside a page reads as zeros, not as a fault: the size check
    /// after reading still sends the range back to `pread`.
    #[test]
    fn a_cut_inside_a_page_is_caught_by_the_size_check() {
        let data = b"one\ntwo\nthree\nfour\n".repeat(10);
        let (path, file, range) = whole_file(&data);
        let cutter = std::fs::OpenOptions::new()
            .write(true)
            .open(path.path())
            .expect("open to cut");
        cutter.set_len(20).expect("truncate");
        let mapped = read_mapped_range_lines(&file, range, 100, |_, _| {});
        assert_eq!(mapped, None);
    }
    /// A bus error in memory that is not one of our mappings still kills the
    /// process, as it would without our handler (run in a child process).
    #[test]
    fn a_fault_outside_our_mappings_still_kills() {
        use std::os::unix::process::ExitStatusExt;
        let status = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--ignored",
                "--exact",
                "input::mapped::tests::fault_in_a_foreign_mapping",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run child");
        assert_eq!(status.signal(), Some(libc::SIGBUS), "child: {status:?}");
    }

    /// The child of the test above: reads a page past the end of a file it
    /// mapped itself, with our handler installed. Never returns normally.
    #[test]
    #[ignore = "run by a_fault_outside_our_mappings_still_kills in a child process"]
    fn fault_in_a_foreign_mapping() {
        assert!(handler_installed());
        let file = temp_file(b"");
        // SAFETY: a fresh read-only mapping of an empty file, one page long.
        let page = unsafe {
            libc::mmap(
                null_mut(),
                4096,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        assert_ne!(page, libc::MAP_FAILED);
        // SAFETY: the address is mapped; reading past the file's end raises
        // SIGBUS, which is the point of this test.
        let byte = unsafe { std::ptr::read_volatile(page as *const u8) };
        panic!("read {byte} past the end of a file without a bus error");
    }
}
