//! Files written whole or not at all (issue 12, fault loops): a `kill -9` or a power cut while one
//! is written leaves the old file or the new one under its name, never half of it. The bytes go to
//! a hidden temporary file beside the target, are flushed to the disk, and only then take the name.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A temporary name beside `path`, unique in this process (`.name.<pid>.<n>.tmp`).
fn temporary(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Write `bytes` to a new temporary file beside `path` and flush it to the disk. `private`: readable
/// and writable by the owner only (0600 on Unix), from the moment it exists.
fn write_temporary(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<PathBuf> {
    let tmp = temporary(path);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Make the new name itself durable (the directory entry), where the platform allows it.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Write `path` whole, replacing what it held.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let tmp = write_temporary(path, bytes, private)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_parent(path);
    Ok(())
}

/// Create `path` whole; `AlreadyExists` when it exists (it is never overwritten, even by a process
/// creating it at the same moment).
pub fn create_atomic(path: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    let tmp = write_temporary(path, bytes, private)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked?;
    sync_parent(path);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_created_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        create_atomic(&p, b"one", true).unwrap();
        let again = create_atomic(&p, b"two", true).unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"three", false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let q = dir.path().join("k.key");
            create_atomic(&q, b"secret", true).unwrap();
            assert_eq!(
                std::fs::metadata(&q).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        // No temporary file is left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }
}
