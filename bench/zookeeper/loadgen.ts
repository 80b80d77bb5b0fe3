// ZooKeeper load generator on Skein's own ZooKeeper client: N sessions x M requests in flight against any
// ZooKeeper-compatible server, reporting ops/s and latency percentiles.
//
//   node dist/bench/zookeeper/loadgen.js HOST:PORT MODE SESSIONS OUTSTANDING SECONDS [SIZE]
//   MODE: get | set | create (create+delete pairs) | mix (90% get, 10% set)
//
// Same workload shape as /work/shared/bench/zkperf (100 nodes under /loadgen, SIZE-byte values), so
// its numbers sit beside that tool's.
import { ZooKeeperClient } from '../../src/zookeeper/client/client.js';

const MODES = ['get', 'set', 'create', 'mix'] as const;
type Mode = (typeof MODES)[number];
const NODES = 100;
const ROOT = '/loadgen';

export interface LoadResult {
  mode: Mode;
  sessions: number;
  outstanding: number;
  ops: number;
  opsPerSec: number;
  p50us: number;
  p99us: number;
  errors: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Creates the nodes; those a previous run left are reused. */
async function prepare(client: ZooKeeperClient, size: number): Promise<void> {
  const data = Buffer.alloc(size, 'z');
  const ignore = (): undefined => undefined;
  await client.create(ROOT).catch(ignore);
  await Promise.all(Array.from({ length: NODES }, (_, k) => client.create(`${ROOT}/n${k}`, data).catch(ignore)));
}

export async function runLoad(
  host: string,
  port: number,
  mode: Mode,
  sessions: number,
  outstanding: number,
  seconds: number,
  size = 100,
): Promise<LoadResult> {
  // prepare() creates the NODES nodes at once on the first session.
  const maxOutstanding = Math.max(outstanding, NODES);
  const clients = await Promise.all(
    Array.from({ length: sessions }, () => ZooKeeperClient.connect(`${host}:${port}`, { maxOutstanding })),
  );
  await prepare(clients[0]!, size);
  const data = Buffer.alloc(size, 'z');
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const started = performance.now();

  const one = async (client: ZooKeeperClient, id: number): Promise<void> => {
    let k = 0;
    while (running) {
      const t0 = performance.now();
      const n = k++;
      const path = `${ROOT}/n${n % NODES}`;
      let ok = true;
      try {
        if (mode === 'get' || (mode === 'mix' && n % 10 !== 0)) {
          await client.getData(path);
        } else if (mode === 'set' || mode === 'mix') {
          await client.setData(path, data);
        } else {
          const own = `${ROOT}/s${id}-${n}`;
          await client.create(own, data);
          await client.delete(own);
        }
      } catch {
        ok = false;
      }
      if (!running) break;
      if (ok) latencies.push((performance.now() - t0) * 1000);
      else errors++;
    }
  };

  const loops = clients.flatMap((c, i) => Array.from({ length: outstanding }, (_, j) => one(c, i * outstanding + j)));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  const ops = latencies.length;
  await Promise.allSettled(loops);
  await Promise.all(clients.map((c) => c.close()));
  const sorted = Float64Array.from(latencies).sort();
  return {
    mode,
    sessions,
    outstanding,
    ops,
    opsPerSec: Math.round(ops / elapsed),
    p50us: Math.round(percentile(sorted, 0.5)),
    p99us: Math.round(percentile(sorted, 0.99)),
    errors,
  };
}

function usage(): never {
  process.stderr.write('usage: loadgen HOST:PORT get|set|create|mix SESSIONS OUTSTANDING SECONDS [SIZE]\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  if (argv.length < 5) usage();
  const [address, mode, sessions, outstanding, seconds, size] = argv as [string, string, string, string, string, string?];
  const colon = address.lastIndexOf(':');
  if (colon < 0 || !(MODES as readonly string[]).includes(mode)) usage();
  const r = await runLoad(
    address.slice(0, colon),
    Number(address.slice(colon + 1)),
    mode as Mode,
    Number(sessions),
    Number(outstanding),
    Number(seconds),
    size === undefined ? 100 : Number(size),
  );
  process.stdout.write(
    `loadgen ${r.mode} sessions=${r.sessions} outstanding=${r.outstanding} ops=${r.ops} ops/s=${r.opsPerSec} ` +
      `p50_us=${r.p50us} p99_us=${r.p99us} errors=${r.errors}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
