#!/usr/bin/env bash
# Produce over an SSL listener against the PLAINTEXT listener of the same `skein kafka`, measured by the
# same librdkafka producer (kperf, 100 B records, acks=1), alternating ROUNDS times; prints records/s and
# the broker's CPU time per record (utime+stime from /proc: on a shared machine wall time swings far more
# than the CPU a record costs). Test certificates are made with openssl in a temp dir.
#
# kperf must take extra librdkafka settings from KPERF_CONF ("k=v;k=v"); see /work/brief/requests.md.
#
#   bash bench/kafka/tls.sh          (env: RECORDS, ROUNDS, OUT, BENCH_TOOLS)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/tmp/skein-bench}"
RECORDS="${RECORDS:-2000000}"
ROUNDS="${ROUNDS:-6}"
BENCH_TOOLS="${BENCH_TOOLS:-$ROOT/../shared/bench}"
if [ -f "$BENCH_TOOLS/build.sh" ]; then
  OUT="$OUT" bash "$BENCH_TOOLS/build.sh" >/dev/null
fi
if [ ! -x "$OUT/kperf" ] || ! grep -q KPERF_CONF "$OUT/kperf" 2>/dev/null; then
  echo "tls.sh: needs a kperf that reads KPERF_CONF (build it from $BENCH_TOOLS, or set OUT to where one is)" >&2
  exit 2
fi
(cd "$ROOT" && npx tsc -p tsconfig.build.json)

WORK="$(mktemp -d /tmp/skein-tls-bench-XXXXXX)"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=bench-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext 2>/dev/null
cat server.key server.pem > server-keystore.pem

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PLAIN=$(free_port)
SSL=$(free_port)
cat > server.properties <<PROPS
listeners=PLAINTEXT://127.0.0.1:$PLAIN,SSL://127.0.0.1:$SSL
log.dirs=$WORK/data
ssl.keystore.type=PEM
ssl.keystore.location=$WORK/server-keystore.pem
PROPS
SKEIN_LOG_LEVEL=warn node "$ROOT/dist/src/cli/main.js" kafka --config server.properties > broker.log 2>&1 &
PID=$!
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$PLAIN") 2>/dev/null && break; sleep 0.1; done

TCK=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$TCK" '{print ($14+$15)*1000/t}' "/proc/$PID/stat"; }
TLS_CONF="security.protocol=ssl;ssl.ca.location=$WORK/ca.pem"
run() { # name port conf
  local before after line
  before=$(cpu_ms)
  line=$(KPERF_CONF="$3" "$OUT/kperf" produce "127.0.0.1:$2" "bench-$1-$RANDOM" "$RECORDS" 100 1 | tail -1)
  after=$(cpu_ms)
  echo "$1 $(echo "$line" | grep -o 'rec/s=[0-9]*') cpu_us_per_record=$(echo "scale=3; ($after - $before) * 1000 / $RECORDS" | bc)"
}
KPERF_CONF="" "$OUT/kperf" produce "127.0.0.1:$PLAIN" warm 20000 100 1 >/dev/null
KPERF_CONF="$TLS_CONF" "$OUT/kperf" produce "127.0.0.1:$SSL" warm-ssl 20000 100 1 >/dev/null
for round in $(seq "$ROUNDS"); do
  echo "round $round: $(run plaintext "$PLAIN" "") | $(run ssl "$SSL" "$TLS_CONF")"
done
