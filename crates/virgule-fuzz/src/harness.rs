//! The run loop: a worker thread runs the seeds, then mutations of the pool, each inside
//! `catch_unwind`; the calling thread watches it (an input running past the hang limit, the
//! process's resident memory past its limit) and stops it when the time is up.
//!
//! The worker's stack is 2 MiB, as on the threads production reads feeds and imports on
//! (tokio's workers and blocking threads, the Rust default), so a recursion too deep for them
//! is too deep here. A stack overflow or an abort ends the process without unwinding: the
//! input that did it is left in `<crash dir>/<target>/in-flight`, which each input is written
//! to before it runs. The slowest input of a run is kept in `<crash dir>/<target>/slowest`.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Seek, SeekFrom, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::{Duration, Instant};

use crate::mutate::Mutator;
use crate::targets::Target;

/// How a run is bounded and where it leaves what it finds.
#[derive(Clone, Debug)]
pub struct Config {
    /// How long to fuzz (the seeds always all run first).
    pub duration: Duration,
    /// An input still running after this long is a hang.
    pub hang_after: Duration,
    /// Resident memory (bytes) past which the process has blown up.
    pub rss_limit: u64,
    /// Failing inputs go to `<crash_dir>/<target>/`.
    pub crash_dir: PathBuf,
    /// The mutator's seed: the same seed and corpus give the same inputs.
    pub seed: u64,
    /// Mutated inputs are cut to this many bytes.
    pub max_len: usize,
    /// At most this many inputs are kept in the pool, seeds included.
    pub max_pool: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            duration: Duration::from_secs(10),
            hang_after: Duration::from_secs(10),
            rss_limit: 2 << 30,
            crash_dir: PathBuf::from("/var/tmp/virgule-fuzz/crashes"),
            seed: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
            max_len: 1 << 20,
            max_pool: 4096,
        }
    }
}

/// What went wrong with an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    Panic,
    /// The target's own check of its result failed.
    Invariant,
    Hang,
    Memory,
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Panic => "panic",
            FailureKind::Invariant => "invariant",
            FailureKind::Hang => "hang",
            FailureKind::Memory => "memory",
        })
    }
}

/// The first failing input of a run.
#[derive(Clone, Debug)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub input: Vec<u8>,
    /// Where the input was saved (with the message in a `.txt` beside it), unless saving
    /// failed.
    pub saved: Option<PathBuf>,
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct Report {
    pub target: &'static str,
    /// Inputs run, seeds included.
    pub execs: u64,
    pub seeds: usize,
    pub elapsed: Duration,
    /// The process's peak resident memory during the run, in bytes.
    pub peak_rss: u64,
    /// The longest any one input took.
    pub slowest: Duration,
    /// Inputs in the pool at the end: the seeds and the mutations that showed new behaviour.
    pub pool: usize,
    pub failure: Option<Failure>,
}

impl Report {
    pub fn execs_per_second(&self) -> f64 {
        self.execs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} execs in {:.1} s ({:.0}/s), {} seeds, pool {}, peak RSS {} MiB, slowest input {:.1} ms, ",
            self.target,
            self.execs,
            self.elapsed.as_secs_f64(),
            self.execs_per_second(),
            self.seeds,
            self.pool,
            self.peak_rss >> 20,
            self.slowest.as_secs_f64() * 1000.0,
        )?;
        match &self.failure {
            None => write!(f, "no failure"),
            Some(failure) => {
                write!(f, "FAILED ({}): {}", failure.kind, first_line(&failure.message))?;
                match &failure.saved {
                    Some(path) => write!(f, "; input saved to {}", path.display()),
                    None => write!(f, "; input NOT saved"),
                }
            }
        }
    }
}

/// What the worker shares with the watchdog.
struct Shared {
    stop: AtomicBool,
    execs: AtomicU64,
    /// Microseconds since `origin` at which the running input started, plus one; 0 when idle.
    busy_since: AtomicU64,
    /// The input running (or last run).
    current: Mutex<Arc<[u8]>>,
    origin: Instant,
}

impl Shared {
    fn micros(&self) -> u64 {
        self.origin.elapsed().as_micros() as u64 + 1
    }
}

/// What the worker hands back when it stops.
struct WorkerEnd {
    failure: Option<(FailureKind, String, Vec<u8>)>,
    seeds: usize,
    pool: usize,
    slowest: Duration,
}

/// Fuzzes `target` from `seeds` as `config` says, and reports. Stops at the first failure.
/// After a hang or a memory blow-up the worker thread cannot be stopped: it is left running,
/// and the caller should end the process once it has reported.
pub fn fuzz(target: &'static Target, seeds: Vec<Vec<u8>>, config: &Config) -> Report {
    install_panic_hook();
    reset_peak_rss();
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        execs: AtomicU64::new(0),
        busy_since: AtomicU64::new(0),
        current: Mutex::new(Arc::from(Vec::new())),
        origin: Instant::now(),
    });
    let in_flight = config.crash_dir.join(target.name).join("in-flight");
    let (done, ended) = mpsc::channel();
    let worker = {
        let (shared, config) = (Arc::clone(&shared), config.clone());
        std::thread::Builder::new().name(format!("fuzz-{}", target.name)).stack_size(2 << 20).spawn(
            move || {
                let end = work(target, seeds, &config, &shared, &in_flight);
                let _ = done.send(end);
            },
        )
    };
    let mut peak_sampled = 0;
    let deadline = shared.origin + config.duration;
    let mut stop_at = None;
    let outcome = match worker {
        Err(e) => {
            Err((FailureKind::Panic, format!("cannot start the worker thread: {e}"), Vec::new()))
        }
        Ok(_) => loop {
            match ended.recv_timeout(Duration::from_millis(10)) {
                Ok(end) => break Ok(end),
                Err(RecvTimeoutError::Disconnected) => {
                    break Err((
                        FailureKind::Panic,
                        "the worker thread died".to_owned(),
                        Vec::new(),
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            let rss = current_rss();
            peak_sampled = peak_sampled.max(rss);
            let current = || shared.current.lock().unwrap_or_else(PoisonError::into_inner).to_vec();
            if rss > config.rss_limit {
                shared.stop.store(true, Ordering::Relaxed);
                break Err((
                    FailureKind::Memory,
                    format!("resident memory {} MiB while running this input", rss >> 20),
                    current(),
                ));
            }
            let since = shared.busy_since.load(Ordering::Relaxed);
            if since != 0 {
                let running = Duration::from_micros(shared.micros().saturating_sub(since));
                if running > config.hang_after {
                    shared.stop.store(true, Ordering::Relaxed);
                    break Err((
                        FailureKind::Hang,
                        format!("still running after {:.1} s", running.as_secs_f64()),
                        current(),
                    ));
                }
            }
            if Instant::now() >= deadline && stop_at.is_none() {
                shared.stop.store(true, Ordering::Relaxed);
                stop_at = Some(Instant::now());
            }
        },
    };
    let elapsed = stop_at.unwrap_or_else(Instant::now) - shared.origin;
    let execs = shared.execs.load(Ordering::Relaxed);
    let peak_rss = peak_rss().unwrap_or(0).max(peak_sampled);
    let (end, failure) = match outcome {
        Ok(WorkerEnd { failure, seeds, pool, slowest }) => {
            (WorkerEnd { failure: None, seeds, pool, slowest }, failure)
        }
        Err(failure) => {
            (WorkerEnd { failure: None, seeds: 0, pool: 0, slowest: Duration::ZERO }, Some(failure))
        }
    };
    let failure = failure.map(|(kind, message, input)| {
        let saved = save(&config.crash_dir, target.name, kind, &message, &input);
        Failure { kind, message, input, saved }
    });
    if failure.as_ref().is_none_or(|f| !matches!(f.kind, FailureKind::Hang | FailureKind::Memory)) {
        // The worker has returned: its last input ended normally or is saved as a failure.
        let _ = std::fs::remove_file(config.crash_dir.join(target.name).join("in-flight"));
    }
    Report {
        target: target.name,
        execs,
        seeds: end.seeds,
        elapsed,
        peak_rss,
        slowest: end.slowest,
        pool: end.pool,
        failure,
    }
}

/// The worker: the seeds as they are, then mutations, until told to stop or a failure.
fn work(
    target: &'static Target,
    seeds: Vec<Vec<u8>>,
    config: &Config,
    shared: &Shared,
    in_flight: &Path,
) -> WorkerEnd {
    // The slowest input so far is kept beside it, to see where the time goes.
    let slowest_path = in_flight.with_file_name("slowest");
    let mut in_flight = in_flight
        .parent()
        .and_then(|dir| std::fs::create_dir_all(dir).ok())
        .and_then(|()| File::create(in_flight).ok());
    let seed_count = seeds.len();
    let mut pool: Vec<Arc<[u8]>> = seeds.into_iter().map(Arc::from).collect();
    let mut mutator = Mutator::new(config.seed, target.tokens, config.max_len);
    let mut shapes = HashSet::new();
    let mut slowest = Duration::ZERO;
    let mut next_seed = 0;
    let end = |failure, pool: &Vec<Arc<[u8]>>, slowest| WorkerEnd {
        failure,
        seeds: seed_count,
        pool: pool.len(),
        slowest,
    };
    while !shared.stop.load(Ordering::Relaxed) {
        let (input, is_seed): (Arc<[u8]>, bool) = if next_seed < seed_count {
            next_seed += 1;
            (Arc::clone(&pool[next_seed - 1]), true)
        } else if pool.is_empty() {
            (Arc::from(mutator.mutate(b"", b"")), false)
        } else {
            let a = mutator.below(pool.len());
            let b = mutator.below(pool.len());
            (Arc::from(mutator.mutate(&pool[a], &pool[b])), false)
        };
        if let Some(file) = &mut in_flight {
            let _ = file
                .set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)))
                .and_then(|_| file.write_all(&input));
        }
        *shared.current.lock().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&input);
        let started = Instant::now();
        shared.busy_since.store(shared.micros(), Ordering::Relaxed);
        let outcome = run_caught(target, &input);
        shared.busy_since.store(0, Ordering::Relaxed);
        let took = started.elapsed();
        if took > slowest {
            slowest = took;
            let _ = std::fs::write(&slowest_path, &input);
        }
        shared.execs.fetch_add(1, Ordering::Relaxed);
        let rss = peak_rss().unwrap_or(0);
        if rss > config.rss_limit {
            let message = format!("peak resident memory {} MiB after this input", rss >> 20);
            return end(Some((FailureKind::Memory, message, input.to_vec())), &pool, slowest);
        }
        match outcome {
            Ok(shape) => {
                if shapes.insert(shape) && !is_seed {
                    if pool.len() < config.max_pool {
                        pool.push(input);
                    } else if pool.len() > seed_count {
                        let at = seed_count + mutator.below(pool.len() - seed_count);
                        pool[at] = input;
                    }
                }
            }
            Err((kind, message)) => {
                return end(Some((kind, message, input.to_vec())), &pool, slowest);
            }
        }
    }
    end(None, &pool, slowest)
}

/// Runs one input under `catch_unwind`: its shape, or the failure.
fn run_caught(target: &Target, input: &[u8]) -> Result<u64, (FailureKind, String)> {
    IN_TARGET.with(|flag| flag.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    IN_TARGET.with(|flag| flag.set(false));
    match result {
        Ok(Ok(shape)) => Ok(shape),
        Ok(Err(broken)) => Err((FailureKind::Invariant, broken)),
        Err(payload) => {
            let message = LAST_PANIC.with(RefCell::take).unwrap_or_else(|| payload_text(&*payload));
            Err((FailureKind::Panic, message))
        }
    }
}

/// Runs `input` once, as the fuzzer would, for replaying a saved failure.
pub fn replay(target: &Target, input: &[u8]) -> Result<u64, (FailureKind, String)> {
    install_panic_hook();
    run_caught(target, input)
}

thread_local! {
    /// Whether this thread is inside a target: its panics are ours to report, not printed.
    static IN_TARGET: Cell<bool> = const { Cell::new(false) };
    /// The message and place of the last panic inside a target, with a backtrace.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics inside a target are recorded (message, place, backtrace) instead of printed;
/// every other panic goes to the hook that was there before.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_TARGET.with(Cell::get) {
                let place = info.location().map(ToString::to_string).unwrap_or_default();
                let backtrace = std::backtrace::Backtrace::force_capture();
                let message =
                    format!("panicked at {place}: {}\n\n{backtrace}", payload_text(info.payload()));
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

/// Saves a failing input as `<dir>/<target>/<kind>-<hash>` and its message beside it.
fn save(
    dir: &Path,
    target: &str,
    kind: FailureKind,
    message: &str,
    input: &[u8],
) -> Option<PathBuf> {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).ok()?;
    let mut hasher = DefaultHasher::new();
    input.hash(&mut hasher);
    let path = dir.join(format!("{kind}-{:016x}", hasher.finish()));
    std::fs::write(&path, input).ok()?;
    let note = format!(
        "target: {target}\nkind: {kind}\nreplay: cargo run --release -p virgule-fuzz -- {target} --replay {}\n\n{message}\n",
        path.display()
    );
    std::fs::write(path.with_extension("txt"), note).ok()?;
    Some(path)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The process's resident memory now, in bytes (`/proc/self/statm`; 0 where there is none).
pub(crate) fn current_rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// The process's peak resident memory since the last reset, in bytes (`VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Starts the peak (`VmHWM`) again from the current resident memory, so each run reports its
/// own; where that is not allowed the peak stays the process's.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
