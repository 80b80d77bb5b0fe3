#!/usr/bin/env bash
# Side-by-side 3-server ensembles: Apache ZooKeeper 3.8.0 (Debian's `zookeeper` package, started by the
# reference tools' realzk-ensemble.sh) and Skein (`skein zookeeper --config`, the same zoo.cfg keys),
# both on loopback with fsync on, driven by zkperf (the Apache C client) with its sessions spread over the
# three servers by the connection string. Both are warmed up first; then every round runs each load on
# each ensemble, the order alternating between rounds so that machine noise hits both alike. Prints each
# run, then per load the medians and the median of the per-round ratios Skein / Apache.
#
#   bash bench/zookeeper/ensemble-compare.sh [ROUNDS] [SECONDS] [SESSIONS] [OUTSTANDING] [MODES...]
#
# Defaults: 5 rounds of 5 s, 8 sessions x 50 outstanding, modes get set create. Needs `npm run build`
# first and zkperf (BENCH_TOOLS/build.sh builds it; ZKPERF=path overrides /tmp/skein-bench/zkperf).
# BENCH_TOOLS is the reference tools' folder (default ../shared/bench beside the checkout). Run it as it is
# and under `chrt -r 10` (real-time round-robin): the two favour different designs (README, Performance).
# APACHE_BASE / SKEIN_BASE: each ensemble's ports are BASE+1..3 (clients), +11..13 (quorum), +21..23
# (election); defaults 32181 and 32281. SKEIN_BEFORE=DIR adds a third ensemble run from DIR/dist (another
# build of Skein, e.g. before a change), on SKEIN_BEFORE_BASE (default 32381).
# Each run also prints the CPU time (user + system) per operation of zkperf (client_us) and of the three
# servers together (server_us): on a machine with fewer cores than the client and the servers can use,
# the rate is about cores / (client_us + server_us), so these say which side a difference comes from.
# PER_SERVER=1 runs one zkperf per server instead, each with one host in its connection string, a third
# of the sessions and a chroot of its own (ops/s summed; p50 and p99 the largest of the three): the C client re-resolves every host
# of its connection string before each reply it reads, which with three hosts costs it about as much CPU
# as all the rest of a get, so this measures the servers with less of the client's own overhead.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-5}"
SECONDS_PER_RUN="${2:-5}"
SESSIONS="${3:-8}"
OUTSTANDING="${4:-50}"
MODES=("${@:5}")
[ ${#MODES[@]} -gt 0 ] || MODES=(get set create)
BENCH_TOOLS="${BENCH_TOOLS:-$(pwd)/../shared/bench}"
ZKPERF="${ZKPERF:-/tmp/skein-bench/zkperf}"
APACHE_BASE="${APACHE_BASE:-32181}"
SKEIN_BASE="${SKEIN_BASE:-32281}"
SKEIN_BEFORE_BASE="${SKEIN_BEFORE_BASE:-32381}"
[ -x "$ZKPERF" ] || { echo "no zkperf at $ZKPERF: run $BENCH_TOOLS/build.sh" >&2; exit 2; }
[ -x "$BENCH_TOOLS/realzk-ensemble.sh" ] || { echo "no $BENCH_TOOLS/realzk-ensemble.sh: set BENCH_TOOLS" >&2; exit 2; }
[ -f dist/src/cli/main.js ] || { echo "no dist/: run npm run build" >&2; exit 2; }
WORK="$(mktemp -d)"
SKEIN_PIDS=()

cleanup() {
  "$BENCH_TOOLS/realzk-ensemble.sh" stop "$WORK/apache" >/dev/null 2>&1 || true
  for pid in "${SKEIN_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

connect_string() { echo "127.0.0.1:$(($1 + 1)),127.0.0.1:$(($1 + 2)),127.0.0.1:$(($1 + 3))"; }

srvr_mode() {
  node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>s.write("srvr"));let d="";s.on("data",c=>d+=c);s.on("close",()=>console.log((/^Mode: (\S+)/m.exec(d)||[])[1]||""));s.on("error",()=>console.log(""));s.setTimeout(2000,()=>s.destroy())' "$1"
}

# start_skein NAME BASE DIST_ROOT: three `skein zookeeper` processes with realzk-ensemble.sh's zoo.cfg keys.
start_skein() {
  local name="$1" base="$2" root="$3"
  for n in 1 2 3; do
    local d="$WORK/$name/zk$n"
    mkdir -p "$d/data"
    echo "$n" >"$d/data/myid"
    { printf '%s\n' tickTime=2000 initLimit=10 syncLimit=5 "dataDir=$d/data" "clientPort=$((base + n))" \
        clientPortAddress=127.0.0.1 maxClientCnxns=0 '4lw.commands.whitelist=*'
      for m in 1 2 3; do echo "server.$m=127.0.0.1:$((base + 10 + m)):$((base + 20 + m))"; done; } >"$d/zoo.cfg"
    SKEIN_LOG_LEVEL=warn node "$root/dist/src/cli/main.js" zookeeper --config "$d/zoo.cfg" >"$d/out.log" 2>&1 &
    SKEIN_PIDS+=($!)
    SERVER_PIDS[$name]="${SERVER_PIDS[$name]:-} $!"
  done
  for _ in $(seq 1 150); do
    local modes=""
    for n in 1 2 3; do modes="$modes $(srvr_mode $((base + n)))"; done
    case "$modes" in *leader*follower*follower* | *follower*leader*follower* | *follower*follower*leader*) return 0 ;; esac
    sleep 0.2
  done
  echo "$name ensemble did not form; see $WORK/$name/zk*/out.log" >&2
  return 1
}

IMPLS=(apache skein)
declare -A BASE=([apache]="$APACHE_BASE" [skein]="$SKEIN_BASE")
declare -A SERVER_PIDS=()
"$BENCH_TOOLS/realzk-ensemble.sh" start "$WORK/apache" "$APACHE_BASE" >/dev/null
SERVER_PIDS[apache]="$(cat "$WORK"/apache/zk{1,2,3}/pid | tr '\n' ' ')"
start_skein skein "$SKEIN_BASE" .
if [ -n "${SKEIN_BEFORE:-}" ]; then
  IMPLS+=(before)
  BASE[before]="$SKEIN_BEFORE_BASE"
  start_skein before "$SKEIN_BEFORE_BASE" "$SKEIN_BEFORE"
fi

# zkperf IMPL MODE SECONDS: one zkperf over the three servers, or with PER_SERVER=1 one per server, merged.
zkperf() {
  if [ "${PER_SERVER:-0}" != 1 ]; then
    "$ZKPERF" "$(connect_string "${BASE[$1]}")" "$2" "$SESSIONS" "$OUTSTANDING" "$3"
    return
  fi
  local n
  {
    for n in 1 2 3; do "$ZKPERF" "127.0.0.1:$((BASE[$1] + n))/zkperf-$n" "$2" "$(((SESSIONS + 3 - n) / 3))" "$OUTSTANDING" "$3" & done
    wait
  } | awk -v mode="$2" -v out="$OUTSTANDING" '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      ops += v["ops"]; rate += v["ops/s"]; sessions += v["sessions"]; errors += v["errors"]
      if (v["p50_us"] > p50) p50 = v["p50_us"]; if (v["p99_us"] > p99) p99 = v["p99_us"] }
    END { printf "zkperf %s sessions=%d outstanding=%d ops=%d ops/s=%d p50_us=%d p99_us=%d errors=%d\n", mode, sessions, out, ops, rate, p50, p99, errors }'
}

run() { zkperf "$@"; }

# With PER_SERVER=1 each zkperf works under a chroot of its own: the three number their sessions alike,
# and create+delete names its nodes by session, so in one tree they would collide (NodeExists, NoNode).
make_chroots() {
  node --input-type=module -e '
    const { ZooKeeperClient } = await import(process.argv[1]);
    const c = await ZooKeeperClient.connect(process.argv[2]);
    for (const n of [1, 2, 3]) await c.create(`/zkperf-${n}`).catch((e) => { if (e.code !== -110) throw e; });
    await c.close();' "$(pwd)/dist/src/zookeeper/client/client.js" "$(connect_string "$1")"
}
if [ "${PER_SERVER:-0}" = 1 ]; then for impl in "${IMPLS[@]}"; do make_chroots "${BASE[$impl]}"; done; fi

# CPU ticks (user + system, 1/CLK_TCK s) the given processes used so far.
cpu_ticks() { local t=0 pid; for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$t"; }

# measure IMPL MODE SECONDS: zkperf's line plus client_us and server_us (CPU time per operation).
measure() {
  local hz before after line client ops
  hz="$(getconf CLK_TCK)"
  # shellcheck disable=SC2086 # the pid list splits into words on purpose
  before="$(cpu_ticks ${SERVER_PIDS[$1]})"
  # time's figures include the children its shell waited for (PER_SERVER's three zkperf processes).
  line="$( { /usr/bin/time -f 'client_cpu_s=%U+%S' bash -c "$(declare -p BASE SESSIONS OUTSTANDING ZKPERF PER_SERVER 2>/dev/null); $(declare -f zkperf connect_string); zkperf \"\$@\"" _ "$1" "$2" "$3"; } 2>&1)"
  # shellcheck disable=SC2086
  after="$(cpu_ticks ${SERVER_PIDS[$1]})"
  ops="$(sed -n 's/.* ops=\([0-9]*\).*/\1/p' <<<"$line")"
  client="$(sed -n 's/^client_cpu_s=\(.*\)$/\1/p' <<<"$line")"
  # zkperf runs a second past its measured window (answers still in flight), counted on both sides alike.
  echo "$(grep '^zkperf' <<<"$line") client_us=$(awk -v c="$client" -v n="$ops" 'BEGIN { split(c, p, "+"); printf "%.1f", (p[1] + p[2]) * 1e6 / n }') server_us=$(awk -v t="$((after - before))" -v hz="$hz" -v n="$ops" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
}

# Warm-up, unmeasured: the JVM needs its JIT as much as Node does.
for impl in "${IMPLS[@]}"; do for mode in get set; do run "$impl" "$mode" 5 >/dev/null; done; done

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); 3 servers each; zkperf ${SESSIONS} sessions x ${OUTSTANDING} outstanding, ${SECONDS_PER_RUN}s per run, ${ROUNDS} rounds"
RESULTS="$WORK/results"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  order=("${IMPLS[@]}")
  # Alternate who goes first: the second run of a pair meets the first one's leftover work (compaction, GC).
  if [ $((round % 2)) = 0 ]; then order=(); for ((i = ${#IMPLS[@]} - 1; i >= 0; i--)); do order+=("${IMPLS[$i]}"); done; fi
  for mode in "${MODES[@]}"; do
    for impl in "${order[@]}"; do
      line="$(measure "$impl" "$mode" "$SECONDS_PER_RUN")"
      printf 'round %s %-7s %s\n' "$round" "$impl" "$line"
      ops="$(sed -n 's/.*ops\/s=\([0-9]*\).*/\1/p' <<<"$line")"
      p50="$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$line")"
      p99="$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$line")"
      client="$(sed -n 's/.*client_us=\([0-9.]*\).*/\1/p' <<<"$line")"
      server="$(sed -n 's/.*server_us=\([0-9.]*\).*/\1/p' <<<"$line")"
      echo "$round $mode $impl $ops $p50 $p99 $client $server" >>"$RESULTS"
    done
  done
done

echo
node - "$RESULTS" "${IMPLS[@]}" -- "${MODES[@]}" <<'EOF'
const [file, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const impls = rest.slice(0, sep);
const modes = rest.slice(sep + 1);
const rows = require('fs').readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const get = (mode, impl) => rows.filter((r) => r[1] === mode && r[2] === impl).map((r) => ({ round: r[0], ops: +r[3], p50: +r[4] / 1000, p99: +r[5] / 1000, client: +r[6], server: +r[7] }));
const cell = (runs) => `${Math.round(median(runs.map((r) => r.ops))).toLocaleString('en-US')} (${median(runs.map((r) => r.p50)).toFixed(1)} / ${median(runs.map((r) => r.p99)).toFixed(1)})`;
console.log(`| load | ${impls.map((i) => (i === 'apache' ? 'Apache ZooKeeper 3.8.0' : i === 'skein' ? 'Skein' : 'Skein before')).map((n) => `${n} ops/s (p50 / p99 ms)`).join(' | ')} | Skein / Apache ops/s | p99 ratio |`);
console.log(`|---|${impls.map(() => '---|').join('')}---|---|`);
for (const mode of modes) {
  const a = get(mode, 'apache');
  const s = get(mode, 'skein');
  const ratio = (f) => median(s.map((r) => f(r) / f(a.find((x) => x.round === r.round))));
  const range = (f) => { const xs = s.map((r) => f(r) / f(a.find((x) => x.round === r.round))); return `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`; };
  console.log(`| zkperf ${mode === 'create' ? 'create+delete' : mode} | ${impls.map((i) => cell(get(mode, i))).join(' | ')} | ${ratio((r) => r.ops).toFixed(2)} (${range((r) => r.ops)}) | ${ratio((r) => r.p99).toFixed(2)} (${range((r) => r.p99)}) |`);
}
console.log('\nCPU time per operation (us, medians): zkperf / the three servers');
for (const mode of modes) {
  console.log(`${mode}: ${impls.map((i) => { const runs = get(mode, i); return `${i} ${median(runs.map((r) => r.client)).toFixed(1)} / ${median(runs.map((r) => r.server)).toFixed(1)}`; }).join(', ')}`);
}
EOF
