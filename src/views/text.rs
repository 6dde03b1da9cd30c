//! Text from the cluster is untrusted in every view: one neutraliser for all of them, the
//! same as the log panes' (`logline::sanitize`): control characters become visible pictures,
//! escapes show their text with `␛`, and the bidi and zero-width characters that reorder or hide
//! text are spelled `<U+XXXX>`, so `abc\u{202e}def` can never pass for another name.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

use crate::logline::sanitize::{is_clean, sanitize};

/// `s` made safe to print, unchanged when it already is.
pub fn clean(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(sanitize(s.as_bytes()))
    }
}

/// `s` in at most `width` terminal columns: cut with a visible `…` when it does not fit, so an
/// identifier is never shortened without a mark.
pub fn fit(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `s` broken into lines of at most `width` columns at spaces (a word longer than the width is
/// cut with `…`).
pub fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| fit(&l, width).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(clean("ok-name"), "ok-name");
        assert_eq!(clean("a\u{1b}[2Jb\u{9b}c\u{7}"), "a␛[2Jb<U+009B>c␇");
    }

    #[test]
    fn bidi_and_zero_width_are_spelled_out_as_in_log_panes() {
        assert_eq!(clean("abc\u{202e}def"), "abc<U+202E>def");
        assert_eq!(clean("we\u{200b}b"), "we<U+200B>b");
        assert_eq!(
            clean("abc\u{202e}def"),
            crate::logline::sanitize::sanitize("abc\u{202e}def".as_bytes())
        );
    }

    #[test]
    fn words_wrap_within_the_width() {
        let lines = super::wrap_words(
            "Drain node/worker-01 (context prod)? Cordon it, then evict 18 pod(s).",
            30,
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "Drain node/worker-01 (context prod)? Cordon it, then evict 18 pod(s)."
        );
    }

    #[test]
    fn a_cut_is_marked() {
        assert_eq!(
            super::fit("billing-4csq7nzjh9-5s79z", 30),
            "billing-4csq7nzjh9-5s79z"
        );
        assert_eq!(super::fit("billing-4csq7nzjh9-5s79z", 10), "billing-4…");
        assert_eq!(super::fit("日本語です", 5), "日本…");
        assert_eq!(super::fit("x", 0), "");
    }
}
