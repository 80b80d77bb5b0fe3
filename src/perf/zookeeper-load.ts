// `skein perf zk`'s core: a load generator on Skein's own ZooKeeper client. `sessions` sessions with
// `outstanding` requests each in flight against any ZooKeeper-compatible server for `seconds`, measuring
// ops/s and latency percentiles.
//
// Same workload shape as /work/shared/bench/zkperf (100 nodes under /loadgen, `size`-byte values), so
// its numbers sit beside that tool's.
import { ZooKeeperClient } from '../zookeeper/client/client.js';

export const ZK_LOAD_MODES = ['get', 'set', 'create', 'mix'] as const;
/** get: getData; set: setData; create: create+delete pairs; mix: 90% get, 10% set. */
export type ZkLoadMode = (typeof ZK_LOAD_MODES)[number];
const NODES = 100;
const ROOT = '/loadgen';
/** Latency samples kept for percentiles per run at most (8 bytes each); ops/s counts every request. */
const SAMPLES_MAX = 10_000_000;
/** How often onProgress hears the count: often enough for a live line, rare enough to cost nothing. */
const PROGRESS_EVERY_MS = 100;

export interface ZkLoadSettings {
  connectString: string;
  mode: ZkLoadMode;
  sessions: number;
  outstanding: number;
  seconds: number;
  size: number;
}

export interface ZkLoadResult {
  mode: ZkLoadMode;
  sessions: number;
  outstanding: number;
  ops: number;
  opsPerSec: number;
  p50us: number;
  p99us: number;
  errors: number;
}

export interface ZkLoadHooks {
  /** A few times a second: requests answered so far and seconds since the load began. */
  onProgress?(ops: number, seconds: number): void;
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

export async function runZkLoad(s: ZkLoadSettings, hooks: ZkLoadHooks = {}): Promise<ZkLoadResult> {
  // prepare() creates the NODES nodes at once on the first session.
  const maxOutstanding = Math.max(s.outstanding, NODES);
  const connected = await Promise.allSettled(Array.from({ length: s.sessions }, () => ZooKeeperClient.connect(s.connectString, { maxOutstanding })));
  const clients = connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const refused = connected.find((c) => c.status === 'rejected');
  if (refused) {
    await Promise.all(clients.map((c) => c.close()));
    throw refused.reason;
  }
  try {
    await prepare(clients[0]!, s.size);
    const data = Buffer.alloc(s.size, 'z');
    const samples: number[] = [];
    let ops = 0;
    let errors = 0;
    let running = true;
    const started = performance.now();
    const ticker = setInterval(() => hooks.onProgress?.(ops, (performance.now() - started) / 1000), PROGRESS_EVERY_MS);

    const one = async (client: ZooKeeperClient, id: number): Promise<void> => {
      let k = 0;
      while (running) {
        const t0 = performance.now();
        const n = k++;
        const path = `${ROOT}/n${n % NODES}`;
        let ok = true;
        try {
          if (s.mode === 'get' || (s.mode === 'mix' && n % 10 !== 0)) {
            await client.getData(path);
          } else if (s.mode === 'set' || s.mode === 'mix') {
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
        if (ok) {
          if (ops < SAMPLES_MAX) samples.push((performance.now() - t0) * 1000);
          ops++;
        } else errors++;
      }
    };

    const loops = clients.flatMap((c, i) => Array.from({ length: s.outstanding }, (_, j) => one(c, i * s.outstanding + j)));
    await new Promise((r) => setTimeout(r, s.seconds * 1000));
    running = false;
    clearInterval(ticker);
    const elapsed = (performance.now() - started) / 1000;
    const counted = ops;
    await Promise.allSettled(loops);
    const sorted = Float64Array.from(samples).sort();
    return {
      mode: s.mode,
      sessions: s.sessions,
      outstanding: s.outstanding,
      ops: counted,
      opsPerSec: Math.round(counted / elapsed),
      p50us: Math.round(percentile(sorted, 0.5)),
      p99us: Math.round(percentile(sorted, 0.99)),
      errors,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}
