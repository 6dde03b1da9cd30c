//! RBAC refusals, worded as the apiserver words them (`ForbiddenStatusError` and
//! `NewForbidden`): the resource qualified by its group, the object's name when the request
//! named one, the subresource in the resource asked for, and the scope.
//!
//! `pods "web-1" is forbidden: User "kubedeck-sim" cannot create resource "pods/exec" in API
//! group "" in the namespace "demo"`; `pods is forbidden: User "…" cannot list resource "pods"
//! in API group "" at the cluster scope` (tests/fixtures/real-cluster/wire-403.http).

use serde_json::{Value, json};

/// Who the simulator authenticates every client as unless told otherwise.
#[cfg(test)]
pub const USER: &str = crate::rbac::ADMIN_USER;

/// One refused request.
#[derive(Debug, Clone, Copy)]
pub struct Denied<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub plural: &'a str,
    pub subresource: Option<&'a str>,
    /// The object's name, when the request named one.
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

impl Denied<'_> {
    /// What RBAC is asked for this request.
    pub fn attributes(&self) -> crate::rbac::Attributes<'_> {
        crate::rbac::Attributes {
            verb: self.verb,
            group: self.group,
            resource: self.plural,
            subresource: self.subresource,
            name: self.name,
            namespace: self.namespace,
        }
    }

    /// The Status message, for the simulator's default user.
    #[cfg(test)]
    pub fn message(&self) -> String {
        self.message_for(USER)
    }

    /// The Status message, for `user`.
    pub fn message_for(&self, user: &str) -> String {
        let resource = match self.subresource {
            Some(sub) => format!("{}/{sub}", self.plural),
            None => self.plural.to_string(),
        };
        let scope = match self.namespace {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_string(),
        };
        let reason = format!(
            "User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            self.verb, self.group
        );
        let qualified = if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        };
        match self.name {
            Some(name) => format!("{qualified} \"{name}\" is forbidden: {reason}"),
            None => format!("{qualified} is forbidden: {reason}"),
        }
    }

    /// The Status `details`: name, group (when not core) and the resource as `kind`.
    pub fn details(&self) -> Value {
        let mut details = json!({"kind": self.plural});
        if let Some(name) = self.name {
            details["name"] = json!(name);
        }
        if !self.group.is_empty() {
            details["group"] = json!(self.group);
        }
        details
    }

    /// A pod subresource's refusal (`pods/exec`, `pods/log`…) of pod `name` in `namespace`.
    pub fn pod<'a>(verb: &'a str, sub: &'a str, namespace: &'a str, name: &'a str) -> Denied<'a> {
        Denied {
            verb,
            group: "",
            plural: "pods",
            subresource: Some(sub),
            name: Some(name),
            namespace: Some(namespace),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real apiserver's body (wire-403.http), but for the simulator's user.
    #[test]
    fn worded_as_the_apiserver_words_it() {
        let list = Denied {
            verb: "list",
            group: "",
            plural: "pods",
            subresource: None,
            name: None,
            namespace: None,
        };
        let real = include_str!("../../../tests/fixtures/real-cluster/wire-403.http");
        let expected = list
            .message()
            .replace(USER, "system:serviceaccount:demo:nobody")
            .replace('"', "\\\"");
        assert!(real.contains(&expected), "{expected}");
        assert_eq!(list.details(), json!({"kind": "pods"}));
        let exec = Denied::pod("create", "exec", "demo", "web-1");
        assert_eq!(
            exec.message(),
            "pods \"web-1\" is forbidden: User \"kubedeck-sim\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"demo\""
        );
        assert_eq!(exec.details(), json!({"kind": "pods", "name": "web-1"}));
        let run = Denied {
            verb: "get",
            group: "tekton.dev",
            plural: "pipelineruns",
            subresource: None,
            name: Some("build-1"),
            namespace: Some("ci"),
        };
        assert_eq!(
            run.message(),
            "pipelineruns.tekton.dev \"build-1\" is forbidden: User \"kubedeck-sim\" cannot get resource \"pipelineruns\" in API group \"tekton.dev\" in the namespace \"ci\""
        );
    }
}
