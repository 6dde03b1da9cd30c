//! What a drain will do, pod by pod, as its confirmation shows it: plain data (the budgets
//! arrive later and fill it in).

use crate::kube::ids::ClusterId;
use crate::kube::pdb::Budget;

/// A pod a drain will evict, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvictLine {
    pub namespace: String,
    pub name: String,
    pub owner: Option<(String, String)>,
    pub labels: crate::kube::labels::Labels,
}

/// What a drain will do, pod by pod.
#[derive(Debug, Clone, PartialEq)]
pub struct DrainPreview {
    pub cluster: ClusterId,
    pub node: String,
    pub evict: Vec<EvictLine>,
    /// DaemonSet and static pods, which stay.
    pub stay: Vec<(String, &'static str)>,
    /// The budgets, once read (`Err`: why they could not be).
    pub budgets: Option<Result<Vec<Budget>, crate::kube::error::ApiError>>,
}

impl DrainPreview {
    /// The preview, one line per pod: owner, and the budget that holds it.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "{} pod(s) to evict from node/{} ({}):",
            self.evict.len(),
            self.node,
            self.cluster
        )];
        let width = self
            .evict
            .iter()
            .map(|p| p.namespace.len() + p.name.len() + 1)
            .max()
            .unwrap_or(0);
        for p in &self.evict {
            let owner = p
                .owner
                .as_ref()
                .map_or("no owner (not recreated)".to_string(), |(k, n)| {
                    format!("{k}/{n}")
                });
            let budget = match &self.budgets {
                None => "PDB: checking…".to_string(),
                Some(Err(_)) => "PDB: unknown".to_string(),
                Some(Ok(all)) => match all.iter().find(|b| b.selects(&p.namespace, &p.labels)) {
                    None => "no PDB".to_string(),
                    Some(b) if b.disruptions_allowed <= 0 => {
                        format!("PDB {} allows no disruption now: eviction waits", b.name)
                    }
                    Some(b) => format!("PDB {} ({} allowed)", b.name, b.disruptions_allowed),
                },
            };
            let who = format!("{}/{}", p.namespace, p.name);
            out.push(format!("  {who:<width$}  {owner:<30}  {budget}"));
        }
        if let Some(Err(why)) = &self.budgets {
            out.push(format!("  (disruption budgets not readable: {why})"));
        }
        if !self.stay.is_empty() {
            out.push(format!("{} pod(s) stay:", self.stay.len()));
            for (who, why) in &self.stay {
                out.push(format!("  {who}  ({why})"));
            }
        }
        out
    }
}
