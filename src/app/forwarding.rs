//! `:pf`: starting a port-forward to the selection (a pod, a Service or a workload, by its
//! selector), the list of forwards, stopping (`Ctrl-d`) and restarting (`r`) one, and what their
//! tasks report.

use std::sync::Arc;

use super::action::Effect;
use super::forwards::{ForwardInfo, ForwardRow, ForwardState, report_id};
use super::navigate::go_view;
use super::notice::Notice;
use super::state::{App, View};
use crate::kube::informer::ResourceKind;
use crate::kube::portforward::{ForwardReport, ForwardSpec, ForwardTarget, parse_ports};

pub fn refresh_rows(app: &mut App) {
    let rows = app
        .forwards
        .values()
        .map(|f| Arc::new(ForwardRow::new(f.clone())))
        .collect();
    app.tables.forwards.set_rows(rows);
}

/// What the selection forwards to: a pod, or the pods a Service's or workload's selector picks.
fn target(app: &App) -> Result<ForwardTarget, Box<Notice>> {
    let obj = super::selection::selected_object(app).ok_or(Box::new(Notice::Refused(
        "select a pod, a Service or a workload to forward to",
    )))?;
    if obj.kind == ResourceKind::Pods {
        return Ok(ForwardTarget::Pod(obj));
    }
    let row = (app.view == View::Resource)
        .then(|| app.tables.resource.selected_row())
        .flatten();
    match row.and_then(|r| r.cell_named("Selector")) {
        // A Service's port is one of its own, carried to its targetPort per connection.
        Some(selector) if !selector.is_empty() && selector != "<none>" => {
            Ok(if obj.kind_name() == "Service" {
                ForwardTarget::Service {
                    object: obj,
                    selector,
                }
            } else {
                ForwardTarget::Selected {
                    object: obj,
                    selector,
                }
            })
        }
        _ => Err(Box::new(Notice::SelectsNoPods(obj.label()))),
    }
}

/// The port `P` offers on the command line, ready to edit: a container row's first port, or a
/// Service row's first port (`80/TCP`, `8080:30080/TCP`: the Service's own port, which the
/// forward carries to its targetPort).
pub fn suggested_port(app: &App) -> Option<String> {
    let first = |ports: &str| {
        let entry = ports.split(',').next()?.trim();
        let port = entry.split('/').next()?;
        Some(port.to_string())
    };
    let port = match app.view {
        View::Containers => app
            .tables
            .containers
            .selected_row()
            .and_then(|r| first(&r.ports))
            .and_then(|p| p.rsplit(':').next().map(str::to_string)),
        View::Resource => app
            .tables
            .resource
            .selected_row()
            .filter(|_| {
                super::selection::selected_object(app).is_some_and(|o| o.kind_name() == "Service")
            })
            .and_then(|r| r.cell_named("Port(s)"))
            .and_then(|p| first(&p))
            .and_then(|p| p.split(':').next().map(str::to_string)),
        _ => None,
    };
    port.filter(|p| !p.is_empty() && p.parse::<u16>().is_ok())
}

/// `:pf` (the list) or `:pf [LOCAL:]REMOTE` (a forward to the selection).
pub fn command(app: &mut App, ports: Option<&str>) -> Vec<Effect> {
    let Some(ports) = ports else {
        refresh_rows(app);
        go_view(app, View::Forwards);
        return Vec::new();
    };
    if app.readonly {
        app.say(Notice::Refused(
            "read-only mode: port-forwards are disabled",
        ));
        return Vec::new();
    }
    let (local_port, remote_port) = match parse_ports(ports) {
        Ok(p) => p,
        Err(e) => {
            app.say(Notice::Invalid(e));
            return Vec::new();
        }
    };
    let target = match target(app) {
        Ok(t) => t,
        Err(notice) => {
            app.say(*notice);
            return Vec::new();
        }
    };
    let id = app.next_forward;
    app.next_forward += 1;
    let spec = ForwardSpec {
        id,
        target,
        local_port,
        remote_port,
    };
    let notice = Notice::Forwarding {
        local: local_port,
        target: spec.target.object().label(),
        remote: remote_port,
    };
    app.forwards.insert(id, ForwardInfo::new(spec.clone()));
    refresh_rows(app);
    app.say(notice);
    vec![Effect::StartForward(spec)]
}

/// `Ctrl-d` in `:pf`: stop the selected forward.
pub fn stop(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.tables.forwards.selected_row().map(|r| r.info.spec.id) else {
        return Vec::new();
    };
    app.forwards.remove(&id);
    refresh_rows(app);
    app.say(Notice::ForwardStopped(None));
    vec![Effect::StopForward(id)]
}

/// `r` in `:pf`: start the selected forward again (a fresh listener, counts kept).
pub fn restart(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.tables.forwards.selected_row().map(|r| r.info.spec.id) else {
        return Vec::new();
    };
    if app.readonly {
        return Vec::new();
    }
    let Some(f) = app.forwards.get_mut(&id) else {
        return Vec::new();
    };
    f.state = ForwardState::Starting;
    f.last_error = None;
    let spec = f.spec.clone();
    refresh_rows(app);
    vec![Effect::StopForward(id), Effect::StartForward(spec)]
}

/// What a forward's task said.
pub fn reported(app: &mut App, report: ForwardReport) {
    let id = report_id(&report);
    let Some(f) = app.forwards.get_mut(&id) else {
        return;
    };
    f.apply(&report);
    match &report {
        ForwardReport::Listening(_, addr) => {
            let notice = Notice::ForwardListening {
                addr: *addr,
                target: f.spec.target.object().label(),
                remote: f.spec.remote_port,
            };
            app.say(notice);
        }
        ForwardReport::Stopped(_, why) => app.say(Notice::ForwardStopped(Some(why.clone()))),
        ForwardReport::Error(_, why) => {
            let notice = Notice::ForwardFailed {
                target: f.spec.target.object().label(),
                why: why.clone(),
            };
            app.say(notice);
        }
        ForwardReport::Connections { .. } => {}
    }
    refresh_rows(app);
}
