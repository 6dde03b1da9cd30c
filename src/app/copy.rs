//! `:cp [NS/]POD:PATH [LOCAL]` (or `:cp PATH [LOCAL]` on the selected pod): a file or folder
//! copied out of a container (`kube::copy`), its progress on the status line, asked first
//! when LOCAL exists, and what was skipped said.

use std::path::{Path, PathBuf};

use super::action::{Effect, OnConfirm};
use super::notice::Notice;
use super::prompt::Question;
use super::selection::selected_object;
use super::state::{App, Mode, Pending};
use crate::kube::copy::{CopyError, CopyReport, CopySpec};
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;

/// `:cp`'s arguments read: the pod (with its namespace and cluster), the remote path, the
/// local target.
/// A parser of what a user typed: its `Err` is the sentence they read.
pub fn parse(app: &App, args: &[String]) -> Result<(ClusterId, CopySpec), String> {
    let mut container = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-c" {
            container = Some(it.next().ok_or("-c takes a container name")?.clone());
        } else {
            rest.push(a.clone());
        }
    }
    let (source, local) = match rest.as_slice() {
        [s] => (s.clone(), None),
        [s, l] => (s.clone(), Some(l.clone())),
        _ => {
            return Err(
                "takes [NS/]POD:PATH [LOCAL] (or PATH on the selected pod) [-c CONTAINER]".into(),
            );
        }
    };
    let selected = selected_object(app).filter(|o| o.kind == ResourceKind::Pods);
    let (cluster, namespace, pod, remote) = match source.split_once(':') {
        Some((pod, path)) => {
            let (ns, pod) = match pod.split_once('/') {
                Some((ns, pod)) => (ns.to_string(), pod.to_string()),
                None => (
                    app.fleet
                        .scope
                        .namespace()
                        .map(str::to_string)
                        .or_else(|| selected.as_ref().map(|s| s.namespace.clone()))
                        .ok_or("which namespace? NS/POD:PATH")?,
                    pod.to_string(),
                ),
            };
            (app.fleet.cluster.clone(), ns, pod, path.to_string())
        }
        None => {
            let s = selected.ok_or("select a pod, or name one: POD:PATH")?;
            (s.cluster, s.namespace, s.name, source.clone())
        }
    };
    if remote.is_empty() {
        return Err("which path in the container?".into());
    }
    if pod.is_empty() {
        return Err("which pod? POD:PATH".into());
    }
    // As kubectl cp: the first (regular) container unless one is named, the one under the
    // cursor in the containers view.
    let container = container
        .or_else(|| super::selection::selected_container(app))
        .or_else(|| {
            app.tables.pods.all_rows().iter().find_map(|r| {
                (r.namespace == namespace && r.name == pod && r.cluster == cluster)
                    .then(|| r.containers.get(r.init_containers).cloned())
                    .flatten()
            })
        });
    let base = Path::new(remote.trim_end_matches('/'))
        .file_name()
        .map(PathBuf::from)
        .ok_or("a path with a name (not /)")?;
    let local = local.map_or(base, PathBuf::from);
    Ok((
        cluster,
        CopySpec {
            namespace,
            pod,
            container,
            remote,
            local,
            overwrite: false,
        },
    ))
}

/// `:cp ARGS`. Refused in read-only mode: it runs `tar` in the container, as `kubectl cp`
/// does, and read-only refuses every command run in the cluster (exec and debug too).
pub fn command(app: &mut App, args: &[String]) -> Vec<Effect> {
    if app.readonly {
        app.say(Notice::Refused(
            "read-only mode: :cp runs tar in the container, as exec does; refused",
        ));
        return Vec::new();
    }
    match parse(app, args) {
        Ok((cluster, spec)) => {
            app.say(Notice::Copying {
                from: format!("{}:{}", spec.pod, spec.remote),
                bytes: 0,
            });
            vec![Effect::CopyOut(cluster, spec)]
        }
        Err(why) => {
            app.say(Notice::Invalid(format!(":cp {why}")));
            Vec::new()
        }
    }
}

/// How far a copy is.
pub fn progress(app: &mut App, spec: &CopySpec, bytes: u64) {
    app.say(Notice::Copying {
        from: format!("{}:{}", spec.pod, spec.remote),
        bytes,
    });
}

/// A copy ended: said; a target that exists is asked about.
pub fn done(
    app: &mut App,
    cluster: ClusterId,
    spec: CopySpec,
    result: Result<CopyReport, CopyError>,
) {
    match result {
        Ok(report) => app.say(Notice::CopiedOut(report)),
        Err(CopyError::Exists(path)) => {
            let again = CopySpec {
                overwrite: true,
                ..spec
            };
            app.prompt.pending = Some(Pending::ask(
                Question::Overwrite(path.display().to_string()),
                OnConfirm::Run(Box::new(Effect::CopyOut(cluster, again))),
            ));
            app.prompt.mode = Mode::Confirm;
        }
        Err(e) => app.say(Notice::CopyFailed(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_refuses_a_copy_before_anything_runs_in_the_container() {
        let mut a = crate::app::fixture::app();
        let args = [
            "demo/web-1:/etc/hosts".to_string(),
            "/tmp/hosts".to_string(),
        ];
        assert!(matches!(&command(&mut a, &args)[..], [Effect::CopyOut(..)]));
        a.readonly = true;
        assert!(command(&mut a, &args).is_empty());
        assert!(
            matches!(a.notice, Some(Notice::Refused(why)) if why.contains("read-only")),
            "{:?}",
            a.notice
        );
    }
}
