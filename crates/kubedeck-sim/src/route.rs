//! Which API object a request path names (`/api/v1/namespaces/demo/pods/x/log`, ...).

use super::resources::{self, Served};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Version,
    ApiVersions,
    ApiGroups,
    GroupVersion {
        group: String,
        version: String,
    },
    Collection {
        served: &'static Served,
        namespace: Option<String>,
    },
    Object {
        served: &'static Served,
        namespace: Option<String>,
        name: String,
    },
    Log {
        namespace: String,
        name: String,
    },
    /// `pods/NAME/eviction`.
    Eviction {
        namespace: String,
        name: String,
    },
    /// `pods/NAME/ephemeralcontainers`.
    Ephemeral {
        namespace: String,
        name: String,
    },
    /// `deployments|statefulsets|replicasets/NAME/scale`.
    Scale {
        served: &'static Served,
        namespace: String,
        name: String,
    },
    /// `/apis/authentication.k8s.io/v1/selfsubjectreviews`: who the caller is.
    SelfSubjectReview,
    /// `/apis/authorization.k8s.io/v1/{selfsubjectrulesreviews, selfsubjectaccessreviews,
    /// subjectaccessreviews}`: what the caller (or a named user) may do.
    Review(Review),
    /// `/openapi/v3`.
    OpenApiIndex,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/GROUP/VERSION`.
    OpenApi {
        group: String,
        version: String,
    },
    Admin(String),
}

/// The authorization reviews the apiserver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    SelfRules,
    SelfAccess,
    Access,
}

impl Review {
    pub fn plural(self) -> &'static str {
        match self {
            Review::SelfRules => "selfsubjectrulesreviews",
            Review::SelfAccess => "selfsubjectaccessreviews",
            Review::Access => "subjectaccessreviews",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Review::SelfRules => "SelfSubjectRulesReview",
            Review::SelfAccess => "SelfSubjectAccessReview",
            Review::Access => "SubjectAccessReview",
        }
    }
}

/// `None` when nothing is served at `path` (the apiserver's 404 page).
pub fn parse(path: &str) -> Option<Target> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segs.as_slice() {
        ["version"] => return Some(Target::Version),
        ["api"] => return Some(Target::ApiVersions),
        ["apis"] => return Some(Target::ApiGroups),
        ["_sim", cmd] => return Some(Target::Admin(cmd.to_string())),
        ["openapi", "v3"] => return Some(Target::OpenApiIndex),
        ["apis", "authentication.k8s.io", "v1", "selfsubjectreviews"] => {
            return Some(Target::SelfSubjectReview);
        }
        ["apis", "authorization.k8s.io", "v1", plural] => {
            let review = match *plural {
                "selfsubjectrulesreviews" => Review::SelfRules,
                "selfsubjectaccessreviews" => Review::SelfAccess,
                "subjectaccessreviews" => Review::Access,
                _ => return None,
            };
            return Some(Target::Review(review));
        }
        ["openapi", "v3", "api", v] => {
            return Some(Target::OpenApi {
                group: String::new(),
                version: v.to_string(),
            });
        }
        ["openapi", "v3", "apis", g, v] => {
            return Some(Target::OpenApi {
                group: g.to_string(),
                version: v.to_string(),
            });
        }
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    let find = |plural: &str| resources::find(group, version, plural);
    let target = match rest {
        [] => {
            resources::resource_list(group, version)?;
            Target::GroupVersion {
                group: group.into(),
                version: version.into(),
            }
        }
        [plural] => Target::Collection {
            served: find(plural)?,
            namespace: None,
        },
        // `namespaces/NAME` is the Namespace object itself.
        [plural, name] => {
            let served = find(plural)?;
            if served.namespaced {
                return None;
            }
            Target::Object {
                served,
                namespace: None,
                name: name.to_string(),
            }
        }
        ["namespaces", ns, plural] => {
            let served = find(plural)?;
            served.namespaced.then(|| Target::Collection {
                served,
                namespace: Some(ns.to_string()),
            })?
        }
        ["namespaces", ns, plural, name] => {
            let served = find(plural)?;
            served.namespaced.then(|| Target::Object {
                served,
                namespace: Some(ns.to_string()),
                name: name.to_string(),
            })?
        }
        ["namespaces", ns, "pods", name, "log"] if group.is_empty() => Target::Log {
            namespace: ns.to_string(),
            name: name.to_string(),
        },
        ["namespaces", ns, "pods", name, "eviction"] if group.is_empty() => Target::Eviction {
            namespace: ns.to_string(),
            name: name.to_string(),
        },
        ["namespaces", ns, "pods", name, "ephemeralcontainers"] if group.is_empty() => {
            Target::Ephemeral {
                namespace: ns.to_string(),
                name: name.to_string(),
            }
        }
        ["namespaces", ns, plural, name, "scale"]
            if group == "apps"
                && matches!(*plural, "deployments" | "statefulsets" | "replicasets") =>
        {
            Target::Scale {
                served: find(plural)?,
                namespace: ns.to_string(),
                name: name.to_string(),
            }
        }
        _ => return None,
    };
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(parse("/version"), Some(Target::Version));
        assert!(matches!(
            parse("/api/v1/pods"),
            Some(Target::Collection {
                namespace: None,
                ..
            })
        ));
        assert!(
            matches!(parse("/api/v1/namespaces/demo/pods"), Some(Target::Collection { namespace: Some(ns), .. }) if ns == "demo")
        );
        assert!(
            matches!(parse("/api/v1/namespaces/demo"), Some(Target::Object { name, .. }) if name == "demo")
        );
        assert!(
            matches!(parse("/api/v1/nodes/worker-01"), Some(Target::Object { name, .. }) if name == "worker-01")
        );
        assert!(matches!(
            parse("/api/v1/namespaces/demo/pods/p/log"),
            Some(Target::Log { .. })
        ));
        assert!(matches!(
            parse("/apis/tekton.dev/v1/namespaces/ci/pipelineruns"),
            Some(Target::Collection { .. })
        ));
        assert!(matches!(
            parse("/apis/tekton.dev/v1"),
            Some(Target::GroupVersion { .. })
        ));
        assert!(matches!(
            parse("/apis/tekton.dev/v1beta1/pipelineruns"),
            Some(Target::Collection { .. })
        ));
        assert_eq!(parse("/apis/tekton.dev/v2/pipelineruns"), None);
        assert_eq!(
            parse("/api/v1/pods/p"),
            None,
            "namespaced objects need their namespace"
        );
        assert_eq!(parse("/api/v1/namespaces/demo/nodes"), None);
        assert_eq!(parse("/healthz/x"), None);
    }
}
