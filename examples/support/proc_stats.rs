//! What a process costs, read from outside: CPU time and resident memory from /proc, bytes
//! received on its connections to a port from the kernel's socket statistics (`ss`).
// Shared by several benchmarks, each using some of it.
#![allow(dead_code)]

use std::process::Command;

/// utime + stime of `pid`, in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let ticks = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / ticks
}

/// Resident memory of `pid` in MiB (VmRSS), or `None` once it is gone.
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Bytes `pid` has received on its open TCP connections to `port` (the kernel's per-socket
/// `bytes_received`; /proc/PID/io does not count socket reads made with recv). `None` without
/// `ss` (iproute2).
pub fn bytes_received(pid: u32, port: u16) -> Option<u64> {
    let out = Command::new("ss")
        .args(["-tinpH", &format!("( dport = :{port} )")])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let owner = format!("pid={pid},");
    // `ss -i` prints each socket's line (with its process) and then its details' line.
    let lines: Vec<&str> = text.lines().collect();
    let mut total = 0;
    for (i, line) in lines.iter().enumerate() {
        if !line.contains(&owner) {
            continue;
        }
        let details = [Some(*line), lines.get(i + 1).copied()];
        total += details
            .iter()
            .flatten()
            .flat_map(|l| l.split_whitespace())
            .find_map(|w| w.strip_prefix("bytes_received:"))
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(total)
}
