//! Text from the cluster is untrusted: control characters never reach the terminal.

use std::borrow::Cow;

/// Replace control characters (C0, DEL, C1) with U+FFFD so they cannot drive the terminal.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_control) {
        Cow::Owned(
            s.chars()
                .map(|c| if c.is_control() { '\u{fffd}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(clean("ok-name"), "ok-name");
        assert_eq!(
            clean("a\u{1b}[2Jb\u{9b}c\u{7}"),
            "a\u{fffd}[2Jb\u{fffd}c\u{fffd}"
        );
    }
}
