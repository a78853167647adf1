//! The collection log: one JSON line per finished step, appended and
//! flushed as each step ends. It is the record of what was looked up,
//! what failed and why, and the state a rerun resumes from: a step logged
//! as done is not repeated, and an interrupted run loses at most the steps
//! that were in flight.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use whoserves_core::wire;

/// One finished step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The step's key, e.g. `hikvision dns MX hikvision.com`.
    pub step: String,
    /// When it finished (RFC 3339 UTC).
    pub at: String,
    /// Whether it gave an answer (an absent record is an answer).
    pub ok: bool,
    /// How many tries it took.
    pub attempts: u32,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What else was learnt: the certificate chain and whether it is
    /// trusted, the redirect, the capture chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The observations the step made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<wire::Observation>,
}

/// The log file and what it holds.
pub struct Log {
    path: PathBuf,
    file: File,
    /// The last entry of each step.
    pub entries: HashMap<String, Entry>,
    /// The order steps were first logged in.
    pub order: Vec<String>,
    /// Lines that could not be read (a line cut by a crash).
    pub unreadable: usize,
}

impl Log {
    /// Opens the log at `path`, reading what an earlier run left there;
    /// `restart` empties it first.
    pub fn open(path: &Path, restart: bool) -> Result<Log, String> {
        let mut entries: HashMap<String, Entry> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut unreadable = 0;
        let mut ends_clean = true;
        if !restart {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("{}: {e}", path.display())),
            };
            if let Some(text) = text {
                ends_clean = text.is_empty() || text.ends_with('\n');
                for line in text.lines() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Entry>(line) {
                        Ok(e) => {
                            if !entries.contains_key(&e.step) {
                                order.push(e.step.clone());
                            }
                            entries.insert(e.step.clone(), e);
                        }
                        Err(_) => unreadable += 1,
                    }
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .truncate(false)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if restart {
            file.set_len(0)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let mut log = Log {
            path: path.to_path_buf(),
            file,
            entries,
            order,
            unreadable,
        };
        // A line cut by a crash must not swallow the next one.
        if !ends_clean {
            log.file
                .write_all(b"\n")
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(log)
    }

    /// Whether `step` is logged as done.
    pub fn done(&self, step: &str) -> bool {
        self.entries.get(step).is_some_and(|e| e.ok)
    }

    /// Appends `entry` as one line and flushes it.
    pub fn append(&mut self, entry: Entry) -> Result<(), String> {
        let mut line = serde_json::to_string(&entry).expect("entries serialise");
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        if !self.entries.contains_key(&entry.step) {
            self.order.push(entry.step.clone());
        }
        self.entries.insert(entry.step.clone(), entry);
        Ok(())
    }

    /// Every observation of the steps that are done, in log order.
    pub fn observations(&self) -> Vec<wire::Observation> {
        self.order
            .iter()
            .filter_map(|s| self.entries.get(s))
            .filter(|e| e.ok)
            .flat_map(|e| e.observations.iter().cloned())
            .collect()
    }

    /// The steps whose last try failed, with the reason.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        self.order
            .iter()
            .filter_map(|s| self.entries.get(s))
            .filter(|e| !e.ok)
            .map(|e| (e.step.as_str(), e.error.as_deref().unwrap_or("")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(step: &str, ok: bool) -> Entry {
        Entry {
            step: step.into(),
            at: "2026-12-02T10:00:00Z".into(),
            ok,
            attempts: 1,
            error: (!ok).then(|| "timeout".to_string()),
            notes: vec![],
            observations: vec![],
        }
    }

    #[test]
    fn a_reopened_log_knows_what_is_done_and_skips_a_cut_line() {
        let dir = std::env::temp_dir().join(format!("whoserves-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("run.log.jsonl");
        let mut log = Log::open(&path, true).unwrap();
        log.append(entry("a", true)).unwrap();
        log.append(entry("b", false)).unwrap();
        drop(log);
        // A crash mid-write leaves a partial line.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"step\": \"c\", \"at\"").unwrap();
        drop(f);
        let mut log = Log::open(&path, false).unwrap();
        log.append(entry("d", true)).unwrap();
        let log = Log::open(&path, false).unwrap();
        assert!(log.done("d"), "the line after a cut one reads");
        assert!(log.done("a"));
        assert!(!log.done("b"));
        assert!(!log.done("c"));
        assert_eq!(log.unreadable, 1);
        assert_eq!(log.failures(), [("b", "timeout")]);
        let log = Log::open(&path, true).unwrap();
        assert!(log.entries.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
