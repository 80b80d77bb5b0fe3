// A hand-driven ensemble for unit tests: messages queue until `deliver`, links can be cut, and each
// server's disk syncs at once unless it is held, so a test chooses exactly what happens when.
import { consensusConfig, type ConsensusConfig } from '../../../src/consensus/config.js';
import { RaftNode } from '../../../src/consensus/raft.js';
import type { DurableState, Entry, HardState, Message, Persist, ReadState, Snapshot } from '../../../src/consensus/types.js';

export interface TestServer {
  core: RaftNode;
  disk: { hardState: HardState; snapshot: Snapshot | null; entries: Entry[] };
  /** Writes waiting on a held disk. */
  unsynced: Persist[];
  holdDisk: boolean;
  applied: Entry[];
  restored: Snapshot[];
  dropped: string[];
  /** Read indexes confirmed, in order. */
  reads: ReadState[];
}

export class TestCluster {
  readonly servers = new Map<number, TestServer>();
  queue: Message[] = [];
  /** Every message ever sent, for assertions on what went out. */
  readonly sent: Message[] = [];
  private readonly cut = new Set<string>();

  private readonly membership: { voters: number[]; learners: number[] };

  constructor(
    voters: number[],
    learners: number[] = [],
    private readonly overrides: Partial<ConsensusConfig> = {},
    /** Extra election-timeout ticks per server; none by default, so tests pick who campaigns first. */
    private readonly jitter: Record<number, number> = {},
  ) {
    this.membership = { voters, learners };
    for (const id of [...voters, ...learners]) this.boot(id);
  }

  private boot(id: number, durable?: DurableState, membership = this.membership): void {
    const config = consensusConfig({ id, membership, ...this.overrides });
    const core = new RaftNode({ config, random: (n) => Math.min(this.jitter[id] ?? 0, n - 1), ...(durable ? { durable } : {}) });
    const old = this.servers.get(id);
    this.servers.set(id, {
      core,
      disk: old?.disk ?? { hardState: { term: 0, vote: 0, commit: 0 }, snapshot: null, entries: [] },
      unsynced: [],
      holdDisk: false,
      applied: [],
      restored: [],
      dropped: [],
      reads: [],
    });
    this.flush(id);
  }

  server(id: number): TestServer {
    return this.servers.get(id)!;
  }

  core(id: number): RaftNode {
    return this.server(id).core;
  }

  /** Run what the core has ready: write (or queue) its persist, queue its messages, record applies. */
  flush(id: number): void {
    const s = this.server(id);
    if (!s.core.hasReady()) return;
    const rd = s.core.ready();
    for (const d of rd.dropped) s.dropped.push(d.reason);
    if (rd.restore) s.restored.push(rd.restore);
    s.applied.push(...rd.commit);
    s.reads.push(...rd.reads);
    for (const m of rd.send) {
      this.sent.push(m);
      this.queue.push(m);
    }
    if (rd.persist) {
      s.unsynced.push(rd.persist);
      if (!s.holdDisk) this.sync(id);
    }
    this.flush(id);
  }

  /** The held disk completes every write it has. */
  sync(id: number): void {
    const s = this.server(id);
    const writes = s.unsynced.splice(0);
    for (const p of writes) {
      if (p.snapshot) {
        s.disk.snapshot = p.snapshot;
        s.disk.entries = s.disk.entries.filter((e) => e.index > p.snapshot!.index);
      }
      if (p.truncateFrom !== null) s.disk.entries = s.disk.entries.filter((e) => e.index < p.truncateFrom!);
      s.disk.entries.push(...p.entries);
      if (p.hardState) s.disk.hardState = p.hardState;
    }
    if (writes.length > 0) {
      s.core.persisted(writes.at(-1)!.seq);
      this.flush(id);
    }
  }

  tick(id: number, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.core(id).tick();
      this.flush(id);
    }
  }

  /** Tick every server once. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const id of this.servers.keys()) this.tick(id);
  }

  propose(id: number, text: string) {
    const r = this.core(id).propose(new TextEncoder().encode(text));
    this.flush(id);
    return r;
  }

  isolate(id: number): void {
    for (const other of this.servers.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Deliver queued messages (and what they cause) until none are left, dropping those on cut links. */
  deliver(filter: (m: Message) => boolean = () => true, rounds = 1000): void {
    for (let r = 0; r < rounds && this.queue.length > 0; r++) {
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        if (this.cut.has(`${m.from}>${m.to}`) || !filter(m)) continue;
        this.core(m.to).step(m);
        this.flush(m.to);
      }
    }
  }

  /** A new server with an empty disk, started knowing `membership` (which must list it). */
  join(id: number, membership: { voters: number[]; learners: number[] }): void {
    this.boot(id, undefined, membership);
  }

  /** Crash: unsynced writes are lost; restart from what the disk holds. */
  restart(id: number): void {
    const s = this.server(id);
    this.boot(id, structuredClone({ hardState: s.disk.hardState, snapshot: s.disk.snapshot, entries: s.disk.entries }));
  }

  /** `id` times out (the others, having no jitter either, are assumed to be ticked less), then votes flow. */
  campaign(id: number, filter?: (m: Message) => boolean): void {
    for (let i = 0; i < 100 && this.core(id).status().role === 'follower'; i++) this.tick(id);
    this.deliver(filter);
  }

  text(e: Entry): string | null {
    return e.data === null ? null : new TextDecoder().decode(e.data);
  }
}
