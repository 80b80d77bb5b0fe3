// Time from kill -9 of the leader of a 3-server ensemble to the next acknowledged write, for Apache
// ZooKeeper 3.8.0 (Debian's `zookeeper` package) and Skein in the same run: both ensembles run side by
// side on loopback, and their rounds alternate so that machine noise hits both alike.
//
//   npx tsc -p tsconfig.build.json && node dist/bench/zookeeper/failover-time.js [ROUNDS] [TICK_MS]
//
// ROUNDS kills per implementation (default 10); TICK_MS is zoo.cfg's tickTime for both (default 2000,
// ZooKeeper's usual and realzk-ensemble.sh's). In each round three writers, one session started on each
// server and each given every server, set a node in a loop, one write at a time. Printed per round and
// as medians:
//   elected    until srvr on a survivor says leader (polled every 50 ms)
//   first ack  until any writer's next write (one sent once the leader's process is gone) is acknowledged
//   all acked  until every writer has had a write acknowledged (the one that was on the killed leader
//              must reconnect elsewhere first)
// Not run in CI.
import { setTimeout as sleep } from 'node:timers/promises';
import { ZooKeeperClient } from '../../src/zookeeper/client/client.js';
import { ZkEnsemble, type EnsembleImpl } from '../../test/helpers/zk-ensemble.js';

const ROUNDS = Number(process.argv[2] ?? 10);
const TICK_MS = Number(process.argv[3] ?? 2000);
const IMPLS: EnsembleImpl[] = ['apache', 'skein'];
const PATH = '/failover-time';
/** Reconnect at once after every server in the list failed (the client's default waits 1 s). */
const RETRY_DELAY_MS = 50;
const SESSION_TIMEOUT_MS = 30_000;

interface Round {
  electedMs: number;
  firstAckMs: number;
  allAckedMs: number;
}

/** A session writing PATH in a loop; `acks` holds when each write was sent and acknowledged (performance.now()). */
class Writer {
  readonly acks: { sent: number; acked: number }[] = [];
  private stopping = false;
  private readonly loop: Promise<void>;

  constructor(private readonly client: ZooKeeperClient) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      try {
        const sent = performance.now();
        await this.client.setData(PATH, Buffer.from(String(i)));
        this.acks.push({ sent, acked: performance.now() });
      } catch {
        // ConnectionLoss while the ensemble fails over: not acknowledged; try again.
        await sleep(1);
      }
    }
  }

  /**
   * When the first write sent after `t` was acknowledged. A reply after the kill may be for a write the
   * dying leader committed: only one sent once it is gone shows that the ensemble carried on.
   */
  firstAckAfter(t: number): number | undefined {
    return this.acks.find((a) => a.sent > t)?.acked;
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.client.close();
  }
}

/** A writer whose first connection is to `address` (the rest of the ensemble follows it in the string). */
async function writerStartingAt(ensemble: ZkEnsemble, address: string): Promise<Writer> {
  const others = ensemble.servers.map((s) => s.address).filter((a) => a !== address);
  // A random() just under 1 makes the client's shuffle swap each server with itself: the string's order stays.
  const client = await ZooKeeperClient.connect([address, ...others].join(','), {
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    retryDelayMs: RETRY_DELAY_MS,
    random: () => 0.999_999,
  });
  return new Writer(client);
}

async function round(ensemble: ZkEnsemble): Promise<Round> {
  await Promise.all(ensemble.ids.map((id) => ensemble.waitServing(id)));
  const leader = await ensemble.leader();
  const writers = await Promise.all(ensemble.servers.map((s) => writerStartingAt(ensemble, s.address)));
  // Every writer is writing before the kill.
  while (writers.some((w) => w.acks.length < 3)) await sleep(10);
  const killedAt = performance.now();
  await ensemble.kill(leader);
  const goneAt = performance.now();
  await ensemble.leader();
  const electedMs = performance.now() - killedAt;
  while (writers.some((w) => w.firstAckAfter(goneAt) === undefined)) await sleep(1);
  const firsts = writers.map((w) => w.firstAckAfter(goneAt)! - killedAt);
  await Promise.all(writers.map((w) => w.close()));
  await ensemble.start(leader);
  return { electedMs, firstAckMs: Math.min(...firsts), allAckedMs: Math.max(...firsts) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const ensembles = new Map<EnsembleImpl, ZkEnsemble>();
  try {
    for (const impl of IMPLS) {
      const ensemble = await ZkEnsemble.start({ size: 3, impl, tickTime: TICK_MS });
      ensembles.set(impl, ensemble);
      const client = await ZooKeeperClient.connect(ensemble.connectString);
      await client.create(PATH).catch(() => undefined);
      await client.close();
    }
    const results = new Map<EnsembleImpl, Round[]>(IMPLS.map((impl) => [impl, []]));
    for (let r = 1; r <= ROUNDS; r++) {
      for (const impl of IMPLS) {
        const result = await round(ensembles.get(impl)!);
        results.get(impl)!.push(result);
        console.log(
          `round ${r} ${impl.padEnd(6)} elected ${result.electedMs.toFixed(0)} ms, first ack ${result.firstAckMs.toFixed(0)} ms, all acked ${result.allAckedMs.toFixed(0)} ms`,
        );
      }
    }
    console.log(`\nmedians over ${ROUNDS} leader kills each, tickTime=${TICK_MS}:`);
    for (const [impl, rounds] of results) {
      console.log(
        `${impl.padEnd(6)} elected ${median(rounds.map((x) => x.electedMs)).toFixed(0)} ms, ` +
          `first ack ${median(rounds.map((x) => x.firstAckMs)).toFixed(0)} ms, all acked ${median(rounds.map((x) => x.allAckedMs)).toFixed(0)} ms`,
      );
    }
  } finally {
    await Promise.all([...ensembles.values()].map((e) => e.destroy()));
  }
}

await main();
