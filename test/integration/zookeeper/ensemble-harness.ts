// In-process ZooKeeper ensembles on 127.0.0.1: each member is configured from zoo.cfg text as
// `skein zookeeper --config` would be, on free ports, with its own data directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZooCfg } from '../../../src/zookeeper/config.js';
import type { ConfigFiles } from '../../../src/zookeeper/ensemble-config.js';
import { startEnsembleMember, type RunningEnsembleMember } from '../../../src/zookeeper/quorum/ensemble-server.js';
import { ZooKeeperClient, type ZooKeeperClientOptions } from '../../../src/zookeeper/client/client.js';
import { freePort } from '../../helpers/free-port.js';
import { log } from './harness.js';

export interface TestEnsemble {
  readonly size: number;
  /** Client ports by server id. */
  readonly ports: ReadonlyMap<number, number>;
  /** Every server's client address. */
  readonly connectString: string;
  member(id: number): RunningEnsembleMember | undefined;
  /** The id of the leader every running member agrees on, waiting for one. */
  leader(timeoutMs?: number): Promise<number>;
  stop(id: number): Promise<void>;
  /** Starts a stopped member again on its data directory, or with `wipe` on an empty one (it catches up from the others). */
  start(id: number, opts?: { wipe?: boolean }): Promise<void>;
  client(opts?: ZooKeeperClientOptions & { only?: number[] }): Promise<ZooKeeperClient>;
  /**
   * Starts one more server, configured with every server so far plus itself (as a server joining by
   * reconfig is); returns its id and its server line for the reconfig.
   */
  addMember(role?: 'participant' | 'observer'): Promise<{ id: number; line: string }>;
  close(): Promise<void>;
}

export interface EnsembleOptions {
  /** zoo.cfg lines added to every member's. */
  extraCfg?: string;
  /** Server ids (counted after the voters) that are observers. */
  observers?: number;
}

export async function startEnsemble(size = 3, { extraCfg = '', observers = 0 }: EnsembleOptions = {}): Promise<TestEnsemble> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-zk-ens-'));
  // freePort may hand out a port again once it was released, and election ports are never bound here.
  const used = new Set<number>();
  const freshPorts = async (): Promise<[number, number, number]> => {
    const got: number[] = [];
    while (got.length < 3) {
      const port = await freePort();
      if (!used.has(port)) got.push(port);
      used.add(port);
    }
    return got as [number, number, number];
  };
  const ids = Array.from({ length: size + observers }, (_, i) => i + 1);
  const ports = new Map<number, number>();
  const linesOf = new Map<number, string>();
  const lines: string[] = [];
  for (const id of ids) {
    const [quorum, election, client] = await freshPorts();
    ports.set(id, client);
    lines.push(`server.${id}=127.0.0.1:${quorum}:${election}${id > size ? ':observer' : ''};127.0.0.1:${client}`);
    linesOf.set(id, lines.at(-1)!);
  }
  const cfgOf = (id: number) =>
    [`tickTime=200`, `initLimit=10`, `syncLimit=5`, `dataDir=${join(dir, `zk${id}`)}`, `minSessionTimeout=400`, `4lw.commands.whitelist=*`, extraCfg, ...(id <= ids.length ? lines : [...linesOf.values()])].join('\n');
  const members = new Map<number, RunningEnsembleMember>();
  const clients: ZooKeeperClient[] = [];
  const startOne = async (id: number, { wipe = false } = {}) => {
    if (wipe) await rm(join(dir, `zk${id}`), { recursive: true, force: true });
    const files: ConfigFiles = { read: (path) => (path === join(dir, `zk${id}`, 'myid') ? `${id}\n` : undefined) };
    const { config, ensemble } = parseZooCfg(cfgOf(id), [], files);
    members.set(id, await startEnsembleMember(config, ensemble!, log.child({ myid: id }), { onStorageFailure: () => {} }));
  };
  await Promise.all(ids.map((id) => startOne(id)));
  const connectString = ids.map((id) => `127.0.0.1:${ports.get(id)}`).join(',');
  const e: TestEnsemble = {
    size,
    ports,
    connectString,
    member: (id) => members.get(id),
    async leader(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = [...members.values()].map((m) => m.peer.status());
        const leaders = running.filter((s) => s.role === 'leader');
        // Every member in sync with it, as ZooKeeper's srvr shows a role only then: a reconfig needs a synced
        // majority of its new voters (NewConfigNoQuorum otherwise).
        if (leaders.length === 1 && running.every((s) => s.leader === leaders[0]!.id && s.synced)) {
          // It leads once its opening entry is applied: wait for a write through it to be possible.
          if (members.get(leaders[0]!.id)!.server.serving) return leaders[0]!.id;
        }
        if (Date.now() > deadline) throw new Error(`no single leader after ${timeoutMs} ms: ${JSON.stringify(running.map((s) => [s.id, s.role, s.term, s.leader]))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(id) {
      const m = members.get(id);
      members.delete(id);
      await m?.stop();
    },
    start: startOne,
    async client(opts = {}) {
      const only = opts.only ?? ids;
      const c = await ZooKeeperClient.connect(only.map((id) => `127.0.0.1:${ports.get(id)}`).join(','), { sessionTimeoutMs: 4000, retryDelayMs: 50, ...opts });
      clients.push(c);
      return c;
    },
    async addMember(role = 'participant') {
      const id = ports.size + 1;
      const [quorum, election, client] = await freshPorts();
      ports.set(id, client);
      const line = `server.${id}=127.0.0.1:${quorum}:${election}:${role};127.0.0.1:${client}`;
      linesOf.set(id, line);
      await startOne(id);
      return { id, line };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await Promise.all([...members.values()].map((m) => m.stop()));
      members.clear();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return e;
}
