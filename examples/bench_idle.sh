#!/bin/bash
# Run from the repository root after `cargo build --release`: examples/bench_idle.sh
# Idle cost by view: a still cluster (10,000 pods, 10,000 events, 500 nodes, metrics every 15 s
# as by default), kubedeck (release) left alone for 60 s on one view, the bytes it received
# from the apiserver (the kernel's per-connection bytes_received, from `ss`, summed over its
# connections; /proc/PID/io does not count socket reads made with recv) and its CPU time.
set -euo pipefail
BIN=${BIN:-target/release/kubedeck}
PORT=18283
KC=/tmp/bench-idle.kc
$BIN sim --pods 10000 --nodes 500 --events 10000 --pipelineruns 50 --tick-ms 0 \
  --listen 127.0.0.1:$PORT --kubeconfig-out $KC > /tmp/bench-idle-sim.log 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; tmux kill-session -t bi 2>/dev/null || true' EXIT
sleep 3
# Bytes received on the process's connections to the simulator (open ones: the watches and
# the pooled connection the polls use stay open through the minute).
received() {
  ss -tinpH "( dport = :$PORT )" | grep -A1 "pid=$1," | grep -o 'bytes_received:[0-9]*' \
    | cut -d: -f2 | paste -sd+ | bc
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for view in pods triage nodes; do
  tmux new -d -s bi -x 160 -y 45 "$BIN --kubeconfig $KC -A --view $view"
  pid=""
  until [ -n "$pid" ]; do pid=$(pgrep -f "^$BIN --kubeconfig $KC -A --view $view" | head -1 || true); sleep 0.1; done
  until tmux capture-pane -p -t bi | grep -q "pods [0-9]\{5\}"; do sleep 0.2; done
  # Past the first metrics sample and the start-up lists.
  sleep 20
  r0=$(received "$pid"); c0=$(cpu_ticks "$pid")
  sleep 60
  r1=$(received "$pid"); c1=$(cpu_ticks "$pid")
  printf "%-7s view: received %6.2f MB in 60 s idle, CPU %.1f%% of a core\n" "$view" \
    "$(echo "($r1 - $r0) / 1000000" | bc -l)" "$(echo "($c1 - $c0) / 60" | bc -l)"
  tmux kill-session -t bi
  sleep 1
done
