//! The runner's local work (saves, themes) and start-up chores (node shells left behind).

use super::*;

#[tokio::test]
async fn local_work_is_typed_too() {
    let mut rig = rig(false).await;
    let dir = tempfile::tempdir().unwrap();
    // Its folder is made, and only its owner may read it.
    let path = dir.path().join("tables/saved.log").display().to_string();
    rig.run(Effect::SaveFile {
        path: path.clone(),
        text: "a\nb\n".into(),
    });
    match rig.next_done().await {
        Msg::Done(Done::Saved { path: p, outcome }) => {
            assert_eq!(p, path);
            assert_eq!(outcome, Ok(2));
        }
        other => panic!("{other:?}"),
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // Under a file: no folder can be made there.
    let nowhere = dir
        .path()
        .join("tables/saved.log/x.log")
        .display()
        .to_string();
    rig.run(Effect::SaveFile {
        path: nowhere.clone(),
        text: "a".into(),
    });
    match rig.next_done().await {
        Msg::Done(Done::Saved { path, outcome }) => {
            assert_eq!(path, nowhere);
            assert!(outcome.is_err());
        }
        other => panic!("{other:?}"),
    }
    let said = rig.run(Effect::SetTheme("blurple".into()));
    assert!(
        matches!(&said[..], [Msg::Done(Done::Theme(n, Err(crate::app::msg::ThemeError::Unknown { .. })))] if n == "blurple"),
        "{said:?}"
    );
    let said = rig.run(Effect::SetTheme("light".into()));
    assert!(matches!(&said[..], [Msg::Done(Done::Theme(_, Ok(())))]));
    assert_ne!(rig.runner.theme, crate::views::theme::Theme::monochrome());
}

/// A node-shell pod an earlier kubedeck of this instance left (its owner's PID is gone) is
/// deleted and named; the list comes back typed, with the cluster.
#[tokio::test]
async fn a_node_shell_left_behind_is_swept() {
    let mut rig = rig(false).await;
    let me = rig.runner.instance.clone();
    let pod = crate::kube::node_shell::debug_pod("worker-01", "busybox", &me);
    let mut value = serde_json::to_value(&pod).unwrap();
    value["metadata"]["name"] = "left-behind".into();
    value["metadata"]["namespace"] = "default".into();
    value["metadata"]["annotations"][crate::kube::node_shell::OWNER_ANNOTATION] =
        format!("{}/{}", me.host, u32::MAX).into();
    rig.sim.store().put(Kind::Pod, value);
    rig.run(Effect::SweepNodeShells(cluster(), "default".into()));
    match rig.next_done().await {
        Msg::Done(Done::NodeShellsSwept(c, Ok(names))) => {
            assert_eq!(c, cluster());
            assert_eq!(names, vec!["left-behind".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let key = ("default".to_string(), "left-behind".to_string());
    assert!(rig.sim.store().get(Kind::Pod, &key).is_none());
}
