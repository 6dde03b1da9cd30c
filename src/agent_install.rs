//! `kubedeck agent install|uninstall`: the node agent's manifests (deploy/agent.yaml, built in)
//! printed for review with `--dry-run`, or applied to the chosen context after confirmation
//! (created, or replaced at the version read), and removed again with its namespace.

use std::io::{BufRead, Write};

use color_eyre::eyre::{Result, WrapErr, eyre};
use kube::api::{Api, DeleteParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};

use crate::kube::agent::NAMESPACE;

/// The manifests, as reviewed in the repository.
pub const MANIFESTS: &str = include_str!("../deploy/agent.yaml");

/// The objects of the manifests, with the API resource each is served at.
pub fn objects() -> Result<Vec<(ApiResource, DynamicObject)>> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(MANIFESTS) {
        let value = <serde_json::Value as serde::Deserialize>::deserialize(doc)
            .wrap_err("deploy/agent.yaml is not valid YAML")?;
        if value.is_null() {
            continue;
        }
        let obj: DynamicObject =
            serde_json::from_value(value).wrap_err("deploy/agent.yaml has a malformed object")?;
        let types = obj
            .types
            .clone()
            .ok_or_else(|| eyre!("an object without apiVersion/kind"))?;
        let (group, version) = match types.api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), types.api_version.clone()),
        };
        let plural = match types.kind.as_str() {
            "Namespace" => "namespaces",
            "ServiceAccount" => "serviceaccounts",
            "Role" => "roles",
            "DaemonSet" => "daemonsets",
            other => return Err(eyre!("deploy/agent.yaml: unexpected kind {other}")),
        };
        let gvk = GroupVersionKind::gvk(&group, &version, &types.kind);
        out.push((ApiResource::from_gvk_with_plural(&gvk, plural), obj));
    }
    Ok(out)
}

fn describe(ar: &ApiResource, obj: &DynamicObject) -> String {
    match &obj.metadata.namespace {
        Some(ns) => format!(
            "{}/{ns}/{}",
            ar.kind.to_lowercase(),
            obj.metadata.name.clone().unwrap_or_default()
        ),
        None => format!(
            "{}/{}",
            ar.kind.to_lowercase(),
            obj.metadata.name.clone().unwrap_or_default()
        ),
    }
}

fn api(client: &kube::Client, ar: &ApiResource, obj: &DynamicObject) -> Api<DynamicObject> {
    match &obj.metadata.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// Ask on the terminal; anything but y/yes is no.
fn confirm(question: &str) -> Result<bool> {
    print!("{question} [y/N] ");
    std::io::stdout().flush().wrap_err("stdout")?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .wrap_err("reading the answer")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub async fn install(client: &kube::Client, context: &str, yes: bool) -> Result<()> {
    let objects = objects()?;
    println!("The node agent, to be applied to context {context}:");
    for (ar, obj) in &objects {
        println!("  {}", describe(ar, obj));
    }
    println!(
        "Privileged pods on every node (hostPID); review with `kubedeck agent install --dry-run`."
    );
    if !yes && !confirm("Apply?")? {
        println!("Nothing applied.");
        return Ok(());
    }
    for (ar, obj) in objects {
        let api = api(client, &ar, &obj);
        let name = obj.metadata.name.clone().unwrap_or_default();
        let what = describe(&ar, &obj);
        let existing = api
            .get_opt(&name)
            .await
            .wrap_err_with(|| format!("cannot read {what} (does your role allow it?)"))?;
        match existing {
            None => {
                api.create(&PostParams::default(), &obj)
                    .await
                    .wrap_err_with(|| format!("cannot create {what}"))?;
                println!("{what} created");
            }
            Some(current) => {
                let mut next = obj.clone();
                next.metadata.resource_version = current.metadata.resource_version.clone();
                api.replace(&name, &PostParams::default(), &next)
                    .await
                    .wrap_err_with(|| format!("cannot replace {what}"))?;
                println!("{what} configured");
            }
        }
    }
    println!("Installed. `kubectl -n {NAMESPACE} get pods` shows an agent per node once they run.");
    Ok(())
}

pub async fn uninstall(client: &kube::Client, context: &str, yes: bool) -> Result<()> {
    let question = format!(
        "Delete namespace {NAMESPACE} (the agent, its role and any sessions open through it) from context {context}?"
    );
    if !yes && !confirm(&question)? {
        println!("Nothing deleted.");
        return Ok(());
    }
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    match namespaces
        .delete(NAMESPACE, &DeleteParams::background())
        .await
    {
        Ok(_) => println!("namespace/{NAMESPACE} deleted"),
        Err(kube::Error::Api(s)) if s.code == 404 => {
            println!("the agent is not installed (no namespace {NAMESPACE})")
        }
        Err(e) => return Err(e).wrap_err_with(|| format!("cannot delete namespace {NAMESPACE}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifests_hold_what_docs_agent_md_describes() {
        let objects = objects().unwrap();
        let names: Vec<String> = objects.iter().map(|(ar, o)| describe(ar, o)).collect();
        assert_eq!(
            names,
            [
                "namespace/kubedeck-system",
                "serviceaccount/kubedeck-system/kubedeck-agent",
                "role/kubedeck-system/kubedeck-agent-user",
                "daemonset/kubedeck-system/kubedeck-agent",
            ]
        );
        let ds = &objects[3].1.data["spec"]["template"]["spec"];
        assert_eq!(ds["hostPID"], true);
        assert_eq!(ds["automountServiceAccountToken"], false);
        assert_eq!(ds["tolerations"][0]["operator"], "Exists");
        let c = &ds["containers"][0];
        assert_eq!(c["name"], crate::kube::agent::CONTAINER);
        assert!(c["readinessProbe"]["exec"]["command"].is_array());
        assert!(c["resources"]["limits"]["memory"].is_string());
        // The agent listens on nothing.
        assert!(c["ports"].is_null());
        assert_eq!(
            objects[3].1.data["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
            "kubedeck-agent"
        );
    }
}
