#!/bin/bash
# Run from the repository root after `cargo build --release`: examples/bench_clusters.sh
# Several clusters at once, measured from outside: three still simulated clusters of 10,000
# pods, 10,000 events and 500 nodes each (one `kubedeck sim` process per cluster, its own port
# and context), then kubedeck (release) in a 200x50 tmux pane showing
#   1. one of them (the baseline),
#   2. all three (`--context a --context b --context c`),
#   3. all three with `[watch]` limiting two of them to pods and nodes.
# For each: seconds from launch until the status bar says every cluster is live with all its
# pods, the RSS then, and the RSS and CPU after 60 s idle. The bare reference is three
# `kubectl get pods -A -o name` run in parallel against the three simulators.
set -euo pipefail
BIN=${BIN:-target/release/kubedeck}
PODS=${PODS:-10000}
KCS=()
SIMS=()
rm -f /tmp/bench-clusters-[123].kc
trap 'kill "${SIMS[@]}" 2>/dev/null; tmux kill-session -t bc 2>/dev/null || true' EXIT
for i in 1 2 3; do
  port=$((18390 + i))
  kc=/tmp/bench-clusters-$i.kc
  $BIN sim --pods "$PODS" --nodes 500 --events "$PODS" --pipelineruns 50 --tick-ms 0 \
    --seed $((40 + i)) --listen 127.0.0.1:$port --context-name "c$i" --kubeconfig-out "$kc" \
    > /tmp/bench-clusters-sim-$i.log 2>&1 &
  SIMS+=($!)
  KCS+=("$kc")
done
until [ -s /tmp/bench-clusters-3.kc ] && [ -s /tmp/bench-clusters-1.kc ] && [ -s /tmp/bench-clusters-2.kc ]; do sleep 0.2; done
KUBECONFIG=$(IFS=:; echo "${KCS[*]}")
export KUBECONFIG
CONFIG=/tmp/bench-clusters.toml
printf '[watch]\n"c2" = ["pods", "nodes"]\n"c3" = ["pods", "nodes"]\n' > $CONFIG
EMPTY=/tmp/bench-clusters-empty.toml
: > $EMPTY

now() { date +%s.%N; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# kubectl, the bare list of every pod of the three clusters, in parallel.
t0=$(now)
KUBECTLS=()
for c in c1 c2 c3; do kubectl --context $c get pods -A -o name > /dev/null & KUBECTLS+=($!); done
wait "${KUBECTLS[@]}"
t1=$(now)
printf "kubectl get pods -A, 3 clusters in parallel: %.2f s\n" "$(echo "$t1 - $t0" | bc -l)"

# All `n` clusters live with their pods: "cN: live · 10030 pods" for each (or, with one
# cluster, the single-cluster bar's "pods 10030"; the PipelineRuns add a few pods).
PODS_RE="${PODS:0:1}[0-9]{$((${#PODS} - 1))}"
populated() {
  local screen; screen=$(tmux capture-pane -p -t bc | tail -1)
  if [ "$1" = 1 ]; then
    # Every kind listed, as "live" means for each of several clusters.
    echo "$screen" | grep -Eq "pods $PODS_RE .*events [0-9]+ .*nodes [0-9]+ .*pipelineruns [0-9]+"
  else
    [ "$(echo "$screen" | grep -Eo "c[0-9]: live · $PODS_RE pods" | wc -l)" -eq "$1" ]
  fi
}

run() {
  local label=$1 n=$2 config=$3; shift 3
  local args="--config $config -A --view pods $*"
  t0=$(now)
  tmux new -d -s bc -x 200 -y 50 "$BIN $args"
  pid=""
  until [ -n "$pid" ]; do pid=$(pgrep -f "^$BIN $args" | head -1 || true); sleep 0.05; done
  until populated "$n"; do sleep 0.1; done
  t1=$(now)
  r0=$(rss_mb "$pid")
  c0=$(cpu_ticks "$pid")
  sleep 60
  c1=$(cpu_ticks "$pid")
  r1=$(rss_mb "$pid")
  printf "%-38s populated %5.2f s  RSS %4d MB, after 60 s idle %4d MB  idle CPU %.1f%%\n" \
    "$label" "$(echo "$t1 - $t0" | bc -l)" "$r0" "$r1" "$(echo "($c1 - $c0) / 60" | bc -l)"
  tmux kill-session -t bc
  sleep 2
}

run "kubedeck, 1 cluster" 1 $EMPTY --context c1
run "kubedeck, 3 clusters" 3 $EMPTY --context c1 --context c2 --context c3
run "kubedeck, 3 clusters, 2 watch pods+nodes" 3 $CONFIG --context c1 --context c2 --context c3
