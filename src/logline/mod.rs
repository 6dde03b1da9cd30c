//! Log lines as they leave a container: sanitised (every byte is untrusted), split into records
//! with timestamps and levels, JSON shown compactly, and the vocabulary a stream uses to report
//! its sources. A neutral layer: the cluster layer produces these, the app shows them, and
//! neither needs the other for it.

pub mod json;
pub mod record;
pub mod sanitize;
pub mod source;
