//! Errors from the API server, kept typed until the status bar renders them: a 403 and a 404
//! call for different next steps (ask for a role, or the object went away), so they must not
//! become the same text before anyone has looked.

use std::fmt;

/// What a request to the API server came back with, when it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 403: RBAC refuses it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: the object (or the resource) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// 401: the credentials were rejected.
    #[error(
        "unauthorized: the server rejected the credentials (token expired or invalid); refresh them and kubedeck reconnects"
    )]
    Unauthorized,
    /// 409: someone else changed it first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Any other status the server answered with.
    #[error("{message} ({code})")]
    Status { code: u16, message: String },
    /// No answer: refused, reset, timed out, TLS failed.
    #[error("cannot reach the API server: {0}")]
    Unreachable(String),
    /// An answer that could not be read.
    #[error("cannot read the server's answer: {0}")]
    Decode(String),
    /// No request was made: kubedeck holds no client for that cluster (it is not shown, or
    /// its client could not be built).
    #[error("not connected to {0}")]
    NotConnected(crate::kube::ids::ClusterId),
    /// The path to the API server went silent (see `liveness`): the request was not sent, or
    /// (a read) given up.
    #[error(
        "connection lost: the API server stopped answering (a silent connection, as a dropped VPN or jump host leaves); try again once it is live"
    )]
    Lost,
}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn code(&self) -> Option<u16> {
        match self {
            ApiError::Forbidden(_) => Some(403),
            ApiError::NotFound(_) => Some(404),
            ApiError::Unauthorized => Some(401),
            ApiError::Conflict(_) => Some(409),
            ApiError::Status { code, .. } => Some(*code),
            ApiError::Unreachable(_)
            | ApiError::Decode(_)
            | ApiError::NotConnected(_)
            | ApiError::Lost => None,
        }
    }

    /// Worth retrying as is: the server was unreachable, busy or failing.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Unreachable(_) => true,
            ApiError::Status { code, .. } => *code == 429 || *code >= 500,
            _ => false,
        }
    }
}

/// The innermost cause of an error: the part a person can act on ("Connection refused").
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        text = s.to_string();
        src = s.source();
    }
    text
}

impl From<&kube::Error> for ApiError {
    fn from(e: &kube::Error) -> Self {
        match e {
            kube::Error::Api(s) => match s.code {
                401 => ApiError::Unauthorized,
                403 => ApiError::Forbidden(s.message.clone()),
                404 => ApiError::NotFound(s.message.clone()),
                409 => ApiError::Conflict(s.message.clone()),
                code => ApiError::Status {
                    code,
                    message: s.message.clone(),
                },
            },
            kube::Error::SerdeError(e) => ApiError::Decode(e.to_string()),
            other => ApiError::Unreachable(root_cause(other)),
        }
    }
}

impl From<kube::Error> for ApiError {
    fn from(e: kube::Error) -> Self {
        ApiError::from(&e)
    }
}

/// An API error with what was being done when it happened: `cannot read deploy/web in shop:
/// forbidden: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub doing: String,
    pub error: ApiError,
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.doing, self.error)
    }
}

impl std::error::Error for Failed {}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, message: &str) -> kube::Error {
        kube::Error::Api(Box::new(
            kube::core::Status::failure(message, "").with_code(code),
        ))
    }

    #[test]
    fn statuses_keep_their_meaning() {
        assert_eq!(
            ApiError::from(status(403, "pods is forbidden")),
            ApiError::Forbidden("pods is forbidden".into())
        );
        assert_eq!(
            ApiError::from(status(404, "pods \"x\" not found")).code(),
            Some(404)
        );
        assert_eq!(ApiError::from(status(401, "")), ApiError::Unauthorized);
        assert!(ApiError::from(status(503, "busy")).is_transient());
        assert!(!ApiError::from(status(403, "no")).is_transient());
        assert_eq!(
            ApiError::from(status(422, "invalid")).to_string(),
            "invalid (422)"
        );
    }
}
