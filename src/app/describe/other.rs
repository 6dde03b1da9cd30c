//! The smaller kinds: a namespace, and an event (built from its row).

use super::*;

pub fn namespace(ns: &Namespace, events: &[&EventRow], now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    meta_fields(&mut doc, &ns.metadata, now);
    doc.field(
        0,
        "Status",
        ns.status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Active".into()),
    );
    events_section(&mut doc, events, now);
    doc.lines
}

pub fn event(row: &EventRow, now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let some = |m: &std::collections::BTreeMap<String, String>| (!m.is_empty()).then(|| m.clone());
    let meta = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: Some(row.name.clone()),
        namespace: (!row.namespace.is_empty()).then(|| row.namespace.clone()),
        creation_timestamp: row
            .created
            .map(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time),
        labels: some(&row.labels),
        annotations: some(&row.annotations),
        ..Default::default()
    };
    meta_fields(&mut doc, &meta, now);
    doc.field_as(
        0,
        "Type",
        row.type_.clone(),
        if row.warning {
            Role::Warning
        } else {
            Role::Plain
        },
    );
    doc.field(0, "Reason", row.reason.clone());
    doc.field(0, "Object", row.object());
    doc.field(0, "Count", row.count.to_string());
    doc.field(0, "First Seen", time(row.first_seen, now));
    doc.field(0, "Last Seen", time(row.last_seen, now));
    doc.field(0, "From", row.source.clone());
    doc.field(0, "Message", row.message.clone());
    doc.lines
}
