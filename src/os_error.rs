//! A failure of this machine's (a file, a directory, the terminal's clipboard), kept typed until
//! it is drawn: its kind, which code may branch on, and the system's own words, which only the
//! screen shows.

/// What the system answered when asked to read, write or create something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct OsError {
    pub kind: std::io::ErrorKind,
    pub reason: String,
}

impl From<std::io::Error> for OsError {
    fn from(e: std::io::Error) -> Self {
        Self {
            kind: e.kind(),
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_kind_and_the_words() {
        let e = OsError::from(std::fs::read("/nonexistent/x").unwrap_err());
        assert_eq!(e.kind, std::io::ErrorKind::NotFound);
        assert!(e.to_string().contains("No such file"), "{e}");
    }
}
