//! Tekton PipelineRuns as a dynamic type: tekton.dev/v1, falling back to v1beta1.

use kube::Client;
use kube::core::{ApiResource, GroupVersionKind};

/// The outcome of looking for Tekton on a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TektonApi {
    Served(ApiResource),
    NotInstalled,
}

pub const VERSIONS: [&str; 2] = ["v1", "v1beta1"];

pub fn pipelinerun_resource(version: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("tekton.dev", version, "PipelineRun"),
        "pipelineruns",
    )
}

/// The TaskRun resource beside a served PipelineRun resource (same group and version).
pub fn taskrun_resource(pipelineruns: &ApiResource) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("tekton.dev", &pipelineruns.version, "TaskRun"),
        "taskruns",
    )
}

/// Ask discovery which PipelineRun version is served. `Err` is a transport or server failure
/// worth retrying; a 404 means that version is not served.
pub async fn discover(client: &Client) -> Result<TektonApi, kube::Error> {
    for version in VERSIONS {
        match client
            .list_api_group_resources(&format!("tekton.dev/{version}"))
            .await
        {
            Ok(list) if list.resources.iter().any(|r| r.name == "pipelineruns") => {
                return Ok(TektonApi::Served(pipelinerun_resource(version)));
            }
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(TektonApi::NotInstalled)
}
