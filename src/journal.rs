//! The flight recorder's journal: one per cluster (its context and API server), in the data
//! directory, private (the directory 0700, its files 0600). Each change is one JSON line of a
//! gzipped segment file (`00000001.jsonl.gz`, …); a segment past [`SEGMENT`] bytes is closed and the
//! oldest are removed while the journal is past its size bound. Each run starts with a
//! `watching` marker and writes an `alive` marker every minute, so a reader can tell where
//! kubedeck was not watching: from the last line of a run to the next run's marker.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::kube::recorded::{Lines, StateLine};
use crate::kube::timeline::{Change, Record};

/// The default bound of one cluster's journal.
pub const DEFAULT_CAP: u64 = 256 << 20;
/// A segment's size before the next one starts.
pub const SEGMENT: u64 = 8 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {why}", path.display())]
pub struct JournalError {
    pub path: PathBuf,
    pub why: String,
}

fn fail(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |e| JournalError {
        path: path.to_path_buf(),
        why: e.to_string(),
    }
}

/// A cluster's journal directory under `root`: its context (safe characters only) and a hash
/// of its server, so two contexts of one name on different servers keep apart.
pub fn dir_for(root: &Path, context: &str, server: &str) -> PathBuf {
    let safe: String = context
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let h = server.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    root.join(format!("{safe}-{:08x}", h & 0xffff_ffff))
}

/// The segments of `dir`, oldest first: (number, path, size). Gzipped JSON lines
/// (`NNNNNNNN.jsonl.gz`); plain ones (`.jsonl`, an older kubedeck's) are read too.
pub fn segments(dir: &Path) -> Vec<(u64, PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(u64, PathBuf, u64)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?;
            let n = name
                .strip_suffix(".jsonl.gz")
                .or_else(|| name.strip_suffix(".jsonl"))?
                .parse()
                .ok()?;
            let size = e.metadata().ok()?.len();
            Some((n, path, size))
        })
        .collect();
    out.sort_by_key(|s| s.0);
    out
}

/// A segment's lines, as far as they read (a segment a killed kubedeck left ends without the
/// gzip trailer, and perhaps mid-line: what was flushed before is all there).
pub fn lines(path: &Path) -> Result<Box<dyn Iterator<Item = String>>, JournalError> {
    let file = File::open(path).map_err(fail(path))?;
    let reader: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(
        BufReader::new(reader).lines().map_while(Result::ok),
    ))
}

/// The file under a gzip stream, counting what reaches it.
struct Counting {
    file: File,
    written: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// An open journal, appended to. What is appended is compressed in memory until [`flush`]
/// (the writer flushes every [`FLUSH_EVERY`]).
///
/// [`flush`]: Journal::flush
pub struct Journal {
    dir: PathBuf,
    cap: u64,
    out: flate2::write::GzEncoder<Counting>,
    segment: u64,
    /// The last checkpoint's size on disk: a segment holds at least twice that before the next.
    checkpoint: u64,
    /// Appended since the last flush.
    dirty: bool,
}

/// Each recorded object's last line, by kind, then namespace and name.
type Objects =
    std::collections::BTreeMap<String, std::collections::HashMap<(String, String), String>>;

/// Every recorded object as the segment at `path` leaves it (its checkpoint or lists, then
/// its changes): each object's last line, by kind. Read back when a segment is full, for the
/// next one's checkpoint, rather than kept in memory all along (at 100,000 pods that copy
/// cost ~100 MB).
fn replay(path: &Path) -> Result<Objects, JournalError> {
    let mut kinds = Objects::default();
    for line in lines(path)?.filter(|l| l.starts_with(STATE_PREFIX)) {
        let Ok(s) = serde_json::from_str::<StateLine>(&line) else {
            continue;
        };
        let kind = kinds.entry(s.s).or_default();
        if s.list {
            kind.clear();
        } else if s.f.is_some() {
            kind.insert((s.ns, s.n), line);
        } else {
            kind.remove(&(s.ns, s.n));
        }
    }
    Ok(kinds)
}

/// Write every object of `kinds` as of `at` into `out`: each kind's list marker, then its
/// objects' lines (stamped `at`).
fn write_checkpoint(out: &mut impl Write, kinds: Objects, at: Timestamp) -> std::io::Result<()> {
    for (kind, objects) in kinds {
        let marker = serde_json::to_string(&StateLine::list(&kind, at)).unwrap_or_default();
        writeln!(out, "{marker}")?;
        for (_, line) in objects {
            let Ok(mut s) = serde_json::from_str::<StateLine>(&line) else {
                continue;
            };
            s.at = at;
            if let Ok(text) = serde_json::to_string(&s) {
                writeln!(out, "{text}")?;
            }
        }
    }
    Ok(())
}

/// How a line of recorded fields starts (a change's starts with its time).
pub const STATE_PREFIX: &str = "{\"s\":";

/// What the writer appends: the timeline's changes, or recorded fields.
#[derive(Debug)]
pub enum Batch {
    Records(Vec<Record>),
    States(Lines),
}

/// How long what is appended waits to be flushed to disk (a crash loses at most that).
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:08}.jsonl.gz"))
}

fn create(path: &Path) -> Result<flate2::write::GzEncoder<Counting>, JournalError> {
    let file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(fail(path))?;
    Ok(flate2::write::GzEncoder::new(
        Counting { file, written: 0 },
        flate2::Compression::default(),
    ))
}

impl Journal {
    /// Open the journal in `dir`, bounded by `cap` bytes: a new segment after the last (a
    /// gzip stream a killed run left unfinished is never continued).
    pub fn open(dir: &Path, cap: u64) -> Result<Self, JournalError> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail(dir))?;
        let segment = segments(dir).last().map_or(1, |(n, _, _)| n + 1);
        let out = create(&segment_path(dir, segment))?;
        let journal = Self {
            dir: dir.to_path_buf(),
            cap,
            out,
            segment,
            checkpoint: 0,
            dirty: false,
        };
        journal.trim();
        Ok(journal)
    }

    fn put(&mut self, text: &str) -> Result<(), JournalError> {
        self.dirty = true;
        let path = segment_path(&self.dir, self.segment);
        self.out.write_all(text.as_bytes()).map_err(fail(&path))
    }

    /// Append `records` (on disk at the next [`Journal::flush`]).
    pub fn append(&mut self, records: &[Record]) -> Result<(), JournalError> {
        let mut text = String::new();
        for r in records {
            if let Ok(line) = serde_json::to_string(r) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        self.put(&text)
    }

    /// Append recorded fields.
    pub fn append_states(&mut self, lines: &[StateLine]) -> Result<(), JournalError> {
        let mut text = String::new();
        for l in lines {
            if let Ok(line) = serde_json::to_string(l) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        self.put(&text)
    }

    pub fn append_batch(&mut self, batch: Batch) -> Result<(), JournalError> {
        match batch {
            Batch::Records(r) => self.append(&r),
            Batch::States(s) => self.append_states(&s.make()),
        }
    }

    /// What was appended, to disk (a sync flush of the gzip stream: all of it reads back);
    /// a new segment when this one is full, starting with a checkpoint, and the oldest gone
    /// past the bound.
    pub fn flush(&mut self) -> Result<(), JournalError> {
        if !self.dirty {
            return Ok(());
        }
        self.dirty = false;
        let path = segment_path(&self.dir, self.segment);
        self.out.flush().map_err(fail(&path))?;
        if self.out.get_ref().written >= SEGMENT.max(2 * self.checkpoint).min(self.cap) {
            self.out.try_finish().map_err(fail(&path))?;
            let objects = replay(&path)?;
            self.segment += 1;
            let path = segment_path(&self.dir, self.segment);
            self.out = create(&path)?;
            write_checkpoint(&mut self.out, objects, Timestamp::now())
                .and_then(|()| self.out.flush())
                .map_err(fail(&path))?;
            self.checkpoint = self.out.get_ref().written;
            self.trim();
        }
        Ok(())
    }

    /// Remove the oldest segments while the journal is past its bound (the one written to
    /// stays).
    fn trim(&self) {
        let all = segments(&self.dir);
        let mut total: u64 = all.iter().map(|s| s.2).sum();
        for (n, path, size) in all {
            if total <= self.cap || n == self.segment {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
    }
}

/// What the writer thread is given.
pub enum WriterMsg {
    /// Append to the journal in a directory.
    Write(PathBuf, Batch),
    /// Flush everything now, then say so (kubedeck is leaving).
    Sync(std::sync::mpsc::Sender<()>),
}

/// Where the writer thread is given what to write.
pub type Writes = std::sync::mpsc::Sender<WriterMsg>;

/// Flush every journal now (at exit), waiting at most `within`.
pub fn sync(writes: &Writes, within: std::time::Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    if writes.send(WriterMsg::Sync(tx)).is_ok() {
        let _ = rx.recv_timeout(within);
    }
}

/// The running recorder: where to send what to write, and the first write that failed (after
/// which it writes nothing more).
pub struct Recorder {
    pub writes: Writes,
    pub failed: tokio::sync::mpsc::UnboundedReceiver<JournalError>,
}

/// Start the writer thread (see [`spawn_writer`]) for journals bounded by `cap` bytes.
pub fn start_recorder(cap: u64) -> Option<Recorder> {
    let (tx, failed) = tokio::sync::mpsc::unbounded_channel();
    let writes = spawn_writer(cap, move |e| {
        let _ = tx.send(e);
    })?;
    Some(Recorder { writes, failed })
}

/// A cluster's recorder: its informers' recorded fields, to the writer, for its journal.
pub fn tap(writes: &Writes, dir: PathBuf) -> crate::kube::recorded::Tap {
    let writes = writes.clone();
    crate::kube::recorded::Tap::new(move |lines| {
        let _ = writes.send(WriterMsg::Write(dir.clone(), Batch::States(lines)));
    })
}

/// How much lower the writer's priority is than the rest of kubedeck (a nice value).
pub const WRITER_NICENESS: i32 = 10;

/// Lower the calling thread's priority: compressing the first lists of a big cluster (tens of
/// MB of lines) must not take the cores the lists themselves and the first screen need; it
/// catches up as soon as they are idle. Linux only (elsewhere the call would lower the whole
/// process); a refusal leaves the thread as it was.
fn behind_the_screen() {
    #[cfg(target_os = "linux")]
    {
        let thread = Some(rustix::thread::gettid());
        let now = rustix::process::getpriority_process(thread).unwrap_or(0);
        let lower = now.saturating_add(WRITER_NICENESS).min(19);
        let _ = rustix::process::setpriority_process(thread, lower);
    }
}

/// Start the thread that writes journals, each bounded by `cap` bytes (so a slow or full
/// disk never holds the caller). What comes is compressed as it comes and flushed every
/// [`FLUSH_EVERY`]. The first write that fails is given to `failed`, and the thread writes
/// nothing more.
pub fn spawn_writer(
    cap: u64,
    failed: impl FnOnce(JournalError) + Send + 'static,
) -> Option<Writes> {
    use std::sync::mpsc::RecvTimeoutError;
    let (tx, rx) = std::sync::mpsc::channel::<WriterMsg>();
    let spawned = std::thread::Builder::new()
        .name("kubedeck-journal".into())
        .spawn(move || {
            behind_the_screen();
            let mut open: std::collections::HashMap<PathBuf, Journal> = Default::default();
            let write = |open: &mut std::collections::HashMap<PathBuf, Journal>,
                         dir: PathBuf,
                         batch: Batch| match open.get_mut(&dir) {
                Some(j) => j.append_batch(batch),
                None => Journal::open(&dir, cap).and_then(|mut j| {
                    let r = j.append_batch(batch);
                    open.insert(dir, j);
                    r
                }),
            };
            let flush_all = |open: &mut std::collections::HashMap<PathBuf, Journal>| {
                open.values_mut().try_for_each(Journal::flush)
            };
            let mut failed = Some(failed);
            let mut fail_once = |e: JournalError| {
                if let Some(f) = failed.take() {
                    f(e);
                }
            };
            'run: while let Ok(first) = rx.recv() {
                let until = std::time::Instant::now() + FLUSH_EVERY;
                let mut next = Some(first);
                let mut syncs = Vec::new();
                while let Some(msg) = next.take() {
                    match msg {
                        WriterMsg::Write(dir, batch) => {
                            if let Err(e) = write(&mut open, dir, batch) {
                                fail_once(e);
                                break 'run;
                            }
                        }
                        WriterMsg::Sync(done) => syncs.push(done),
                    }
                    if !syncs.is_empty() {
                        break;
                    }
                    match rx
                        .recv_timeout(until.saturating_duration_since(std::time::Instant::now()))
                    {
                        Ok(msg) => next = Some(msg),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => {
                            let _ = flush_all(&mut open);
                            return;
                        }
                    }
                }
                if let Err(e) = flush_all(&mut open) {
                    fail_once(e);
                    break 'run;
                }
                for done in syncs {
                    let _ = done.send(());
                }
            }
            // Off from now on: what comes is dropped (a sync is answered at once).
            while let Ok(msg) = rx.recv() {
                if let WriterMsg::Sync(done) = msg {
                    let _ = done.send(());
                }
            }
        });
    spawned.ok().map(|_| tx)
}

/// What a journal holds, read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The newest `limit` changes, oldest first, with a `watching` record where each run
    /// started (saying when it had stopped watching before).
    pub records: Vec<Record>,
    /// From when the journal has data.
    pub since: Option<Timestamp>,
}

/// A segment's changes (the timeline's lines; recorded fields and torn lines skipped).
fn records_of(path: &Path) -> Result<Vec<Record>, JournalError> {
    Ok(lines(path)?
        .filter(|l| !l.starts_with(STATE_PREFIX))
        .filter_map(|l| serde_json::from_str::<Record>(&l).ok())
        .collect())
}

/// Read `dir`'s journal: the newest `limit` records, from the newest segments only (a full
/// journal is hundreds of megabytes of JSON). Lines that do not read (a crash mid-line) are
/// skipped.
pub fn load(dir: &Path, limit: usize) -> Result<Loaded, JournalError> {
    let all = segments(dir);
    // From when there is data: the oldest segment's first change.
    let since = match all.first() {
        Some((_, path, _)) => lines(path)?
            .filter(|l| !l.starts_with(STATE_PREFIX))
            .find_map(|l| serde_json::from_str::<Record>(&l).ok())
            .map(|r| r.at),
        None => None,
    };
    // The newest segments that hold `limit` changes.
    let mut chosen: Vec<Vec<Record>> = Vec::new();
    let mut count = 0;
    for (_, path, _) in all.iter().rev() {
        let records = records_of(path)?;
        count += records.len();
        chosen.push(records);
        if count >= limit {
            break;
        }
    }
    chosen.reverse();
    // The last thing heard before them (a gap may start there).
    let mut last: Option<Timestamp> = match all.len().checked_sub(chosen.len() + 1) {
        Some(i) => records_of(&all[i].1)?.last().map(|r| r.at),
        None => None,
    };
    let mut records: std::collections::VecDeque<Record> = std::collections::VecDeque::new();
    for mut r in chosen.into_iter().flatten() {
        match r.change {
            Change::Alive => {
                last = Some(r.at);
                continue;
            }
            Change::Watching => {
                r.detail = match last {
                    Some(stopped) => format!(
                        "kubedeck started watching; not watching since {} (a gap: changes then are not here)",
                        stopped.strftime("%Y-%m-%d %H:%M:%S UTC")
                    ),
                    None => "kubedeck started watching".into(),
                };
                r.attention = last.is_some();
            }
            _ => {}
        }
        last = Some(r.at);
        records.push_back(r);
        if records.len() > limit {
            records.pop_front();
        }
    }
    Ok(Loaded {
        records: records.into(),
        since,
    })
}

/// A marker record: kubedeck started watching (`Watching`) or still watches (`Alive`).
pub fn marker(change: Change, at: Timestamp) -> Record {
    Record {
        at,
        kind: "kubedeck".into(),
        namespace: String::new(),
        name: "journal".into(),
        change,
        detail: String::new(),
        attention: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(at: i64, name: &str) -> Record {
        Record {
            at: Timestamp::from_second(at).unwrap_or_default(),
            kind: "pod".into(),
            namespace: "demo".into(),
            name: name.into(),
            change: Change::Restarted,
            detail: "3 restarts (OOMKilled, exit code 137)".into(),
            attention: true,
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap_or_default()
    }

    /// Two runs with a gap between them: read back in order, the second run's marker saying
    /// since when nothing was watched; private files; and the bound holds.
    #[test]
    fn runs_gaps_privacy_and_the_bound() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = dir_for(root.path(), "prod/eu", "https://10.0.0.1:6443");
        assert!(
            dir.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("prod_eu-"))
        );
        let mut j = Journal::open(&dir, DEFAULT_CAP).unwrap_or_else(|e| panic!("{e}"));
        j.append(&[marker(Change::Watching, at(1000)), rec(1010, "a")])
            .unwrap_or_else(|e| panic!("{e}"));
        j.append(&[marker(Change::Alive, at(1060))])
            .unwrap_or_else(|e| panic!("{e}"));
        j.flush().unwrap_or_else(|e| panic!("{e}"));
        // Killed: its gzip stream never finished; what was flushed reads back. The next run
        // starts an hour later, in a new segment.
        std::mem::forget(j);
        let mut j = Journal::open(&dir, DEFAULT_CAP).unwrap_or_else(|e| panic!("{e}"));
        j.append(&[marker(Change::Watching, at(4660)), rec(4670, "b")])
            .unwrap_or_else(|e| panic!("{e}"));
        j.flush().unwrap_or_else(|e| panic!("{e}"));
        let loaded = load(&dir, 100).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = loaded.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["journal", "a", "journal", "b"]);
        assert!(loaded.records[2].attention);
        assert!(
            loaded.records[2]
                .detail
                .contains("not watching since 1970-01-01 00:17:40 UTC"),
            "{}",
            loaded.records[2].detail
        );
        assert_eq!(loaded.since, Some(at(1000)));
        // Only the newest segment read (it holds the 2 asked for): the gap is still said,
        // from the segment before it, and the journal's start is still known.
        let newest = load(&dir, 2).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = newest.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["journal", "b"]);
        assert!(
            newest.records[0]
                .detail
                .contains("not watching since 1970-01-01 00:17:40 UTC")
        );
        assert_eq!(newest.since, Some(at(1000)));
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| {
            std::fs::metadata(p)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0)
        };
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("00000001.jsonl.gz")), 0o600);
        assert_eq!(mode(&dir.join("00000002.jsonl.gz")), 0o600);
        // A small bound: old segments go, the newest records stay.
        let small = root.path().join("small");
        let mut j = Journal::open(&small, 4096).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..400 {
            j.append(&[rec(i, &format!("p{i}"))])
                .and_then(|()| j.flush())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let total: u64 = segments(&small).iter().map(|s| s.2).sum();
        assert!(total <= 4096 + 200, "{total}");
        let loaded = load(&small, 10_000).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.records.last().map(|r| r.name.as_str()), Some("p399"));
        assert!(loaded.records.len() < 400);
        // A torn last line (a crash) is skipped.
        std::fs::OpenOptions::new()
            .append(true)
            .open(
                segments(&small)
                    .last()
                    .map(|s| s.1.clone())
                    .unwrap_or_default(),
            )
            .and_then(|mut f| f.write_all(b"{\"at\":"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(load(&small, 10).is_ok());
    }

    /// The writer thread: what it is sent is on disk after a sync (kubedeck leaving).
    #[test]
    fn the_writer_flushes_on_sync() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("w");
        let writes =
            spawn_writer(DEFAULT_CAP, |e| panic!("{e}")).unwrap_or_else(|| panic!("no thread"));
        for i in 0..3 {
            let sent = writes.send(WriterMsg::Write(
                dir.clone(),
                Batch::Records(vec![rec(i, "p")]),
            ));
            assert!(sent.is_ok());
        }
        sync(&writes, std::time::Duration::from_secs(10));
        let loaded = load(&dir, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.records.len(), 3);
    }

    /// A thread's nice value (`/proc/…/stat`'s 19th field, the 17th after the name).
    #[cfg(target_os = "linux")]
    fn nice_of(stat: &str) -> Option<i32> {
        let (_, after_name) = stat.rsplit_once(')')?;
        after_name.split_whitespace().nth(16)?.parse().ok()
    }

    /// The writer runs behind the screen: at a lower priority than the thread that started it.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_writer_runs_at_a_lower_priority() {
        let ours = std::fs::read_to_string("/proc/thread-self/stat")
            .ok()
            .and_then(|s| nice_of(&s))
            .unwrap_or_else(|| panic!("no nice value for this thread"));
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let writes =
            spawn_writer(DEFAULT_CAP, |e| panic!("{e}")).unwrap_or_else(|| panic!("no thread"));
        let sent = writes.send(WriterMsg::Write(
            root.path().join("w"),
            Batch::Records(vec![rec(0, "p")]),
        ));
        assert!(sent.is_ok());
        // Answered: the thread has run past its start.
        sync(&writes, std::time::Duration::from_secs(10));
        let tasks = std::fs::read_dir("/proc/self/task").unwrap_or_else(|e| panic!("{e}"));
        let writers: Vec<i32> = tasks
            .flatten()
            .filter(|t| {
                // The kernel keeps a thread's name to 15 bytes.
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim() == "kubedeck-journa")
            })
            .filter_map(|t| nice_of(&std::fs::read_to_string(t.path().join("stat")).ok()?))
            .collect();
        let lowered = (ours + WRITER_NICENESS).min(19);
        assert!(
            writers.contains(&lowered),
            "writers' nice values {writers:?}, ours {ours}"
        );
    }
}
