//! `:cp POD:PATH [LOCAL]`: a file or directory copied out of a container as `kubectl cp` does
//! it (`tar cf - PATH` exec'd in the container, the archive read here), safer: every entry is
//! checked before anything is written (no absolute paths, no `..`, nothing outside the target
//! folder; links are skipped and said, as kubectl does since its CVEs), and nothing that
//! exists is overwritten unless the user said so.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, AttachParams};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::error::ApiError;

/// What to copy and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySpec {
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub remote: String,
    /// The file or folder to write (the remote name in the working folder by default).
    pub local: PathBuf,
    /// The user confirmed replacing what is there.
    pub overwrite: bool,
}

/// How a copy ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub files: usize,
    pub bytes: u64,
    /// Entries not written, and why (links, paths that would leave the target).
    pub skipped: Vec<Skipped>,
    pub local: PathBuf,
}

/// An archive entry not written, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Skipped {
    #[error("{}: has `..`", .0.display())]
    Parent(PathBuf),
    #[error("{}: an absolute path", .0.display())]
    Absolute(PathBuf),
    #[error("{}: outside the target", .0.display())]
    Outside(PathBuf),
    #[error("{}: a link (not followed)", .0.display())]
    Link(PathBuf),
    #[error("{}: not a regular file", .0.display())]
    Special(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The local target exists: the user is asked first.
    #[error("{} exists", .0.display())]
    Exists(PathBuf),
    #[error("tar in the container failed: {0}")]
    Remote(String),
    #[error("cannot read the archive: {0}")]
    Archive(String),
    #[error("cannot write {}: {why}", path.display())]
    Local { path: PathBuf, why: String },
}

/// Where an archive entry goes under `dest`, or why it may not be written. `strip` is the
/// prefix tar put before every entry (the remote path's parent, as kubectl strips it).
pub fn entry_target(dest: &Path, strip: &Path, entry: &Path) -> Result<PathBuf, Skipped> {
    let mut rel = PathBuf::new();
    for c in entry.components() {
        match c {
            Component::Normal(part) => rel.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(Skipped::Parent(entry.to_path_buf())),
            Component::RootDir | Component::Prefix(_) => {
                return Err(Skipped::Absolute(entry.to_path_buf()));
            }
        }
    }
    let rel = rel
        .strip_prefix(strip)
        .map(Path::to_path_buf)
        .unwrap_or(rel);
    if rel.as_os_str().is_empty() {
        return Ok(dest.to_path_buf());
    }
    Ok(dest.join(rel))
}

/// The remote path as tar writes it into the archive: without its leading `/`; the part to
/// strip is its parent, so `/var/log/app` lands as `LOCAL` and `/var/log/app/x` as `LOCAL/x`.
fn prefix_of(remote: &str) -> (PathBuf, PathBuf) {
    let p = Path::new(remote.trim_start_matches('/'));
    let last = p.file_name().map(PathBuf::from).unwrap_or_default();
    (p.parent().map(Path::to_path_buf).unwrap_or_default(), last)
}

/// Unpack `archive` into `local` (the remote path's last part becomes `local`), checking every
/// entry first.
pub fn unpack(archive: impl Read, remote: &str, local: &Path) -> Result<CopyReport, CopyError> {
    let (parent, last) = prefix_of(remote);
    let base = local.parent().map(Path::to_path_buf).unwrap_or_default();
    let strip = parent;
    let mut report = CopyReport {
        files: 0,
        bytes: 0,
        skipped: Vec::new(),
        local: local.to_path_buf(),
    };
    let mut ar = tar::Archive::new(archive);
    let entries = ar
        .entries()
        .map_err(|e| CopyError::Archive(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| CopyError::Archive(e.to_string()))?;
        let path = entry
            .path()
            .map_err(|e| CopyError::Archive(e.to_string()))?
            .into_owned();
        // Under `base`, the remote's last part renamed to the local name.
        let target = match entry_target(&base, &strip, &path) {
            Ok(t) => rename_first(&base, &t, &last, local),
            Err(why) => {
                report.skipped.push(why);
                continue;
            }
        };
        if !target.starts_with(local) {
            report.skipped.push(Skipped::Outside(path));
            continue;
        }
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            report.skipped.push(Skipped::Link(path));
            continue;
        }
        let local_error = |why: String| CopyError::Local {
            path: target.clone(),
            why,
        };
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| local_error(e.to_string()))?;
            continue;
        }
        if !kind.is_file() {
            report.skipped.push(Skipped::Special(path));
            continue;
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| local_error(e.to_string()))?;
        }
        let mut out = std::fs::File::create(&target).map_err(|e| local_error(e.to_string()))?;
        let n = std::io::copy(&mut entry, &mut out).map_err(|e| local_error(e.to_string()))?;
        report.files += 1;
        report.bytes += n;
    }
    Ok(report)
}

/// `base/LAST/rest` as `local/rest`.
fn rename_first(base: &Path, target: &Path, last: &Path, local: &Path) -> PathBuf {
    match target.strip_prefix(base.join(last)) {
        Ok(rest) if rest.as_os_str().is_empty() => local.to_path_buf(),
        Ok(rest) => local.join(rest),
        Err(_) => target.to_path_buf(),
    }
}

/// Copy `spec.remote` out of the container, reporting the bytes received as they come.
pub async fn copy_out(
    client: Client,
    spec: CopySpec,
    progress: mpsc::UnboundedSender<u64>,
) -> Result<CopyReport, CopyError> {
    if !spec.overwrite && tokio::fs::try_exists(&spec.local).await.unwrap_or(false) {
        return Err(CopyError::Exists(spec.local.clone()));
    }
    let api: Api<Pod> = Api::namespaced(client, &spec.namespace);
    let mut params = AttachParams::default()
        .stdout(true)
        .stderr(true)
        .stdin(false);
    if let Some(c) = &spec.container {
        params = params.container(c.clone());
    }
    let command = vec!["tar", "cf", "-", spec.remote.as_str()];
    let mut proc = api
        .exec(&spec.pod, command, &params)
        .await
        .map_err(|e| CopyError::Api(ApiError::from(e)))?;
    let mut stdout = proc
        .stdout()
        .ok_or_else(|| CopyError::Remote("no output".into()))?;
    let mut stderr = proc.stderr();
    let status = proc.take_status();
    // The archive is spooled to a private (0600) temporary file beside the target, so a big
    // file does not sit in memory, and checked before anything is unpacked; it is removed
    // when dropped.
    let dir = spec
        .local
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut spool = tempfile::Builder::new()
        .prefix(".kubedeck-cp-")
        .tempfile_in(&dir)
        .map_err(|e| CopyError::Local {
            path: dir.clone(),
            why: e.to_string(),
        })?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = stdout
            .read(&mut buf)
            .await
            .map_err(|e| CopyError::Archive(e.to_string()))?;
        if n == 0 {
            break;
        }
        std::io::Write::write_all(spool.as_file_mut(), &buf[..n]).map_err(|e| {
            CopyError::Local {
                path: dir.clone(),
                why: e.to_string(),
            }
        })?;
        total += n as u64;
        let _ = progress.send(total);
    }
    let mut err_text = String::new();
    if let Some(e) = stderr.as_mut() {
        let _ = e.read_to_string(&mut err_text).await;
    }
    if let Some(status) = status
        && let Some(s) = status.await
        && s.status.as_deref() != Some("Success")
    {
        let why = if err_text.trim().is_empty() {
            s.message.unwrap_or_default()
        } else {
            err_text.trim().to_string()
        };
        return Err(CopyError::Remote(why));
    }
    let file = spool.reopen().map_err(|e| CopyError::Local {
        path: dir.clone(),
        why: e.to_string(),
    })?;
    let remote = spec.remote.clone();
    let local = spec.local.clone();
    tokio::task::spawn_blocking(move || unpack(std::io::BufReader::new(file), &remote, &local))
        .await
        .map_err(|e| CopyError::Archive(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive with `entries` (path, kind, data) written raw, as a hostile container could.
    fn archive(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (path, kind, data, link) in entries {
            let mut h = tar::Header::new_gnu();
            // Written into the raw name field: `set_path` refuses `..`, a hostile tar does not.
            let name = &mut h.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            if let Some(l) = link {
                h.set_link_name(l).unwrap();
            }
            h.set_cksum();
            out.extend_from_slice(h.as_bytes());
            out.extend_from_slice(data);
            let pad = (512 - data.len() % 512) % 512;
            out.extend(std::iter::repeat_n(0u8, pad));
        }
        out.extend(std::iter::repeat_n(0u8, 1024));
        out
    }

    #[test]
    fn a_directory_lands_under_the_local_name() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("logs");
        let tar = archive(&[
            ("var/log/app/", tar::EntryType::Directory, b"", None),
            (
                "var/log/app/a.log",
                tar::EntryType::Regular,
                b"hello\n",
                None,
            ),
            ("var/log/app/sub/b.log", tar::EntryType::Regular, b"x", None),
        ]);
        let r = unpack(tar.as_slice(), "/var/log/app", &local).unwrap();
        assert_eq!(r.files, 2);
        assert_eq!(r.bytes, 7);
        assert!(r.skipped.is_empty(), "{:?}", r.skipped);
        assert_eq!(std::fs::read(local.join("a.log")).unwrap(), b"hello\n");
        assert_eq!(std::fs::read(local.join("sub/b.log")).unwrap(), b"x");
    }

    #[test]
    fn hostile_entries_are_refused_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("target");
        let local = inside.join("out.txt");
        std::fs::create_dir_all(&inside).unwrap();
        let tar = archive(&[
            ("etc/out.txt", tar::EntryType::Regular, b"ok", None),
            ("etc/../../escaped", tar::EntryType::Regular, b"evil", None),
            ("/tmp/absolute", tar::EntryType::Regular, b"evil", None),
            (
                "etc/out.txt",
                tar::EntryType::Symlink,
                b"",
                Some("/etc/passwd"),
            ),
            ("etc/other", tar::EntryType::Regular, b"elsewhere", None),
        ]);
        let r = unpack(tar.as_slice(), "/etc/out.txt", &local).unwrap();
        assert_eq!(std::fs::read(&local).unwrap(), b"ok");
        assert_eq!(r.files, 1, "{r:?}");
        assert_eq!(r.skipped.len(), 4, "{:?}", r.skipped);
        assert!(r.skipped.iter().any(|s| matches!(s, Skipped::Parent(_))));
        assert!(r.skipped.iter().any(|s| matches!(s, Skipped::Absolute(_))));
        assert!(r.skipped.iter().any(|s| matches!(s, Skipped::Link(_))));
        assert!(r.skipped.iter().any(|s| matches!(s, Skipped::Outside(_))));
        // Nothing was written outside the target.
        assert!(!dir.path().join("escaped").exists());
        assert!(!inside.join("other").exists());
    }

    #[test]
    fn entry_targets() {
        let d = Path::new("/dest");
        assert_eq!(
            entry_target(d, Path::new("var"), Path::new("var/log/a")).unwrap(),
            Path::new("/dest/log/a")
        );
        assert!(entry_target(d, Path::new(""), Path::new("a/../../b")).is_err());
        assert!(entry_target(d, Path::new(""), Path::new("/abs")).is_err());
    }
}
