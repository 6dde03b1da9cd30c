//! The API server's warnings: `Warning:` response headers (Pod Security's `warn` mode, a
//! deprecated API version, a field dropped). kubectl prints them; kube-rs drops them. The
//! client stack reads them off every response ([`note`]) into whichever request asked to hear
//! them ([`heard_during`]: a change the user made, a debug session starting); the informers'
//! lists and watches ask nothing, so nothing is collected for them.
//!
//! A warning is the server's text, untrusted as any: control characters are taken out, and it
//! is shown, never acted on.

use std::cell::RefCell;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::pty::{Backend, Connection, Progress, SessionError, Size};

/// What the work listening on a task has heard, and where each warning is also told as it
/// arrives (a session's pane), if anywhere.
#[derive(Default)]
struct Listener {
    heard: Vec<String>,
    told: Option<Progress>,
}

tokio::task_local! {
    /// The listener of the task running [`heard_during`]'s work.
    static HEARD: RefCell<Listener>;
}

/// Run `work`, and what the API server warned of while it ran (each once, in order). Only
/// requests made on this task are heard (not those of tasks it spawns).
pub async fn heard_during<F: Future>(work: F) -> (F::Output, Vec<String>) {
    listened(Listener::default(), work).await
}

async fn listened<F: Future>(listener: Listener, work: F) -> (F::Output, Vec<String>) {
    HEARD
        .scope(RefCell::new(listener), async move {
            let out = work.await;
            let heard = HEARD.with(|l| std::mem::take(&mut l.borrow_mut().heard));
            (out, heard)
        })
        .await
}

/// The client stack's hook: keep the response's warnings for the work listening on this task.
/// A response future is polled by the task that made the request (tower's buffer hands the
/// future back to its caller), so this runs there.
pub fn note<B>(response: http::Response<B>) -> http::Response<B> {
    let mut warnings = response
        .headers()
        .get_all(http::header::WARNING)
        .iter()
        .filter_map(|v| text_of(v.as_bytes()))
        .peekable();
    if warnings.peek().is_some() {
        let _ = HEARD.try_with(|listener| {
            let mut listener = listener.borrow_mut();
            for w in warnings {
                if listener.heard.contains(&w) {
                    continue;
                }
                if let Some(told) = &listener.told {
                    let _ = told.send(format!("Warning: {w}"));
                }
                listener.heard.push(w);
            }
        });
    }
    response
}

/// `inner`, with what the API server warned of while it connected (a debugger Pod Security
/// would refuse at a stricter level, say) written in its pane as it arrives, as kubectl
/// writes it to the terminal: `Warning: …`.
pub struct Heard {
    pub inner: Box<dyn Backend>,
}

impl Backend for Heard {
    fn label(&self) -> String {
        self.inner.label()
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        let inner = self.inner;
        async move {
            let listener = Listener {
                heard: Vec::new(),
                told: Some(progress.clone()),
            };
            listened(listener, inner.connect(size, progress)).await.0
        }
        .boxed()
    }
}

/// The text of a `Warning` header (RFC 7234: `299 - "text"`, an optional date after it), its
/// quoting undone and control characters taken out; `None` for one that is not of that form.
pub fn text_of(value: &[u8]) -> Option<String> {
    let value = std::str::from_utf8(value).ok()?;
    let (code, rest) = value.split_once(' ')?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (_agent, quoted) = rest.split_once(' ')?;
    let mut chars = quoted.strip_prefix('"')?.chars();
    let mut text = String::new();
    loop {
        match chars.next()? {
            '"' => break,
            '\\' => text.push(chars.next()?),
            c if c.is_control() => {}
            c => text.push(c),
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_header_reads_as_its_text() {
        // As the apiserver writes Pod Security's warning (Go's %q of the text).
        let header = br#"299 - "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"debugger\" must set securityContext.allowPrivilegeEscalation=false)""#;
        assert_eq!(
            text_of(header).as_deref(),
            Some(
                r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "debugger" must set securityContext.allowPrivilegeEscalation=false)"#
            )
        );
        assert_eq!(
            text_of(br#"299 - "unknown field \"spec.x\"" "Wed, 21 Oct 2015 07:28:00 GMT""#)
                .as_deref(),
            Some(r#"unknown field "spec.x""#)
        );
        assert_eq!(
            text_of(b"299 - \"a\x1b[31mred\"").as_deref(),
            Some("a[31mred")
        );
        assert_eq!(text_of(b"not a warning"), None);
        assert_eq!(text_of(br#"299 - "unterminated"#), None);
    }

    #[tokio::test]
    async fn warnings_are_heard_by_the_work_that_listens_and_by_nothing_else() {
        let response = || {
            let mut r = http::Response::new(());
            for text in [r#"299 - "first""#, r#"299 - "second""#, r#"299 - "first""#] {
                r.headers_mut()
                    .append(http::header::WARNING, http::HeaderValue::from_static(text));
            }
            r
        };
        let ((), heard) = heard_during(async {
            note(response());
            tokio::task::yield_now().await;
            note(response());
        })
        .await;
        assert_eq!(heard, ["first", "second"]);
        // Outside any listener: nothing kept, nothing fails.
        note(response());
        let ((), heard) = heard_during(async {}).await;
        assert!(heard.is_empty());
    }
}
