//! Reading an input file whole, bounded: only regular files (a FIFO or a
//! device such as /dev/zero may never end, or hang), and at most a size far
//! above any real account. IAM's quotas cap an account at 5,000 users and
//! 5,000 roles; wmaudit's 100,000-user synthetic account is a 157 MB
//! authorization-details file.

use std::io::{self, Read};
use std::path::Path;

/// Inputs from AWS (authorization details, credential reports, snapshots,
/// baselines): 4 GiB.
pub const MAX_DATA_FILE: u64 = 4 << 30;
/// Files a person writes (configuration, rule files): 16 MiB.
pub const MAX_TEXT_FILE: u64 = 16 << 20;

/// The file's bytes, or why not (the error's text says what was expected).
pub fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    // Before opening: opening a FIFO waits for a writer, forever.
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > max {
        return Err(too_big(meta.len(), max));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The size can change while reading (a file still being written).
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64, max));
    }
    Ok(bytes)
}

/// Like [`read_bounded`], as UTF-8 text.
pub fn read_text_bounded(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read_bounded(path, max)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

fn not_regular() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "not a regular file (expected a file: a FIFO, device or directory may never end)",
    )
}

fn too_big(len: u64, max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{len} bytes, over the limit of {max} bytes (expected at most that: far more than any \
             account's data)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_directories_are_refused() {
        for p in ["/dev/zero", "/dev/null", "/"] {
            let e = read_bounded(Path::new(p), MAX_DATA_FILE).unwrap_err();
            assert!(e.to_string().starts_with("not a regular file"), "{p}: {e}");
        }
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, "12345").unwrap();
        assert_eq!(read_bounded(&p, 5).unwrap(), b"12345");
        let e = read_bounded(&p, 4).unwrap_err().to_string();
        assert!(e.starts_with("5 bytes, over the limit of 4 bytes"), "{e}");
    }
}
