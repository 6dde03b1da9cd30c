#!/bin/bash
# Run from the repository root after `cargo build --release`: examples/bench_kinds.sh
# The breadth benchmark: 10,000 Deployments, 20,000 Services and 20,000 ConfigMaps in the
# simulator (besides 1,000 pods); kubedeck (release) shows each kind in turn, from outside.
set -euo pipefail
BIN=${BIN:-target/release/kubedeck}
PORT=18282
KC=/tmp/bench-kinds.kc
$BIN sim --pods 1000 --nodes 20 --events 2000 --pipelineruns 50 --tick-ms 0 \
  --listen 127.0.0.1:$PORT --kubeconfig-out $KC > /tmp/bench-sim.log 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null; tmux kill-session -t bk 2>/dev/null || true' EXIT
sleep 2
for k in deployments:10000 services:20000 configmaps:20000; do
  curl -s "http://127.0.0.1:$PORT/_sim/bulk?kind=${k%%:*}&count=${k##*:}" > /dev/null
done
rss() { ps -o rss= -p "$(pgrep -f "^$BIN --kubeconfig $KC" | head -1)" | awk '{printf "%.0f", $1/1024}'; }
tmux new -d -s bk -x 160 -y 45 "$BIN --kubeconfig $KC -A --view pods"
until tmux capture-pane -p -t bk | grep -q 'pods(all) \[1'; do sleep 0.1; done
sleep 3
echo "pods view: RSS $(rss) MiB"
for cmd in deploy:deployments svc:services cm:configmaps; do
  start=$(date +%s.%N)
  tmux send-keys -t bk ":${cmd%%:*}" Enter
  want="${cmd##*:}\\(all\\)"
  until tmux capture-pane -p -t bk | grep -Eq "$want \[[0-9]{5}/"; do sleep 0.05; done
  end=$(date +%s.%N)
  sleep 5
  printf "%-12s populated in %.2f s, RSS %s MiB (after 5 s)\n" "${cmd##*:}" "$(echo "$end - $start" | bc)" "$(rss)"
done
sleep 60
echo "after 60 s more on configmaps: RSS $(rss) MiB"
for k in deployments services configmaps; do
  /usr/bin/time -f "kubectl get $k -A: %e s, max RSS %M KiB" kubectl --kubeconfig $KC get $k -A > /dev/null
done
