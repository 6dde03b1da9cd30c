#!/bin/bash
# Run from the repository root after `cargo build --release`: examples/bench_fleet.sh
# A fleet, measured from outside: CLUSTERS still simulated clusters of PODS pods each (10 x
# 10,000 by default; CLUSTERS=30 PODS=3000 for many small ones), each its own `kubedeck sim`
# process (a node per 20 pods, as many events as pods), then kubedeck (release) on all of them
# at once (`--context` for each) in a 200x50 tmux pane on the pods view with every namespace:
# seconds until the pods table holds every cluster's pods, RSS then and SETTLE seconds after
# the start (300: the goal's "after 5 minutes"), then over IDLE seconds: CPU, and the TCP
# connections kubedeck holds and the API requests it made a minute per cluster (the simulators'
# own count, `/_sim/requests`). Per additional cluster: (fleet - one cluster) / (n - 1), with
# ONE=1 (the default) measuring one cluster alone first. First of all, the floor of this box:
# the bare paginated LIST of every pod (curl, 500 a page, no decode) of one cluster, then of
# every cluster in parallel, and the same with `kubectl get pods -A -o name` (the simulators
# share the machine's cores with kubedeck: ten clusters' lists cannot come in the time of one
# here). FLOOR_ONLY=1 stops after the floor.
set -euo pipefail
BIN=${BIN:-target/release/kubedeck}
N=${CLUSTERS:-10}
PODS=${PODS:-10000}
SETTLE=${SETTLE:-300}
IDLE=${IDLE:-60}
ONE=${ONE:-1}
SIMS=()
KCS=()
DIR=$(mktemp -d)
trap 'kill "${SIMS[@]}" 2>/dev/null; tmux kill-session -t bf 2>/dev/null || true; rm -rf "$DIR"' EXIT
for i in $(seq 1 "$N"); do
  kc=$DIR/c$i.kc
  # The simulators do not write kubedeck's debug log (KUBEDECK_LOG) when it is set.
  env -u KUBEDECK_LOG $BIN sim --pods "$PODS" --nodes $((PODS / 20)) --events "$PODS" --pipelineruns 50 --tick-ms 0 \
    --seed $((40 + i)) --listen 127.0.0.1:0 --context-name "c$i" --kubeconfig-out "$kc" \
    > "$DIR/sim-$i.log" 2>&1 &
  SIMS+=($!)
  KCS+=("$kc")
done
for kc in "${KCS[@]}"; do until [ -s "$kc" ]; do sleep 0.2; done; done
KUBECONFIG=$(IFS=:; echo "${KCS[*]}")
export KUBECONFIG
: > "$DIR/empty.toml"

now() { date +%s.%N; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
conns() { ss -tnp 2>/dev/null | grep -c "pid=$1," || true; }
server_of() { grep -o '"server": *"[^"]*"' "$1" | cut -d'"' -f4; }
# The API requests the first $1 simulators have served (their own count; watches included).
served() {
  local sum=0 n i
  for i in $(seq 1 "$1"); do
    n=$(curl -sf "$(server_of "${KCS[$((i - 1))]}")/_sim/requests" | grep -o '"requests": *[0-9]*' | grep -o '[0-9]*$')
    sum=$((sum + n))
  done
  echo "$sum"
}

# Every cluster's pods in the table: its title's total ([shown/total]) reaches n x PODS (the
# PipelineRuns add a few pods).
populated() {
  local total
  total=$(tmux capture-pane -p -t bf | sed -n 2p | grep -Eo '\[[0-9]+/[0-9]+\]' | head -1 | grep -Eo '/[0-9]+' | tr -d / || true)
  [ -n "$total" ] && [ "$total" -ge $(($1 * PODS)) ]
}

run() {
  local label=$1 n=$2
  local args="--config $DIR/empty.toml -A --view pods"
  for i in $(seq 1 "$n"); do args="$args --context c$i"; done
  t0=$(now)
  tmux new -d -s bf -x 200 -y 50 -e "XDG_DATA_HOME=$DIR/data-$n" "$BIN $args"
  pid=""
  until [ -n "$pid" ]; do pid=$(pgrep -f "^$BIN $args" | head -1 || true); sleep 0.05; done
  until populated "$n"; do sleep 0.1; done
  t1=$(now)
  r0=$(rss_mb "$pid")
  left=$(echo "$SETTLE - ($t1 - $t0)" | bc -l)
  if [ "$(echo "$left > 0" | bc -l)" = 1 ]; then sleep "$left"; fi
  r1=$(rss_mb "$pid")
  c0=$(cpu_ticks "$pid")
  q0=$(served "$n")
  sleep "$IDLE"
  c1=$(cpu_ticks "$pid")
  q1=$(served "$n")
  rpm=$(echo "($q1 - $q0) * 60 / $IDLE / $n" | bc -l)
  printf "| %s | %.2f s | %d MB | %d MB | %.2f%% | %d | %.1f |\n" \
    "$label" "$(echo "$t1 - $t0" | bc -l)" "$r0" "$r1" "$(echo "($c1 - $c0) / $IDLE" | bc -l)" "$(conns "$pid")" "$rpm"
  echo "$r1 $(echo "($c1 - $c0) / $IDLE" | bc -l) $(conns "$pid")" > "$DIR/last"
  tmux kill-session -t bf
  sleep 2
}

kubectl_all() {
  local t0 t1 pids=()
  t0=$(now)
  for i in $(seq 1 "$1"); do kubectl --context "c$i" get pods -A -o name --chunk-size=500 > /dev/null & pids+=($!); done
  wait "${pids[@]}"
  t1=$(now)
  printf "kubectl get pods -A, %d cluster(s) in parallel: %.2f s\n" "$1" "$(echo "$t1 - $t0" | bc -l)"
}
# One cluster's pods, page by page, as the server sends them (curl: nothing decoded but the
# continue token).
bare_list() {
  local kc=$1 server token cont="" page
  server=$(server_of "$kc")
  token=$(grep -o '"token": *"[^"]*"' "$kc" | cut -d'"' -f4)
  page=$(mktemp -p "$DIR")
  while :; do
    curl -sfG -H "Authorization: Bearer $token" --data-urlencode "limit=500" \
      ${cont:+--data-urlencode "continue=$cont"} "$server/api/v1/pods" -o "$page"
    cont=$(grep -o '"continue": *"[^"]*"' "$page" | head -1 | cut -d'"' -f4 || true)
    [ -n "$cont" ] || break
  done
  rm -f "$page"
}
bare_all() {
  local t0 t1 pids=()
  t0=$(now)
  for i in $(seq 1 "$1"); do bare_list "${KCS[$((i - 1))]}" & pids+=($!); done
  wait "${pids[@]}"
  t1=$(now)
  printf "bare LIST (curl), %d cluster(s) in parallel: %.2f s\n" "$1" "$(echo "$t1 - $t0" | bc -l)"
}
bare_all 1
bare_all "$N"
kubectl_all 1
kubectl_all "$N"
[ "${FLOOR_ONLY:-0}" = 1 ] && exit 0
echo
echo "| run ($PODS pods a cluster) | populated | RSS populated | RSS ${SETTLE} s after start | idle CPU over ${IDLE} s | TCP connections | requests a minute a cluster, at rest |"
echo "|---|---|---|---|---|---|---|"
if [ "$ONE" = 1 ]; then
  run "kubedeck, 1 cluster" 1
  read -r one_rss one_cpu one_conns < "$DIR/last"
fi
run "kubedeck, $N clusters" "$N"
read -r all_rss all_cpu all_conns < "$DIR/last"
if [ "$ONE" = 1 ]; then
  printf "\nEach additional cluster at rest: %.1f MB, %.3f%% CPU, %.1f connections\n" \
    "$(echo "($all_rss - $one_rss) / ($N - 1)" | bc -l)" \
    "$(echo "($all_cpu - $one_cpu) / ($N - 1)" | bc -l)" \
    "$(echo "($all_conns - $one_conns) / ($N - 1)" | bc -l)"
fi
