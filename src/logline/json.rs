//! JSON log lines: shown compactly with the key fields first (time, level, message), the rest
//! as `key=value`, and pretty-printed in full on demand. Decoded strings are sanitised again:
//! a JSON escape such as `\u001b` must not become a live escape sequence.

use serde_json::{Map, Value};

use super::sanitize::sanitize;

const TIME_KEYS: &[&str] = &["time", "ts", "timestamp", "@timestamp", "t"];
const LEVEL_KEYS: &[&str] = &["level", "lvl", "severity", "log.level"];
const MSG_KEYS: &[&str] = &["msg", "message", "@message", "log"];

/// A JSON object line split into its key fields and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonLine {
    pub time: Option<String>,
    pub level: Option<String>,
    pub msg: Option<String>,
    pub fields: Vec<(String, String)>,
}

fn clean(s: &str) -> String {
    sanitize(s.as_bytes())
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => clean(s),
        other => clean(&other.to_string()),
    }
}

fn take(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| map.remove(*k)).map(|v| scalar(&v))
}

fn object(text: &str) -> Option<Map<String, Value>> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The compact form of `text` when it is a JSON object.
pub fn parse(text: &str) -> Option<JsonLine> {
    let mut map = object(text)?;
    let time = take(&mut map, TIME_KEYS);
    let level = take(&mut map, LEVEL_KEYS);
    let msg = take(&mut map, MSG_KEYS);
    let fields = map.iter().map(|(k, v)| (clean(k), scalar(v))).collect();
    Some(JsonLine {
        time,
        level,
        msg,
        fields,
    })
}

impl JsonLine {
    /// The time as a pane shows it: the clock when it is a timestamp (the date is in the
    /// timestamp column when wanted), else as written.
    pub fn clock(&self) -> Option<String> {
        let t = self.time.as_ref()?;
        Some(
            t.parse::<jiff::Timestamp>()
                .map(|ts| ts.strftime("%H:%M:%S%.3f").to_string())
                .unwrap_or_else(|_| t.clone()),
        )
    }

    /// The line as a pane shows it: `clock LEVEL msg key=value …`. Search and filters match
    /// this, not the raw JSON.
    pub fn display(&self) -> String {
        let mut out = String::new();
        if let Some(t) = self.clock() {
            out.push_str(&t);
            out.push(' ');
        }
        if let Some(l) = &self.level {
            out.push_str(&l.to_uppercase());
            out.push(' ');
        }
        if let Some(m) = &self.msg {
            out.push_str(m);
        }
        for (k, v) in &self.fields {
            out.push_str(&format!(" {k}={v}"));
        }
        out
    }
}

/// What a pane shows for `text` when it differs from it: a JSON object's compact form.
pub fn shown(text: &str) -> Option<String> {
    parse(text).map(|j| j.display())
}

/// The whole object, pretty-printed, one sanitised line per output line.
pub fn pretty(text: &str) -> Option<Vec<String>> {
    let map = object(text)?;
    let out = serde_json::to_string_pretty(&Value::Object(map)).ok()?;
    Some(out.lines().map(clean).collect())
}

#[cfg(test)]
mod shown_tests {
    use super::*;

    #[test]
    fn the_shown_form_is_what_a_filter_matches() {
        let raw = r#"{"ts":"2026-11-22T10:00:01.5Z","level":"info","msg":"paid","latency_ms":842,"order_id":95199}"#;
        assert_eq!(
            shown(raw).as_deref(),
            Some("10:00:01.500 INFO paid latency_ms=842 order_id=95199")
        );
        assert_eq!(shown("plain text"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_fields_come_first() {
        let j = parse(
            r#"{"time":"2026-11-22T10:00:00.000Z","level":"warn","msg":"upstream slow","order_id":17,"latency_ms":812}"#,
        );
        assert_eq!(
            j,
            Some(JsonLine {
                time: Some("2026-11-22T10:00:00.000Z".into()),
                level: Some("warn".into()),
                msg: Some("upstream slow".into()),
                fields: vec![
                    ("latency_ms".into(), "812".into()),
                    ("order_id".into(), "17".into())
                ],
            })
        );
    }

    #[test]
    fn alternative_key_names_and_nested_values() {
        let j =
            parse(r#"{"@timestamp":"t","severity":"ERROR","message":"boom","ctx":{"a":[1,2]}}"#);
        let j = j.unwrap_or_else(|| unreachable!());
        assert_eq!(
            (j.time.as_deref(), j.level.as_deref(), j.msg.as_deref()),
            (Some("t"), Some("ERROR"), Some("boom"))
        );
        assert_eq!(
            j.fields,
            [("ctx".to_string(), r#"{"a":[1,2]}"#.to_string())]
        );
    }

    #[test]
    fn not_json_is_none() {
        assert_eq!(parse("level=info msg=x"), None);
        assert_eq!(parse("{broken"), None);
        assert_eq!(parse("[1,2]"), None);
    }

    #[test]
    fn escapes_inside_json_strings_stay_harmless() {
        let j = parse(r#"{"msg":"\u001b]0;pwned\u0007 \u001b[2J","k\u001b":"v"}"#)
            .unwrap_or_else(|| unreachable!());
        assert_eq!(j.msg.as_deref(), Some("␛]0;pwned␇ ␛[2J"));
        assert_eq!(j.fields[0].0, "k␛");
        let lines = pretty(r#"{"msg":"\u001b[2J"}"#).unwrap_or_default();
        assert_eq!(
            lines,
            ["{", r#"  "msg": "\u001b[2J""#, "}"],
            "serde re-escapes control characters"
        );
    }
}
