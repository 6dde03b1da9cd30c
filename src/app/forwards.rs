//! Port-forwards as data: each forward's spec and what its task last said, and its row in
//! `:pf` (local address, target, remote port, state, connections, the pod the last connection
//! went to, the last error).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::net::SocketAddr;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::ids::ClusterId;
use crate::kube::pod_row::Health;
use crate::kube::portforward::{ForwardError, ForwardId, ForwardReport, ForwardSpec};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardState {
    Starting,
    Listening(SocketAddr),
    Stopped(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardInfo {
    pub spec: ForwardSpec,
    pub state: ForwardState,
    pub open: u64,
    pub total: u64,
    /// The pod the last connection went to, and the port on it (a Service's target port).
    pub pod: String,
    pub pod_port: u16,
    pub last_error: Option<ForwardError>,
}

impl ForwardInfo {
    pub fn new(spec: ForwardSpec) -> Self {
        Self {
            spec,
            state: ForwardState::Starting,
            open: 0,
            total: 0,
            pod: String::new(),
            pod_port: 0,
            last_error: None,
        }
    }

    /// Take in what the forward's task said.
    pub fn apply(&mut self, report: &ForwardReport) {
        match report {
            ForwardReport::Listening(_, addr) => self.state = ForwardState::Listening(*addr),
            ForwardReport::Connections {
                open,
                total,
                pod,
                port,
                ..
            } => {
                self.open = *open;
                self.total = *total;
                self.pod.clone_from(pod);
                self.pod_port = *port;
            }
            ForwardReport::Error(_, why) => self.last_error = Some(why.clone()),
            ForwardReport::Stopped(_, why) => self.state = ForwardState::Stopped(why.clone()),
        }
    }
}

pub fn report_id(report: &ForwardReport) -> ForwardId {
    match report {
        ForwardReport::Listening(id, _)
        | ForwardReport::Error(id, _)
        | ForwardReport::Stopped(id, _)
        | ForwardReport::Connections { id, .. } => *id,
    }
}

columns! {
    /// The columns of `:pf`.
    pub enum ForwardCol {
        Local = Col::new("LOCAL", 22),
        Target = Col::new("TARGET", 60).shrink(2, 12),
        Remote = Col::new("REMOTE", 6),
        State = Col::new("STATE", 12),
        Connections = Col::new("CONN (OPEN/ALL)", 15),
        Pod = Col::new("POD", 50).shrink(1, 8),
        Error = Col::new("LAST ERROR", 200).shrink(0, 10),
    }
}

/// A forward as a row.
#[derive(Debug, Clone)]
pub struct ForwardRow {
    pub info: ForwardInfo,
    key: String,
}

impl ForwardRow {
    pub fn new(info: ForwardInfo) -> Self {
        let key = info.spec.id.to_string();
        Self { info, key }
    }
}

impl TableRow for ForwardRow {
    type Column = ForwardCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.info.spec.target.object().cluster)
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        super::table::timeless_fields(self)
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        super::table::cmp_text(self, o, col)
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.info.spec.id.cmp(&o.info.spec.id)
    }

    fn cell(&self, col: Self::Column, _now: Timestamp) -> String {
        let i = &self.info;
        match col {
            ForwardCol::Local => match &i.state {
                ForwardState::Listening(addr) => addr.to_string(),
                _ => format!("127.0.0.1:{}", i.spec.local_port),
            },
            ForwardCol::Target => i.spec.target.object().label(),
            ForwardCol::Remote => i.spec.remote_port.to_string(),
            ForwardCol::State => match &i.state {
                ForwardState::Starting => "starting".into(),
                ForwardState::Listening(_) => "listening".into(),
                ForwardState::Stopped(_) => "stopped".into(),
            },
            ForwardCol::Connections => format!("{}/{}", i.open, i.total),
            ForwardCol::Pod if i.pod.is_empty() => String::new(),
            ForwardCol::Pod => format!("{}:{}", i.pod, i.pod_port),
            ForwardCol::Error => match (&i.state, &i.last_error) {
                (ForwardState::Stopped(why), _) => why.clone(),
                (_, Some(e)) => e.to_string(),
                (_, None) => String::new(),
            },
        }
    }

    fn health(&self) -> Health {
        match (&self.info.state, &self.info.last_error) {
            (ForwardState::Stopped(_), _) => Health::Error,
            (_, Some(_)) => Health::Warning,
            (ForwardState::Starting, _) => Health::Pending,
            _ => Health::Ok,
        }
    }

    fn object(&self, _cluster: &ClusterId) -> Option<crate::kube::object_ref::ObjectRef> {
        Some(self.info.spec.target.object().clone())
    }
}
