// The clients of the ensemble failover tests: writers that stream acknowledged creates and setData
// (node-zookeeper-client in this process, kazoo in a python process), kazoo's other drivers, and the
// final read-back that finds every acknowledged write on every server.
//
// A write counts only once its reply arrived. One that failed (connection loss during a failover) may
// or may not have happened; the writer moves on to a new name, so an unacknowledged create never turns
// an acknowledged one ambiguous.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import zookeeper, { type Client, type Event, type Exception, type Stat } from 'node-zookeeper-client';
import { call, nodeClient as harnessNodeClient } from '../../test/integration/zookeeper/harness.js';
import type { ZkEnsemble } from '../../test/helpers/zk-ensemble.js';
import { PYTHON } from '../helpers/commands.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';

const KAZOO_SCRIPT = join(import.meta.dirname, 'kazoo_ensemble.py');

/** Pause between a writer's iterations: a steady stream, not a flood that grows the tree without end. */
const WRITE_PAUSE_MS = 20;

/** What a writer was told is done: its created paths, and its counter node's last acknowledged value. */
export interface Acked {
  /** The parent of the created nodes. */
  prefix: string;
  created: string[];
  setPath: string;
  /** The highest counter value acknowledged by setData, and the version the reply carried. */
  lastSet: { value: number; version: number } | undefined;
}

export interface WriteTimes {
  sent: number;
  acked: number;
}

/**
 * The acknowledged writes sent after `t`. A reply that arrives after a kill may be for a write the
 * killed leader committed just before: only a write sent afterwards shows that the ensemble carried on.
 */
function sentAfter(acks: WriteTimes[], t: number): WriteTimes[] {
  return acks.filter((a) => a.sent > t);
}

/** Long enough for a session to outlast a failover on a busy machine; short enough for the suite. */
const SESSION_TIMEOUT_MS = 10_000;

/** A node-zookeeper-client for `connectString` (usually every server). */
export function nodeClient(connectString: string): Promise<Client> {
  return harnessNodeClient(connectString, SESSION_TIMEOUT_MS);
}

export function sessionIdOf(client: Client): bigint {
  return client.getSessionId().readBigUInt64BE(0);
}

/** Creates each path that does not exist yet (with its parents). */
export async function ensurePaths(client: Client, paths: string[]): Promise<void> {
  for (const path of paths) await call<string>((cb) => client.mkdirp(path, null, zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, cb));
}

/** node-zookeeper-client streaming writes: create PREFIX/c-N, then set SET_PATH to N. */
export class NodeWriter {
  readonly acked: Acked;
  /** Acknowledged writes in order: when each was sent and when its reply came (wall clock, ms). */
  readonly acks: WriteTimes[] = [];
  /** Connection states the client went through ('DISCONNECTED', 'SYNC_CONNECTED', 'EXPIRED', ...). */
  readonly states: string[] = [];
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(
    readonly client: Client,
    prefix: string,
    setPath: string,
  ) {
    this.acked = { prefix, created: [], setPath, lastSet: undefined };
    client.on('state', (s: { name: string }) => this.states.push(s.name));
  }

  get sessionId(): bigint {
    return sessionIdOf(this.client);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Acknowledged writes sent after wall-clock time `t`. */
  ackedAfter(t: number): number {
    return sentAfter(this.acks, t).length;
  }

  /** When the first write sent after `t` was acknowledged. */
  firstAckAfter(t: number): number | undefined {
    return sentAfter(this.acks, t)[0]?.acked;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    for (let i = 1; !this.stopping; i++) {
      const path = `${this.acked.prefix}/c-${String(i).padStart(7, '0')}`;
      const data = Buffer.from(String(i));
      try {
        let sent = Date.now();
        await call<string>((cb) => this.client.create(path, data, zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, cb));
        this.acked.created.push(path);
        this.acks.push({ sent, acked: Date.now() });
        sent = Date.now();
        const stat = await call<Stat>((cb) => this.client.setData(this.acked.setPath, data, -1, cb));
        this.acked.lastSet = { value: i, version: stat.version };
        this.acks.push({ sent, acked: Date.now() });
      } catch {
        // Connection loss during a failover: not acknowledged; the next write gets a new name.
      }
      await sleep(WRITE_PAUSE_MS);
    }
  }
}

/** The kazoo writer process (kazoo_ensemble.py writer) and what it acknowledged. */
export class KazooWriter {
  readonly process: JsonLinesChild;

  /** `randomizeHosts: false` connects to the first of `hosts` first (kazoo shuffles them by default). */
  constructor(hosts: string, private readonly prefix: string, private readonly setPath: string, options: { randomizeHosts?: boolean } = {}) {
    const cfg = { hosts, prefix, set_path: setPath, randomize_hosts: options.randomizeHosts ?? true, timeout_s: SESSION_TIMEOUT_MS / 1000, pause_ms: WRITE_PAUSE_MS };
    this.process = kazoo('kazoo writer', 'writer', cfg);
  }

  async ready(): Promise<bigint> {
    await this.process.waitFor('ready', (e) => e.event === 'ready');
    return BigInt(this.process.all('session')[0]!.id as string);
  }

  /** Acknowledged writes sent after wall-clock time `t`. */
  ackedAfter(t: number): number {
    return sentAfter(this.acks, t).length;
  }

  /** When the first write sent after `t` was acknowledged. */
  firstAckAfter(t: number): number | undefined {
    return sentAfter(this.acks, t)[0]?.acked;
  }

  private get acks(): WriteTimes[] {
    return this.process.all('ack').map((e) => ({ sent: e.sent as number, acked: e.t }));
  }

  get acked(): Acked {
    const acks = this.process.all('ack');
    const sets = acks.filter((e) => e.op === 'set');
    const last = sets.at(-1);
    return {
      prefix: this.prefix,
      created: acks.filter((e) => e.op === 'create').map((e) => e.path as string),
      setPath: this.setPath,
      lastSet: last ? { value: last.value as number, version: last.version as number } : undefined,
    };
  }
}

/** Starts kazoo_ensemble.py in `mode` with `cfg`. */
export function kazoo(name: string, mode: string, cfg: Record<string, unknown>): JsonLinesChild {
  return new JsonLinesChild(name, PYTHON, [KAZOO_SCRIPT, mode, JSON.stringify(cfg)], { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });
}

/** Records the watch events a client's one-shot watchers fire, by path. */
export class WatchLog {
  readonly events: { path: string; type: string; t: number }[] = [];

  watcher = (event: Event): void => {
    this.events.push({ path: event.getPath(), type: event.getName(), t: Date.now() });
  };

  of(path: string): string[] {
    return this.events.filter((e) => e.path === path).map((e) => e.type);
  }
}

/** Polls `check` until true; past `timeoutMs` throws `what` (a function: called only then, for a report). */
export async function eventually(what: string | (() => Promise<string>), check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${typeof what === 'string' ? what : await what()}`);
    await sleep(50);
  }
}

/** Written after the writers stop; once a server has applied it, it has applied all they wrote. */
const MARKER = '/read-back-marker';

/** What one server holds of the writers' nodes. */
export interface ServerView {
  /** Acknowledged writes the server lacks (empty when it has them all). */
  lacks: string[];
  /** The writers' nodes as the server has them: each parent's children, each counter's value and version. */
  state: string;
}

/**
 * Every acknowledged write, read back from each live server on its own (a client naming only that
 * server), once every server has applied a write made after the writers stopped (reads on a server are
 * local, so this is what makes them comparable): every acknowledged create is there, and each counter
 * node holds at least its last acknowledged value at least at that version (a later, unacknowledged set
 * may have landed too). Equal `state`s mean the servers converged.
 */
export async function readBack(ensemble: ZkEnsemble, writes: Acked[]): Promise<Map<number, ServerView>> {
  const marker = await nodeClient(ensemble.connectString);
  try {
    await ensurePaths(marker, [MARKER]);
    const stat = await answered<Stat>(`setData ${MARKER}`, (cb) => marker.setData(MARKER, Buffer.from('marker'), -1, cb));
    await ensemble.caughtUp(stat.mzxid.readBigUInt64BE(0));
  } finally {
    marker.close();
  }
  const views = new Map<number, ServerView>();
  for (const server of ensemble.servers.filter((s) => s.live)) {
    const client = await nodeClient(server.address);
    try {
      views.set(server.id, await viewOf(client, writes));
    } finally {
      client.close();
    }
  }
  return views;
}

async function viewOf(client: Client, writes: Acked[]): Promise<ServerView> {
  const lacks: string[] = [];
  const state: string[] = [];
  for (const w of writes) {
    const parent = w.prefix;
    const children = new Set(await answered<string[]>(`getChildren ${parent}`, (cb) => client.getChildren(parent, undefined, (e, c) => cb(e, c))));
    state.push(`${parent}: ${[...children].sort().join(' ')}`);
    for (const path of w.created) if (!children.has(path.slice(parent.length + 1))) lacks.push(path);
    const [data, stat] = await answered<[Buffer, Stat]>(`getData ${w.setPath}`, (cb) => client.getData(w.setPath, undefined, (e, d, st) => cb(e, [d, st])));
    const value = Number((data ?? Buffer.alloc(0)).toString() || '0');
    state.push(`${w.setPath}: ${value}@v${stat.version}`);
    if (w.lastSet && (value < w.lastSet.value || stat.version < w.lastSet.version)) {
      lacks.push(`${w.setPath}=${w.lastSet.value}@v${w.lastSet.version} (has ${value}@v${stat.version})`);
    }
  }
  return { lacks, state: state.join('\n') };
}

/** Every live server holds every acknowledged write in `ledger`, and all of them hold the same. */
export async function expectEverythingEverywhere(ensemble: ZkEnsemble, ledger: Acked[]): Promise<void> {
  const views = await readBack(ensemble, ledger);
  expect([...views.keys()]).toEqual(ensemble.servers.filter((s) => s.live).map((s) => s.id));
  for (const [id, view] of views) expect(view.lacks, `acknowledged writes missing on server ${id}`).toEqual([]);
  const states = new Set([...views.values()].map((v) => v.state));
  expect(states.size, 'the servers hold the same nodes').toBe(1);
}

/** Runs a call until it is answered, retrying while the client reconnects (connection loss). */
export async function answered<T>(what: string, fn: (cb: (err: Exception | null, result: T) => void) => void, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call<T>(fn);
    } catch (err) {
      if ((err as Exception).code !== zookeeper.Exception.CONNECTION_LOSS || Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(50);
    }
  }
}
