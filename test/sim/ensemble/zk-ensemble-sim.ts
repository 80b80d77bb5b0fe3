// A ZooKeeper ensemble under seeded faults: three servers, each the consensus core (RaftNode) with the
// ZooKeeper request core (QuorumCore) over it, on the shared harness's lossy network and disks that lose
// unsynced writes in a crash; clients with sessions writing creates through random servers, moving to
// another server when theirs drops them. Checked: every server applies the same transaction at the same
// index and zxid, acknowledged creates are in every tree after healing, the order of creates is a
// linearization of the acknowledged ones, and each session's acknowledged writes are in its own order.
import { Reader, Writer } from '../../../protocol/bytes.js';
import type { PeerShellMessage, PeerWireMessage } from '../../../protocol/consensus/messages.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest } from '../../../protocol/zookeeper/records.js';
import { readTransaction } from '../../../protocol/zookeeper/txn.js';
import { consensusConfig } from '../../../src/consensus/config.js';
import { DurableImage } from '../../../src/consensus/durable-image.js';
import { RaftNode } from '../../../src/consensus/raft.js';
import type { Entry, Persist } from '../../../src/consensus/types.js';
import { makeZxid } from '../../../src/consensus/zxid.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { decodeTreeInto } from '../../../src/znode/snapshot-codec.js';
import { QuorumCore } from '../../../src/zookeeper/quorum/quorum-core.js';
import { SimDisk } from '../harness/disk.js';
import { SimNetwork } from '../harness/network.js';
import { runPhases } from '../harness/phases.js';
import { Rng } from '../harness/rng.js';
import { Scheduler } from '../harness/scheduler.js';
import { fail, SimTrace } from '../harness/trace.js';
import { checkWriteHistory, type WriteOp } from '../harness/write-history.js';

const IDS = [1, 2, 3];
const TICK_MS = 10;
const SESSION_TIMEOUT_MS = 3_000;
const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

interface Server {
  readonly id: number;
  up: boolean;
  node: RaftNode;
  core: QuorumCore;
  tree: DataTree;
  readonly image: DurableImage;
  readonly disk: SimDisk<Persist>;
  last: string;
}

interface Client {
  readonly n: number;
  server: number;
  session: bigint;
  state: 'opening' | 'open' | 'away';
  cxid: number;
  writes: number;
  /** Writes sent on the current connection, by cxid. */
  outstanding: Map<number, WriteOp>;
  /** Acknowledged writes: cxid and zxid, in acknowledgement order. */
  acked: { cxid: number; zxid: bigint }[];
}

export interface EnsembleSimOptions {
  seed: number;
  chaosMs: number;
  settleMs: number;
  traceEvents?: number;
}

export interface EnsembleSimResult {
  acked: number;
  invoked: number;
  leaderTerms: number;
  crashes: number;
  snapshotsRestored: number;
  moves: number;
}

export class EnsembleSim {
  private readonly sched = new Scheduler();
  private readonly rng: Rng;
  private readonly net: SimNetwork<PeerWireMessage>;
  private readonly servers = new Map<number, Server>();
  private readonly clients: Client[] = [];
  private readonly ops: WriteOp[] = [];
  /** The zxid every server applied at each log index, and the path a create there made. */
  private readonly zxidAt = new Map<number, bigint>();
  private readonly createdAt = new Map<number, string>();
  private readonly leaders = new Map<number, number>();
  private readonly trace: SimTrace;
  private clientsStopped = false;
  private crashes = 0;
  private restores = 0;
  private moves = 0;

  constructor(private readonly opts: EnsembleSimOptions) {
    this.rng = new Rng(opts.seed);
    this.trace = new SimTrace(this.sched, opts.traceEvents ?? 0);
    this.net = new SimNetwork(this.sched, this.rng.fork(), { dropRate: 0, duplicateRate: 0, delayMin: 1, delayMax: 3 }, (from, to, m) => this.deliver(from, to, m));
    for (const id of IDS) {
      const image = new DurableImage();
      const disk = new SimDisk<Persist>(this.sched, this.rng.fork(), { min: 1, max: 4 }, (p) => image.apply(p));
      const s = { id, up: true, image, disk, last: '' } as Server;
      this.servers.set(id, s);
      this.boot(s);
    }
    for (let n = 0; n < 4; n++) {
      const c: Client = { n, server: IDS[n % 3]!, session: 0n, state: 'away', cxid: 0, writes: 0, outstanding: new Map(), acked: [] };
      this.clients.push(c);
      this.sched.after(this.rng.int(50, 300), () => this.connect(c));
    }
  }

  run(): EnsembleSimResult {
    return this.trace.run(this.opts.seed, () => {
      runPhases(this.sched, { chaosMs: this.opts.chaosMs, settleMs: this.opts.settleMs, drainMs: 2_000 }, {
        startChaos: () => this.chaos(),
        heal: () => this.heal(),
        stopClients: () => (this.clientsStopped = true),
        check: () => undefined,
      });
      this.finalCheck();
      return {
        acked: this.ops.filter((o) => o.ackedAt !== null).length,
        invoked: this.ops.length,
        leaderTerms: this.leaders.size,
        crashes: this.crashes,
        snapshotsRestored: this.restores,
        moves: this.moves,
      };
    });
  }

  // ---- servers

  private now() {
    return { wall: 1_700_000_000_000 + this.sched.now(), mono: this.sched.now() };
  }

  private boot(s: Server): void {
    const durable = s.image.state();
    s.tree = new DataTree();
    if (durable.snapshot) decodeTreeInto(s.tree, durable.snapshot.data);
    s.node = new RaftNode({
      config: consensusConfig({ id: s.id, membership: { voters: IDS, learners: [] }, electionTicks: 10, heartbeatTicks: 2 }),
      random: (n) => this.rng.below(n),
      durable,
    });
    const gen = s.node;
    s.core = new QuorumCore(
      s.tree,
      {
        status: () => gen.status(),
        propose: (data) => gen.propose(data),
        proposeMembership: (change, data) => gen.proposeMembership(change, data),
        send: (to, m) => this.net.send(s.id, to, { ...m, from: s.id, to, term: gen.status().term } as PeerShellMessage),
        compact: (index, data) => gen.compact(index, data),
      },
      { serverId: s.id, tickTime: 100, extendedTypesEnabled: true, reconfigEnabled: false, enforceQuota: false, snapCount: 40 },
      {
        trigger: () => {},
        dropSessions: (ids) => this.dropped(s.id, ids),
        dropAll: () => this.dropped(s.id, this.clients.filter((c) => c.server === s.id && c.state !== 'away').map((c) => c.session)),
        configChanged: () => {},
      },
      this.now(),
      durable.snapshot?.index ?? 0,
    );
    s.last = '';
    const tick = () => {
      if (!s.up || s.node !== gen) return;
      gen.tick();
      if (this.sched.now() % 100 < TICK_MS) s.core.tick(this.now());
      this.drain(s);
      this.sched.after(TICK_MS, tick);
    };
    this.sched.after(this.rng.int(1, TICK_MS), tick);
    this.drain(s);
  }

  private drain(s: Server): void {
    const node = s.node;
    while (s.up && s.node === node && node.hasReady()) {
      const rd = node.ready();
      const p = rd.persist;
      if (p) s.disk.write(p, () => s.up && s.node === node && (node.persisted(p.seq), this.drain(s)));
      for (const m of rd.send) this.net.send(s.id, m.to, m);
      if (rd.restore) {
        this.restores++;
        s.core.restore(rd.restore);
      }
      if (rd.commit.length > 0) {
        for (const e of rd.commit) this.record(s, e);
        s.core.apply(rd.commit);
      }
    }
    if (!s.up || s.node !== node) return;
    const st = node.status();
    const key = `${st.role}/${st.term}/${st.leader}`;
    if (key !== s.last) {
      s.last = key;
      if (st.role === 'leader') {
        const other = this.leaders.get(st.term);
        if (other !== undefined && other !== s.id) fail(`two leaders in term ${st.term}: ${other} and ${s.id}`);
        this.leaders.set(st.term, s.id);
      }
      this.trace.note(`server ${s.id} ${key}`);
      s.core.changed(st);
    }
  }

  /** Every server applies the same transaction at the same index. */
  private record(s: Server, e: Entry): void {
    const zxid = makeZxid(e.term, e.counter);
    const known = this.zxidAt.get(e.index);
    if (known !== undefined && known !== zxid) fail(`server ${s.id} applied 0x${zxid.toString(16)} at index ${e.index}, another 0x${known.toString(16)}`);
    this.zxidAt.set(e.index, zxid);
    if (e.data && !this.createdAt.has(e.index)) {
      const txn = readTransaction(new Reader(Buffer.from(e.data)));
      if (txn.body.type === OpCode.create) this.createdAt.set(e.index, txn.body.path);
    }
  }

  private deliver(from: number, to: number, m: PeerWireMessage): void {
    const s = this.servers.get(to)!;
    if (!s.up || !this.servers.get(from)!.up) return;
    switch (m.type) {
      case 'forward':
      case 'forwardRefused':
      case 'touch':
      case 'syncRequest':
      case 'syncReply':
        s.core.shell(m, this.now());
        break;
      default:
        s.node.step(m);
    }
    this.drain(s);
  }

  private crash(s: Server): void {
    this.crashes++;
    this.trace.note(`crash ${s.id}`);
    s.up = false;
    s.disk.crash();
    for (const c of this.clients) if (c.server === s.id && c.state !== 'away') this.lose(c);
    this.sched.after(this.rng.int(100, 800), () => {
      s.up = true;
      this.boot(s);
    });
  }

  // ---- faults

  private chaos(): void {
    const step = () => {
      if (this.sched.now() >= this.opts.chaosMs) return;
      const roll = this.rng.below(12);
      const up = [...this.servers.values()].filter((o) => o.up);
      if (roll < 3) {
        const s = this.servers.get(IDS[this.rng.below(3)]!)!;
        if (s.up && up.length === 3) this.crash(s);
      } else if (roll < 4) {
        // Two at once (a shared power loss): what each had not synced is gone from a majority, so an
        // acknowledgement given before its write was durable would show as a lost write.
        if (up.length === 3) for (const s of this.rng.chance(0.5) ? up.slice(0, 2) : up.slice(1)) this.crash(s);
      } else if (roll < 5) {
        for (const s of this.servers.values()) s.disk.latency = { min: 1, max: this.rng.int(2, 80) };
      } else if (roll < 6) {
        const alone = IDS[this.rng.below(3)]!;
        this.net.partition([[alone], IDS.filter((i) => i !== alone)], IDS);
        this.trace.note(`partition ${alone}`);
      } else if (roll < 8) {
        this.net.heal();
      } else {
        this.net.setDefaults({ dropRate: this.rng.below(10) / 100, duplicateRate: this.rng.below(5) / 100, delayMin: 1, delayMax: this.rng.int(2, 20) });
      }
      this.sched.after(this.rng.int(100, 500), step);
    };
    step();
  }

  private heal(): void {
    for (const s of this.servers.values()) s.disk.latency = { min: 1, max: 4 };
    this.net.heal();
    this.net.setDefaults({ dropRate: 0, duplicateRate: 0, delayMin: 1, delayMax: 3 });
  }

  // ---- clients

  private connect(c: Client): void {
    if (this.clientsStopped) return;
    const s = this.servers.get(c.server)!;
    if (!s.up) return this.move(c);
    const now = this.now();
    if (c.session !== 0n && s.core.resumeSession(c.session, SESSION_TIMEOUT_MS, now.mono)) {
      c.state = 'open';
      this.trace.note(`client ${c.n} resumed on ${s.id}`);
      return this.loop(c, s.core);
    }
    c.state = 'opening';
    const core = s.core;
    const id = core.openSession(SESSION_TIMEOUT_MS, now, (opened) => {
      if (c.state !== 'opening' || c.session !== opened || s.core !== core) return;
      c.state = 'open';
      this.trace.note(`client ${c.n} opened 0x${opened.toString(16)} on ${s.id}`);
      this.loop(c, core);
    });
    c.session = id;
    c.outstanding.clear();
  }

  private loop(c: Client, core: QuorumCore): void {
    const step = () => {
      if (c.state !== 'open' || this.servers.get(c.server)!.core !== core || this.clientsStopped) return;
      core.touch(c.session, this.now().mono);
      if (c.outstanding.size < 3) this.write(c, core);
      this.sched.after(this.rng.int(10, 60), step);
    };
    step();
  }

  private write(c: Client, core: QuorumCore): void {
    const cxid = ++c.cxid;
    const path = `/c${c.n}-${c.writes++}`;
    const op: WriteOp = { id: path, invokedAt: this.sched.steps, ackedAt: null };
    this.ops.push(op);
    c.outstanding.set(cxid, op);
    const w = new Writer();
    CreateRequest.write(w, { path, data: null, acl: OPEN, flags: 0 });
    core.write({ sessionId: c.session, cxid, type: OpCode.create, auth: [] }, new Reader(w.toBuffer()), this.now().wall, (a) => {
      if (c.outstanding.get(cxid) !== op) return;
      c.outstanding.delete(cxid);
      if (a.applied && a.result.err === 0) {
        op.ackedAt = this.sched.steps;
        c.acked.push({ cxid, zxid: a.zxid });
      }
    });
  }

  /** The server dropped these sessions' connections: their writes' outcome is unknown; they move. */
  private dropped(server: number, ids: readonly bigint[]): void {
    for (const c of this.clients) if (c.server === server && c.state !== 'away' && ids.includes(c.session)) this.lose(c);
  }

  private lose(c: Client): void {
    c.state = 'away';
    c.outstanding.clear();
    this.sched.after(this.rng.int(5, 50), () => this.move(c));
  }

  private move(c: Client): void {
    this.moves++;
    c.server = IDS[this.rng.below(3)]!;
    this.sched.after(this.rng.int(5, 30), () => this.connect(c));
  }

  // ---- the end

  private finalCheck(): void {
    // Crashed servers are back (restarts are at most 800 ms after a crash), and the drain phase settled.
    const trees = [...this.servers.values()].filter((s) => s.up);
    if (trees.length !== 3) fail(`only ${trees.length} servers up after the drain`);
    const order = [...this.createdAt.entries()].sort((a, b) => a[0] - b[0]).map(([, path]) => path);
    const bad = checkWriteHistory(this.ops, order);
    if (bad) fail(bad);
    for (const o of this.ops) {
      if (o.ackedAt === null) continue;
      for (const s of trees) if (!s.tree.get(o.id)) fail(`acknowledged create ${o.id} is missing on server ${s.id}`);
    }
    for (const c of this.clients) {
      for (let i = 1; i < c.acked.length; i++) {
        const [a, b] = [c.acked[i - 1]!, c.acked[i]!];
        if (b.cxid > a.cxid && b.zxid <= a.zxid) fail(`client ${c.n}: write ${b.cxid} (0x${b.zxid.toString(16)}) was ordered before its earlier write ${a.cxid} (0x${a.zxid.toString(16)})`);
      }
    }
  }
}
