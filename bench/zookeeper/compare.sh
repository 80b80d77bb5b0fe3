#!/usr/bin/env bash
# Side-by-side ZooKeeper benchmark: Apache ZooKeeper 3.8.0 (Debian `zookeeper` package) and Skein, each
# on a fresh data directory with fsync on, driven by the same clients in the same run:
#   - zkperf, the Apache C client load generator (/work/shared/bench/build.sh builds it), if present
#   - loadgen: `skein perf zk`, Skein's own TypeScript load generator (src/perf/zookeeper-load.ts)
# Both servers are warmed up first; runs then alternate between them so that machine noise hits both
# alike.
#
#   bash bench/zookeeper/compare.sh [SECONDS] [SESSIONS] [OUTSTANDING] [MODES...]
# Needs `npx tsc -p tsconfig.build.json` first. ZKPERF=path overrides /tmp/skein-bench/zkperf.
# PIN=1 runs the servers on CPU 0 and the clients on CPU 1, so that a many-threaded client does not
# take its CPU time from the server it measures (on a 2-core machine this moves the p99 most).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN="${1:-10}"
SESSIONS="${2:-8}"
OUTSTANDING="${3:-50}"
MODES=("${@:4}")
[ ${#MODES[@]} -gt 0 ] || MODES=(get set)
ZKPERF="${ZKPERF:-/tmp/skein-bench/zkperf}"
SERVER_CPU=()
CLIENT_CPU=()
if [ "${PIN:-0}" = 1 ]; then
  SERVER_CPU=(taskset -c 0)
  CLIENT_CPU=(taskset -c 1)
fi
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_ruok() {
  for _ in $(seq 1 100); do
    if [ "$(node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>s.write("ruok"));let d="";s.on("data",c=>d+=c);s.on("close",()=>console.log(d));s.on("error",()=>console.log(""))' "$1")" = imok ]; then return 0; fi
    sleep 0.2
  done
  echo "server on port $1 did not answer ruok" >&2
  return 1
}

# zoo.cfg for one server: write_cfg NAME PORT [EXTRA LINES...]
write_cfg() {
  local name="$1" port="$2"
  shift 2
  mkdir -p "$WORK/$name/data"
  printf '%s\n' tickTime=2000 "dataDir=$WORK/$name/data" "clientPort=$port" clientPortAddress=127.0.0.1 \
    maxClientCnxns=0 4lw.commands.whitelist=ruok "$@" >"$WORK/$name/zoo.cfg"
}

ZK_PORT="$(free_port)"
write_cfg zk "$ZK_PORT" admin.enableServer=false
"${SERVER_CPU[@]}" java -cp /usr/share/java/zookeeper.jar:/etc/zookeeper/conf \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zk/zoo.cfg" >"$WORK/zk/out.log" 2>&1 &
PIDS+=($!)

SKEIN_PORT="$(free_port)"
write_cfg skein "$SKEIN_PORT"
SKEIN_LOG_LEVEL=warn "${SERVER_CPU[@]}" node dist/src/cli/main.js zookeeper --config "$WORK/skein/zoo.cfg" >"$WORK/skein/out.log" 2>&1 &
PIDS+=($!)

wait_ruok "$ZK_PORT"
wait_ruok "$SKEIN_PORT"
# loadgen PORT MODE SECONDS: `skein perf zk`'s result row, in zkperf's key=value line so the two align.
loadgen() {
  "${CLIENT_CPU[@]}" node dist/src/cli/main.js perf zk "$2" --server "127.0.0.1:$1" --sessions "$SESSIONS" --outstanding "$OUTSTANDING" --seconds "$3" --no-progress |
    awk -v s="$SESSIONS" -v o="$OUTSTANDING" 'NR == 2 { printf "loadgen %s sessions=%s outstanding=%s ops=%s ops/s=%s p50_us=%s p99_us=%s errors=%s\n", $1, s, o, $2, $3, $4, $5, $6 }'
}
# Warm-up, unmeasured: the JVM needs its JIT as much as Node does.
for port in "$ZK_PORT" "$SKEIN_PORT"; do
  for mode in get set; do loadgen "$port" "$mode" 5 >/dev/null; done
done
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); ${SESSIONS} sessions x ${OUTSTANDING} outstanding, ${SECONDS_PER_RUN}s per run, PIN=${PIN:-0}"

for mode in "${MODES[@]}"; do
  if [ -x "$ZKPERF" ]; then
    echo "apache-zookeeper-3.8.0 $("${CLIENT_CPU[@]}" "$ZKPERF" "127.0.0.1:$ZK_PORT" "$mode" "$SESSIONS" "$OUTSTANDING" "$SECONDS_PER_RUN")"
    echo "skein                  $("${CLIENT_CPU[@]}" "$ZKPERF" "127.0.0.1:$SKEIN_PORT" "$mode" "$SESSIONS" "$OUTSTANDING" "$SECONDS_PER_RUN")"
  fi
  echo "apache-zookeeper-3.8.0 $(loadgen "$ZK_PORT" "$mode" "$SECONDS_PER_RUN")"
  echo "skein                  $(loadgen "$SKEIN_PORT" "$mode" "$SECONDS_PER_RUN")"
done
