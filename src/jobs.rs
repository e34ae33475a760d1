//! Long work the user follows and may cancel (issue 8): an import runs under a job id the client
//! chose; `job.progress` reads how far it is and `job.cancel` asks it to stop. The work checks the
//! request at every row and then fails with `CANCELLED` inside its transaction, so a cancelled
//! import leaves nothing behind. Both job commands are answered from memory, without the database
//! (which the running import holds), and only for a live login session.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, ErrorCode, Result};

/// Longest job id accepted (the UI sends a random UUID).
const MAX_ID: usize = 64;

#[derive(Default)]
struct Slot {
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

/// The jobs running in this process.
#[derive(Default)]
pub struct Jobs {
    running: Mutex<HashMap<String, Arc<Slot>>>,
}

/// One running job; unregistered when dropped (finished, failed or cancelled).
pub struct Job<'a> {
    jobs: &'a Jobs,
    id: Option<String>,
    slot: Arc<Slot>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JobRequest {
    pub job: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobProgress {
    /// false once the work ended (or before it began): the command's own answer tells how.
    pub running: bool,
    pub done: u64,
    /// 0 while the work does not know its size yet.
    pub total: u64,
    pub cancelled: bool,
}

impl Jobs {
    /// Register the work of one command under `id` (None: nobody follows it).
    pub fn start(&self, id: Option<&str>) -> Result<Job<'_>> {
        let slot = Arc::new(Slot::default());
        let id = match id.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(id) => {
                if id.len() > MAX_ID || id.chars().any(char::is_control) {
                    return Err(ApiError::field("job", "任务编号不正确"));
                }
                let mut running = self.lock();
                if running.contains_key(id) {
                    return Err(ApiError::new(
                        ErrorCode::Conflict,
                        "同一任务正在进行，请等待其完成",
                    ));
                }
                running.insert(id.to_string(), slot.clone());
                Some(id.to_string())
            }
        };
        Ok(Job {
            jobs: self,
            id,
            slot,
        })
    }

    pub fn progress(&self, id: &str) -> JobProgress {
        match self.lock().get(id) {
            Some(s) => JobProgress {
                running: true,
                done: s.done.load(Ordering::Relaxed),
                total: s.total.load(Ordering::Relaxed),
                cancelled: s.cancelled.load(Ordering::Relaxed),
            },
            None => JobProgress {
                running: false,
                done: 0,
                total: 0,
                cancelled: false,
            },
        }
    }

    /// Ask a running job to stop; an ended (or unknown) job has nothing to cancel.
    pub fn cancel(&self, id: &str) -> JobProgress {
        if let Some(s) = self.lock().get(id) {
            s.cancelled.store(true, Ordering::Relaxed);
        }
        self.progress(id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Job<'_> {
    pub fn set_total(&self, total: u64) {
        self.slot.total.store(total, Ordering::Relaxed);
    }

    /// One unit done; refused with `CANCELLED` once the user cancelled (the caller's transaction
    /// then rolls back).
    pub fn step(&self, what: &str) -> Result<()> {
        if self.slot.cancelled.load(Ordering::Relaxed) {
            return Err(ApiError::new(
                ErrorCode::Cancelled,
                format!("已取消{what}，没有保存任何内容"),
            ));
        }
        self.slot.done.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        if let Some(id) = &self.id {
            self.jobs.lock().remove(id);
        }
    }
}
