#!/usr/bin/env bash
# Skein against librdkafka's in-memory mock broker (rdmock), measured in the same run by the same
# librdkafka producer and consumer (kperf, acks=1, no compression), for 100 B and 1 KiB records.
# Both brokers serve topics of 4 partitions (the mock's auto-created topics have 4; Skein is started
# with num.partitions=4), so the producer splits its batches the same way against both.
#
# Produce: ratio = Skein records/s / mock records/s, each the best of ROUNDS alternating runs (the
# machine is shared, so rerun and read ratios, not absolute numbers).
# Consume: Skein reads back each topic just produced, best of the runs (target: at least as fast as
# it was produced).
# The mock keeps only about 5 MB per partition, so it cannot be read from offset 0 after a big run; both
# brokers are also read back from a small topic that fits that window, as the consume anchor.
#
#   bash bench/kafka/compare.sh            (env: RECORDS_100, RECORDS_1K, ROUNDS, OUT, BENCH_TOOLS)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/tmp/skein-bench}"
RECORDS_100="${RECORDS_100:-1000000}"
RECORDS_1K="${RECORDS_1K:-300000}"
ROUNDS="${ROUNDS:-2}"
PARTITIONS=4
# Records per size that fit the mock's retained window (about 5 MB per partition) even if librdkafka's
# sticky partitioner puts them all in one partition.
SMALL_100=40000
SMALL_1K=4000

# kperf and rdmock are small C programs kept outside this repository, in the reference tools folder
# (BENCH_TOOLS, by default ../shared/bench beside the checkout) whose build.sh compiles them into $OUT.
# Without that folder, tools already built in $OUT are used.
BENCH_TOOLS="${BENCH_TOOLS:-$ROOT/../shared/bench}"
if [ -f "$BENCH_TOOLS/build.sh" ]; then
  OUT="$OUT" bash "$BENCH_TOOLS/build.sh" >/dev/null
elif [ ! -x "$OUT/kperf" ] || [ ! -x "$OUT/rdmock" ]; then
  echo "compare.sh: needs kperf and rdmock, from $BENCH_TOOLS/build.sh (outside this repository; set BENCH_TOOLS) or built in $OUT" >&2
  exit 2
fi
(cd "$ROOT" && npx tsc -p tsconfig.build.json)

WORK="$(mktemp -d /tmp/skein-compare-XXXXXX)"
SKEIN_PID=""
MOCK_PID=""
cleanup() {
  [ -n "$SKEIN_PID" ] && kill "$SKEIN_PID" 2>/dev/null || true
  [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
cat >"$WORK/server.properties" <<EOF
listeners=PLAINTEXT://127.0.0.1:$PORT
log.dirs=$WORK/data
num.partitions=$PARTITIONS
EOF
SKEIN_LOG_LEVEL=warn node "$ROOT/dist/src/cli/main.js" kafka --config "$WORK/server.properties" >"$WORK/skein.log" 2>&1 &
SKEIN_PID=$!
SKEIN="127.0.0.1:$PORT"
"$OUT/rdmock" 1 3600 >"$WORK/rdmock.out" 2>/dev/null &
MOCK_PID=$!
for _ in $(seq 100); do
  if node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" 2>/dev/null \
    && grep -q ':' "$WORK/rdmock.out"; then break; fi
  sleep 0.1
done
MOCK="$(grep ':' "$WORK/rdmock.out" | tail -1)"

# kperf prints "... rec/s=N MB/s=M ..." and fails unless every record was delivered or read; this
# prints N, or 0 for a failed run.
rate() {
  local out
  if out="$("$OUT/kperf" "$@" 2>/dev/null)"; then sed -n 's/.*rec\/s=\([0-9]*\).*/\1/p' <<<"$out" | tail -1; else echo 0; fi
}
best() { printf '%s\n' "$@" | sort -n | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), a / b }'; }

printf '%-7s %-9s %12s %12s %7s\n' size what mock skein ratio
for size in 100 1024; do
  if [ "$size" = 100 ]; then n="$RECORDS_100"; small="$SMALL_100"; else n="$RECORDS_1K"; small="$SMALL_1K"; fi
  mock_runs=(); skein_runs=()
  for round in $(seq "$ROUNDS"); do
    mock_runs+=("$(rate produce "$MOCK" "p$size-$round" "$n" "$size" 1)")
    skein_runs+=("$(rate produce "$SKEIN" "p$size-$round" "$n" "$size" 1)")
  done
  mock_p="$(best "${mock_runs[@]}")"; skein_p="$(best "${skein_runs[@]}")"
  printf '%-7s %-9s %12s %12s %7s   (runs: mock %s; skein %s)\n' "$size" produce "$mock_p" "$skein_p" "$(ratio "$skein_p" "$mock_p")" "${mock_runs[*]}" "${skein_runs[*]}"
  consume_runs=()
  for round in $(seq "$ROUNDS"); do consume_runs+=("$(rate consume "$SKEIN" "p$size-$round" "$n" "$PARTITIONS")"); done
  skein_c="$(best "${consume_runs[@]}")"
  printf '%-7s %-9s %12s %12s %7s   (Skein consume / Skein produce, %s records; runs: %s)\n' "$size" consume - "$skein_c" "$(ratio "$skein_c" "$skein_p")" "$n" "${consume_runs[*]}"
  rate produce "$MOCK" "s$size" "$small" "$size" 1 >/dev/null
  rate produce "$SKEIN" "s$size" "$small" "$size" 1 >/dev/null
  mock_s="$(rate consume "$MOCK" "s$size" "$small" "$PARTITIONS")"
  skein_s="$(rate consume "$SKEIN" "s$size" "$small" "$PARTITIONS")"
  printf '%-7s %-9s %12s %12s %7s   (%s records, within the mock'"'"'s window)\n' "$size" consume "$mock_s" "$skein_s" "$(ratio "$skein_s" "$mock_s")" "$small"
done
