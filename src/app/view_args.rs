//! The arguments a view command takes, as k9s reads them (`:po demo`, `:deploy @prod`,
//! `:po -l app=web`, `:svc /front`, and any mix of them): a namespace (or `all`, `-A`),
//! `@CONTEXT`, a label selector (`-l SELECTOR`, or a word that is one: `app=web,tier!=db`),
//! and `/FILTER`. Each at most once; anything else is said, never ignored.

/// Which namespaces a view command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceArg {
    /// `all`, `-A` or `*`: every namespace. (A namespace named `all` is picked in the
    /// namespaces view, where it is a row like any other.)
    All,
    Named(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewArgs {
    pub namespace: Option<NamespaceArg>,
    /// `@CONTEXT`: show it in that context (a switch, as `:ctx` makes).
    pub context: Option<String>,
    /// A label selector, in the apiserver's grammar.
    pub labels: Option<String>,
    /// `/TEXT`: the table's filter.
    pub filter: Option<String>,
}

/// What a view command shows: one of kubedeck's views, or a kind the server serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewTarget {
    View(super::view::View),
    Kind(String),
}

/// The grammar, for messages.
pub const USAGE: &str = "[NAMESPACE|all] [@CONTEXT] [-l SELECTOR] [/FILTER]";

/// A word that is a label selector on its own (`app=web`, `tier!=db`, `env in (a,b)`).
fn is_selector(word: &str) -> bool {
    word.contains('=') || word.contains(" in (") || word.contains(" notin (")
}

impl ViewArgs {
    /// Read `args` (the words after the command).
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut out = Self::default();
        let twice = |what: &str| format!("{what} given twice (:KIND {USAGE})");
        let mut words = args.iter().copied();
        while let Some(word) = words.next() {
            if let Some(context) = word.strip_prefix('@') {
                if context.is_empty() {
                    return Err(format!("@ needs a context name (:KIND {USAGE})"));
                }
                if out.context.replace(context.to_string()).is_some() {
                    return Err(twice("a context"));
                }
            } else if let Some(filter) = word.strip_prefix('/') {
                // The filter is the rest of the line: it may hold spaces.
                let rest: Vec<&str> = std::iter::once(filter).chain(words.by_ref()).collect();
                out.filter = Some(rest.join(" "));
            } else if word == "-l" || word == "--selector" {
                let Some(selector) = words.next() else {
                    return Err(format!("-l needs a selector (:KIND {USAGE})"));
                };
                if out.labels.replace(selector.to_string()).is_some() {
                    return Err(twice("a label selector"));
                }
            } else if let Some(selector) = word.strip_prefix("-l").filter(|s| !s.is_empty()) {
                if out.labels.replace(selector.to_string()).is_some() {
                    return Err(twice("a label selector"));
                }
            } else if is_selector(word) {
                if out.labels.replace(word.to_string()).is_some() {
                    return Err(twice("a label selector"));
                }
            } else if word == "-n" || word == "--namespace" {
                let Some(ns) = words.next() else {
                    return Err(format!("-n needs a namespace (:KIND {USAGE})"));
                };
                out.set_namespace(ns)?;
            } else if word.starts_with('-') && !matches!(word, "-A" | "--all-namespaces") {
                return Err(format!("{word:?} is not understood (:KIND {USAGE})"));
            } else {
                out.set_namespace(word)?;
            }
        }
        Ok(out)
    }

    fn set_namespace(&mut self, word: &str) -> Result<(), String> {
        let ns = match word {
            "all" | "-A" | "--all-namespaces" | "*" => NamespaceArg::All,
            name => {
                if !valid_namespace(name) {
                    return Err(format!("{name:?} is not a namespace name (:KIND {USAGE})"));
                }
                NamespaceArg::Named(name.to_string())
            }
        };
        match &self.namespace {
            Some(first) if *first != ns => Err(format!(
                "two namespaces ({}, {word}); one at a time (:KIND {USAGE})",
                match first {
                    NamespaceArg::All => "all",
                    NamespaceArg::Named(n) => n,
                }
            )),
            _ => {
                self.namespace = Some(ns);
                Ok(())
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The table filter these arguments make: the selector, then the text (`-l app=web front`).
    pub fn table_filter(&self) -> Option<String> {
        match (&self.labels, &self.filter) {
            (None, None) => None,
            (Some(l), None) => Some(format!("-l {l}")),
            (None, Some(f)) => Some(f.clone()),
            (Some(l), Some(f)) => Some(format!("-l {l} {f}")),
        }
    }

    /// The same arguments without the context (what is left to do once it is switched to).
    pub fn without_context(&self) -> Self {
        Self {
            context: None,
            ..self.clone()
        }
    }
}

/// A namespace name as the apiserver takes it (a DNS label).
fn valid_namespace(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<ViewArgs, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        ViewArgs::parse(&words)
    }

    #[test]
    fn each_form_as_k9s_reads_it() {
        let ns = |n: &str| Some(NamespaceArg::Named(n.into()));
        assert_eq!(parse("demo").map(|a| a.namespace), Ok(ns("demo")));
        assert_eq!(
            parse("all").map(|a| a.namespace),
            Ok(Some(NamespaceArg::All))
        );
        assert_eq!(
            parse("-A").map(|a| a.namespace),
            Ok(Some(NamespaceArg::All))
        );
        assert_eq!(parse("@prod").map(|a| a.context), Ok(Some("prod".into())));
        assert_eq!(
            parse("-l app=web").map(|a| a.labels),
            Ok(Some("app=web".into()))
        );
        assert_eq!(
            parse("app=web,tier!=db").map(|a| a.labels),
            Ok(Some("app=web,tier!=db".into()))
        );
        assert_eq!(
            parse("/front end").map(|a| a.filter),
            Ok(Some("front end".into()))
        );
        let all = parse("demo @prod -l app=web /front").unwrap_or_default();
        assert_eq!(all.namespace, ns("demo"));
        assert_eq!(all.context.as_deref(), Some("prod"));
        assert_eq!(all.table_filter().as_deref(), Some("-l app=web front"));
        assert_eq!(all.without_context().context, None);
        assert!(parse("").is_ok_and(|a| a.is_empty()));
    }

    #[test]
    fn what_is_not_understood_is_said() {
        for (line, says) in [
            ("demo shop", "two namespaces"),
            ("--bogus", "not understood"),
            ("-l", "needs a selector"),
            ("@", "needs a context"),
            ("@a @b", "given twice"),
            ("Demo_1", "not a namespace name"),
            ("-n", "needs a namespace"),
        ] {
            let err = parse(line).err().unwrap_or_default();
            assert!(err.contains(says), "{line}: {err}");
        }
        // The same namespace twice is no conflict.
        assert!(parse("demo -n demo").is_ok());
    }
}
