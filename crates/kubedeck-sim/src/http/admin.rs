//! The `/_sim/` endpoints: faults, steps of the scenario, a restart.

use std::collections::HashMap;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::super::{Ctrl, Shared};

type Params = HashMap<String, String>;

use super::*;

pub(super) fn admin(sim: &Shared, cmd: &str, params: &Params) -> Response {
    let num = |k: &str| params.get(k).and_then(|v| v.parse::<u64>().ok());
    match cmd {
        "drop-watches" => sim.faults.drop_all_watches(),
        "gone" => sim
            .faults
            .gone_next_watches(u32::try_from(num("count").unwrap_or(1)).unwrap_or(1)),
        "forbid" => sim
            .faults
            .forbid(params.get("resource").map_or("", String::as_str)),
        "allow" => sim
            .faults
            .allow(params.get("resource").map_or("", String::as_str)),
        "latency" => sim
            .faults
            .set_latency(Duration::from_millis(num("ms").unwrap_or(0))),
        "ephemeral" => sim
            .faults
            .set_ephemeral_enabled(params.get("enabled").is_none_or(|v| v == "true")),
        "metrics" => sim
            .faults
            .set_metrics_enabled(params.get("enabled").is_none_or(|v| v == "true")),
        "api" => sim.faults.set_api_served(
            params.get("gv").map_or("", String::as_str),
            params.get("served").is_none_or(|v| v == "true"),
        ),
        "compact" => sim.store.compact(),
        // What clients asked so far (a benchmark's requests per minute at rest).
        "requests" => {
            let (requests, watches) = sim.requests_served();
            return json_response(
                StatusCode::OK,
                &json!({"requests": requests, "watches": watches}),
            );
        }
        // Readiness flips a second (a kubelet under a storm): `churn?per_sec=200`, 0 stops.
        "churn" => sim.faults.set_churn(num("per_sec").unwrap_or(0)),
        "step" => sim.step(num("n").unwrap_or(1)),
        "restart" => sim.control(Ctrl::Restart {
            downtime: Duration::from_millis(num("downtime_ms").unwrap_or(0)),
            restore: params.get("restore").is_some_and(|v| v == "true"),
        }),
        "checkpoint" => sim.store.checkpoint(),
        "agent" => sim.install_agent(),
        "token" => sim.set_token(params.get("value").map(String::as_str)),
        // Many objects of a kind, for the benchmarks: `bulk?kind=configmaps&count=20000`.
        "bulk" => {
            let kind = params.get("kind").map_or("", String::as_str);
            let count = usize::try_from(num("count").unwrap_or(0)).unwrap_or(0);
            if let Err(e) = crate::kinds_seed::bulk(&sim.store, kind, count) {
                return bad_request(&e);
            }
        }
        _ => return not_found_page(),
    }
    json_response(StatusCode::OK, &json!({"ok": cmd}))
}
