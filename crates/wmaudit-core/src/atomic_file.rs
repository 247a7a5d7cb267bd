//! Output files are replaced whole: written to a temporary file beside the
//! target, then renamed over it. A CI job that is killed mid-write, or a
//! reader that opens the report while it is written, sees the old file or the
//! new one, never half a SARIF log. Targets that are not regular files
//! (`/dev/stdout`, a pipe) are written in place.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes the file at `path` through a buffered writer handed to `write`.
pub fn write_file<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    // A large buffer: reports run to hundreds of MB and each write is a syscall.
    const BUF: usize = 1 << 20;
    // A symlink is kept: the file it points to is replaced (a dangling link
    // is written through, which creates its target).
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            check_symlink(path, &m)?;
            match std::fs::canonicalize(path) {
                Ok(target) => {
                    resolved = target;
                    resolved.as_path()
                }
                Err(_) => return write_in_place(path, BUF, write),
            }
        }
        _ => path,
    };
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        return write_in_place(path, BUF, write);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".wmaudit-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(without_temp_path)?;
    // The path half deletes the temporary file if anything below fails.
    let (file, tmp_path) = tmp.into_parts();
    let mut out = BufWriter::with_capacity(BUF, file);
    write(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    // Keep the permissions a plain `File::create` would have given, not the
    // temporary file's 0600: reports are meant to be read by the CI's tools.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(m) => m.permissions().mode(),
            Err(_) => 0o666 & !umask(),
        };
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    drop(file);
    tmp_path.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The kernel's `protected_symlinks` rule, applied before wmaudit resolves a
/// link itself (it then renames over the target, which the kernel would not
/// check): in a sticky, world-writable directory (`/tmp`), a symlink is
/// followed only when the caller or the directory's owner owns it. Else a
/// link planted by another user would have root's report replace any file.
fn check_symlink(path: &Path, link: &std::fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let d = std::fs::metadata(dir)?;
        if !may_follow(d.mode(), d.uid(), link.uid(), effective_uid()) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "refusing to follow the symbolic link {}: it belongs to another user in a \
                     sticky, world-writable directory (expected a link you own, or a plain file)",
                    path.display()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, link);
    Ok(())
}

/// Whether a symlink owned by `link_uid` in a directory with `dir_mode`,
/// owned by `dir_uid`, may be followed by `euid`.
fn may_follow(dir_mode: u32, dir_uid: u32, link_uid: u32, euid: Option<u32>) -> bool {
    let sticky_world_writable = dir_mode & 0o1000 != 0 && dir_mode & 0o002 != 0;
    !sticky_world_writable || Some(link_uid) == euid || link_uid == dir_uid
}

/// The effective user id, from /proc (std has no getuid); `None` if unknown,
/// which makes `may_follow` refuse in a sticky directory.
#[cfg(unix)]
fn effective_uid() -> Option<u32> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
}

/// tempfile names its random file in the error ("No such file or directory
/// (os error 2) at path \"/dir/.wmaudit-x1Y2z3.tmp\""); the caller names the
/// report, so keep only the cause.
fn without_temp_path(e: io::Error) -> io::Error {
    let text = e.to_string();
    match text.rsplit_once(" at path ") {
        Some((cause, _)) => io::Error::new(e.kind(), cause.to_owned()),
        None => e,
    }
}

fn write_in_place<F>(path: &Path, buf: usize, write: F) -> io::Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> io::Result<()>,
{
    let mut out = BufWriter::with_capacity(buf, File::create(path)?);
    write(&mut out)?;
    out.flush()
}

/// The process's umask, read from /proc (setting it to read it would race
/// with other threads creating files).
#[cfg(unix)]
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_in_sticky_world_writable_directories() {
        // /tmp-like: follow only our own links or the directory owner's.
        assert!(!may_follow(0o41777, 0, 1000, Some(0)));
        assert!(may_follow(0o41777, 0, 0, Some(1000)));
        assert!(may_follow(0o41777, 0, 1000, Some(1000)));
        assert!(!may_follow(0o41777, 0, 1000, None));
        // Not sticky, or not world-writable: the kernel does not restrict.
        assert!(may_follow(0o40777, 0, 1000, Some(0)));
        assert!(may_follow(0o41775, 0, 1000, Some(0)));
    }

    /// As root (CI), a link of another user's in a sticky world-writable
    /// directory is refused and its target untouched; a link of our own is
    /// followed.
    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        let target = dir.path().join("precious");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let me = effective_uid().expect("uid from /proc");
        if me == 0 {
            std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();
            let e = write_file(&link, |w| w.write_all(b"report")).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::PermissionDenied, "{e}");
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
            std::os::unix::fs::lchown(&link, Some(0), Some(0)).unwrap();
        }
        // Our own link: followed, the target replaced.
        write_file(&link, |w| w.write_all(b"report")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "report");
    }

    #[test]
    fn replaces_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old contents that are longer").unwrap();
        write_file(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temporary file left behind");
    }

    #[test]
    fn a_missing_directory_is_reported_without_the_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.sarif");
        let err = write_file(&path, |w| w.write_all(b"x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(err.to_string(), "No such file or directory (os error 2)");
    }

    #[test]
    fn failed_write_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sarif");
        std::fs::write(&path, "old").unwrap();
        let err = write_file(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn new_file_gets_umask_permissions_not_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        write_file(&path, |w| w.write_all(b"x")).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_and_its_target_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.sarif");
        let link = dir.path().join("latest.sarif");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, |w| w.write_all(b"new")).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // A dangling link is written through.
        let gone = dir.path().join("gone.json");
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink(&gone, &dangling).unwrap();
        write_file(&dangling, |w| w.write_all(b"x")).unwrap();
        assert_eq!(std::fs::read_to_string(&gone).unwrap(), "x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        write_file(Path::new("/dev/null"), |w| w.write_all(b"x")).unwrap();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
}
