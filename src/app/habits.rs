//! The small habits of a k9s user, on any table: marks (Space, Ctrl-Space for a range,
//! Ctrl-\ to clear), copying the selected name or namespace, saving the table as shown to a
//! CSV file, and the wide columns.

use super::action::Effect;
use super::navigate::on_table;
use super::notice::Notice;
use super::state::{App, View};
use super::table::{Table, TableRow};

/// Space, Ctrl-Space, Ctrl-\ on the current table.
pub fn mark(app: &mut App, range: bool) {
    on_table!(app, app.view, t => if range { t.mark_range() } else { t.toggle_mark() });
    if app.view == View::Contexts {
        app.say(Notice::ContextsMarked(app.tables.contexts.marked()));
    }
}

pub fn clear_marks(app: &mut App) {
    on_table!(app, app.view, t => t.clear_marks());
}

/// `c` / `n`: the selected object's name or namespace on the clipboard (OSC 52).
pub fn copy(app: &mut App, namespace: bool) -> Vec<Effect> {
    let Some(obj) = super::selection::selected_object(app) else {
        app.say(Notice::Tip("nothing selected to copy"));
        return Vec::new();
    };
    let text = if namespace {
        if obj.namespace.is_empty() {
            app.say(Notice::NotNamespaced(obj.label()));
            return Vec::new();
        }
        obj.namespace
    } else {
        obj.name
    };
    app.say(Notice::CopiedText(text.clone()));
    vec![Effect::Clipboard(text)]
}

/// Ctrl-w: every column (as `-o wide`), or those that fit.
pub fn toggle_wide(app: &mut App) {
    let wide = on_table!(app, app.view, t => { t.wide = !t.wide; t.wide });
    if let Some(wide) = wide {
        app.say(Notice::Wide(wide));
    }
}

/// A cell as CSV writes it: quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The table as it is shown (filter and sort), every column, as CSV.
pub fn to_csv<R: TableRow>(table: &Table<R>, now: jiff::Timestamp) -> String {
    let columns = table.columns();
    let mut out = columns
        .iter()
        .map(|c| csv_field(&c.title))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for i in 0..table.len() {
        let Some(row) = table.row(i) else { continue };
        let cells: Vec<String> = (0..columns.len())
            .map(|c| csv_field(&table.cell(row, c, now)))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Ctrl-s: the table as shown, to `DATA_DIR/tables/CONTEXT-VIEW-TIME.csv`.
pub fn save_table(app: &mut App) -> Vec<Effect> {
    export(app, None)
}

/// The table as it is shown, as JSON lines: one object per row, column title → cell.
pub fn to_jsonl<R: TableRow>(table: &Table<R>, now: jiff::Timestamp) -> String {
    let columns = table.columns();
    let mut out = String::new();
    for i in 0..table.len() {
        let Some(row) = table.row(i) else { continue };
        let object: serde_json::Map<String, serde_json::Value> = columns
            .iter()
            .enumerate()
            .map(|(c, col)| (col.title.to_string(), table.cell(row, c, now).into()))
            .collect();
        out.push_str(&serde_json::Value::Object(object).to_string());
        out.push('\n');
    }
    out
}

/// `:export [csv|jsonl]` (and Ctrl-s: CSV): the table as shown, to
/// `DATA_DIR/tables/CONTEXT-VIEW-TIME.EXT`. The timeline's changes go whole (their full time,
/// cluster, kind, namespace, name), for a postmortem.
pub fn export(app: &mut App, format: Option<&str>) -> Vec<Effect> {
    let jsonl = match format.unwrap_or("csv") {
        "csv" => false,
        "jsonl" | "json" | "ndjson" => true,
        other => {
            app.say(Notice::Invalid(format!(
                ":export: {other:?} is not a format (csv or jsonl)"
            )));
            return Vec::new();
        }
    };
    let Some(dir) = app.data_dir.clone() else {
        app.say(Notice::Refused(
            "no data directory to save into (no home directory)",
        ));
        return Vec::new();
    };
    let now = app.now;
    let text = if app.view == View::Timeline {
        Some(super::timeline_rows::export(&app.tables.timeline, jsonl))
    } else if jsonl {
        on_table!(app, app.view, t => to_jsonl(t, now))
    } else {
        on_table!(app, app.view, t => to_csv(t, now))
    };
    let Some(text) = text else {
        app.say(Notice::Tip("this view is not a table"));
        return Vec::new();
    };
    let view = match (&app.view, &app.resource) {
        (View::Resource, Some(r)) => r.api.plural.clone(),
        (v, _) => v.title().to_string(),
    };
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let when = now.strftime("%Y%m%d-%H%M%S");
    let ext = if jsonl { "jsonl" } else { "csv" };
    let name = format!("{}-{}-{when}.{ext}", safe(app.fleet.context()), safe(&view));
    let path = dir.join("tables").join(name).display().to_string();
    vec![Effect::SaveFile { path, text }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::filter::Filter;

    #[test]
    fn the_csv_is_the_table_as_shown() {
        let mut a = crate::app::fixture::app();
        a.tables.pods.set_filter(Filter::new("crash"));
        let csv = to_csv(&a.tables.pods, a.now);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("NAMESPACE,NAME,READY,STATUS"), "{csv}");
        assert_eq!(
            lines.len(),
            2,
            "the header and the one row the filter keeps: {csv}"
        );
        assert!(lines[1].starts_with("demo,crasher,"), "{csv}");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn marks_follow_their_rows_through_sorts_and_filters_and_go_with_them() {
        let mut a = crate::app::fixture::app();
        a.view = View::Pods;
        a.tables.pods.select(0);
        mark(&mut a, false);
        a.tables.pods.select(1);
        mark(&mut a, false);
        assert_eq!(a.tables.pods.marked(), 2);
        a.tables.pods.sort_by(1);
        a.tables.pods.set_filter(Filter::new("web"));
        assert_eq!(
            a.tables.pods.marked_rows().len(),
            2,
            "hidden rows stay marked"
        );
        // One of them is deleted: its mark goes.
        let left: Vec<_> = a
            .tables
            .pods
            .all_rows()
            .iter()
            .filter(|r| r.name != "crasher")
            .cloned()
            .collect();
        a.tables.pods.set_rows(left);
        assert_eq!(a.tables.pods.marked(), 1);
        clear_marks(&mut a);
        assert_eq!(a.tables.pods.marked(), 0);
    }
}
