//! A plugin on its way: waiting for the answers to its inputs, or ready to run (plain data,
//! apart from the keys, so effects and sessions can carry it).

/// A plugin to run: the script (every word quoted) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRun {
    pub name: String,
    /// The context its `$KUBECONFIG` names (the private copy the runtime writes).
    pub cluster: crate::kube::ids::ClusterId,
    /// The namespace that copy's context defaults to.
    pub namespace: Option<String>,
    /// What `/bin/sh -c` runs.
    pub script: String,
    /// What it runs for (one row, or how many marked).
    pub target: String,
    /// A background plugin's whole output is its message (else its last line).
    pub overwrite_output: bool,
}

/// A plugin waiting for the answers to its `inputs`.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginAsk {
    pub plugin: String,
    /// The answers so far, by input name.
    pub answers: Vec<(String, String)>,
}
