#!/usr/bin/env bash
# What replication costs, measured in one run by the same librdkafka producer (kperf, 100 B records,
# 4 partitions, no compression): one `skein kafka` with acks=1 and with acks=all, and a
# `skein dev-cluster --nodes 3` (RF=3, min.insync.replicas=2) with acks=all. Each round starts every
# server afresh; rounds alternate the builds under comparison, so a noisy neighbour hits them alike.
#
#   bash bench/kafka/replication.sh                      the build in this checkout (compiled first)
#   BUILDS="/tmp/old /path/to/this" bash bench/kafka/replication.sh
#                                                        several checkouts, each with dist/ built
# env: RECORDS (per run, default 1000000), SIZE (100), ROUNDS (3), PORT (first of a range of 8 free
# ports, default 24500), OUT and BENCH_TOOLS as for compare.sh.
# Prints every run (records/s, and in brackets the servers' CPU time per record in microseconds, which
# other load on the machine disturbs far less) and, per build, the medians and the ratios RF=3/acks=all
# and RF=3/acks=1. Read ratios, not absolute numbers: the machine is shared.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/tmp/skein-bench}"
RECORDS="${RECORDS:-1000000}"
SIZE="${SIZE:-100}"
ROUNDS="${ROUNDS:-3}"
PORT="${PORT:-24500}"
PARTITIONS=4
BUILDS="${BUILDS:-$ROOT}"

BENCH_TOOLS="${BENCH_TOOLS:-$ROOT/../shared/bench}"
if [ -f "$BENCH_TOOLS/build.sh" ]; then
  OUT="$OUT" bash "$BENCH_TOOLS/build.sh" >/dev/null
elif [ ! -x "$OUT/kperf" ]; then
  echo "replication.sh: needs kperf, from $BENCH_TOOLS/build.sh (outside this repository; set BENCH_TOOLS) or built in $OUT" >&2
  exit 2
fi
if [ "$BUILDS" = "$ROOT" ]; then (cd "$ROOT" && npx tsc -p tsconfig.build.json); fi
for b in $BUILDS; do
  [ -f "$b/dist/src/cli/main.js" ] || { echo "replication.sh: $b has no dist/src/cli/main.js (npx tsc -p tsconfig.build.json there)" >&2; exit 2; }
done

WORK="$(mktemp -d /tmp/skein-replication-XXXXXX)"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits until `file` has a line matching `pattern` (at most 60 s).
await_line() {
  for _ in $(seq 600); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "replication.sh: no '$2' in $1" >&2
  tail -5 "$1" >&2
  return 1
}

# CPU ticks (user + system) used so far by the server process and its children still running.
ticks() {
  local total=0 pid
  for pid in "$SERVER_PID" $(pgrep -P "$SERVER_PID" || true); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# kperf's records/s (0 for a failed run) and the servers' CPU microseconds per record meanwhile.
rate() {
  local out before after rec
  before="$(ticks)"
  if out="$("$OUT/kperf" "$@" 2>/dev/null)"; then rec="$(sed -n 's/.*rec\/s=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)"; else rec=0; fi
  after="$(ticks)"
  echo "$rec $(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$RECORDS" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')"
}

single() { # build dir, round -> "acks1 cpu acksall cpu"
  local dir="$WORK/single" port="$PORT"
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'listeners=PLAINTEXT://127.0.0.1:%s\nlog.dirs=%s/data\nnum.partitions=%s\n' "$port" "$dir" "$PARTITIONS" >"$dir/server.properties"
  SKEIN_LOG_LEVEL=info node "$1/dist/src/cli/main.js" kafka --config "$dir/server.properties" >"$dir/log" 2>&1 &
  SERVER_PID=$!
  await_line "$dir/log" 'kafka broker listening'
  local a1 aall
  a1="$(rate produce "127.0.0.1:$port" "a1-$2" "$RECORDS" "$SIZE" 1)"
  aall="$(rate produce "127.0.0.1:$port" "aall-$2" "$RECORDS" "$SIZE" -1)"
  stop_server
  echo "$a1 $aall"
}

cluster() { # build dir, round -> "rf3 cpu"
  local dir="$WORK/cluster"
  rm -rf "$dir" && mkdir -p "$dir"
  SKEIN_LOG_LEVEL=info node "$1/dist/src/cli/main.js" dev-cluster --nodes 3 --data-dir "$dir/data" \
    --kafka-port "$((PORT + 1))" --zookeeper-port "$((PORT + 7))" \
    --override "num.partitions=$PARTITIONS" --override default.replication.factor=3 --override min.insync.replicas=2 \
    >"$dir/log" 2>&1 &
  SERVER_PID=$!
  await_line "$dir/log" '"bootstrap'
  local rf3
  rf3="$(rate produce "127.0.0.1:$((PORT + 1)),127.0.0.1:$((PORT + 2)),127.0.0.1:$((PORT + 3))" "rf3-$2" "$RECORDS" "$SIZE" -1)"
  stop_server
  echo "$rf3"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), a / b }'; }

medianf() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

declare -A A1 AALL RF3 C1 CALL C3
printf '%-6s %-36s %18s %18s %18s\n' round build 'acks=1 (us/rec)' 'acks=all (us/rec)' 'rf3 all (us/rec)'
for round in $(seq "$ROUNDS"); do
  for b in $BUILDS; do
    read -r a1 c1 aall call <<<"$(single "$b" "$round")"
    read -r rf3 c3 <<<"$(cluster "$b" "$round")"
    A1[$b]="${A1[$b]:-} $a1"; AALL[$b]="${AALL[$b]:-} $aall"; RF3[$b]="${RF3[$b]:-} $rf3"
    C1[$b]="${C1[$b]:-} $c1"; CALL[$b]="${CALL[$b]:-} $call"; C3[$b]="${C3[$b]:-} $c3"
    printf '%-6s %-36s %18s %18s %18s\n' "$round" "$b" "$a1 ($c1)" "$aall ($call)" "$rf3 ($c3)"
  done
done
echo
printf '%-36s %18s %18s %18s %13s %11s\n' 'median of' acks=1 acks=all 'rf3 acks=all' rf3/acks=all rf3/acks=1
for b in $BUILDS; do
  # shellcheck disable=SC2086
  m1="$(median ${A1[$b]})"; mall="$(median ${AALL[$b]})"; m3="$(median ${RF3[$b]})"
  # shellcheck disable=SC2086
  printf '%-36s %18s %18s %18s %13s %11s\n' "$b" "$m1 ($(medianf ${C1[$b]}))" "$mall ($(medianf ${CALL[$b]}))" "$m3 ($(medianf ${C3[$b]}))" "$(ratio "$m3" "$mall")" "$(ratio "$m3" "$m1")"
done
