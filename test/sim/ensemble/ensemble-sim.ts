// A seeded simulation of a whole ZooKeeper ensemble: on every server the consensus core (RaftNode)
// under the ZooKeeper request core (QuorumCore), wired as the real member wires them (peer.ts and
// ensemble-server.ts), with SimDisk for durable state and the harness network between servers.
// Simulated clients hold sessions, connect to random servers, write (create, ephemerals, setData,
// delete, multi, close), read (getData, exists, sync then read), go silent until their session expires,
// and reconnect elsewhere with their lastZxidSeen, while servers crash (losing unsynced writes) and
// restart, the leader is killed, links drop, duplicate, delay and reorder messages, partitions come and
// go, disks turn slow and the wall clock jumps.
//
// Checked after every event or as it happens: at most one leader per epoch; every server applies the
// same transaction at the same index and zxid, zxids strictly increase; no acknowledged write is lost
// and writes are linearizable (harness/write-history.ts over the committed order); each write's answer
// is its own transaction's; every read shows the committed state at the zxid it was answered at, and a
// session's zxids never go back (strictly forward for writes), across reconnects; a sync makes later
// reads see all that was committed before it; a session is created and closed at most once, and no
// ephemeral outlives its session. At the end, with faults healed and clients gone: one leader, every
// server holds the same tree as the committed log, and every session has expired with its ephemerals.
import { Reader, Writer } from '../../../protocol/bytes.js';
import type { PeerShellMessage, PeerWireMessage } from '../../../protocol/consensus/messages.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { writeMultiRequest, type MultiOp } from '../../../protocol/zookeeper/multi.js';
import { CreateRequest, DeleteRequest, ReconfigRequest, SetDataRequest } from '../../../protocol/zookeeper/records.js';
import { readTransaction, type Transaction } from '../../../protocol/zookeeper/txn.js';
import { consensusConfig, type ConsensusConfig } from '../../../src/consensus/config.js';
import { DurableImage } from '../../../src/consensus/durable-image.js';
import { RaftNode } from '../../../src/consensus/raft.js';
import type { Entry, Membership, Message, Persist, Snapshot } from '../../../src/consensus/types.js';
import { formatZxid, makeZxid, ZXID_COUNTER_MAX } from '../../../src/consensus/zxid.js';
import { CONFIG_PATH, DataTree } from '../../../src/znode/data-tree.js';
import { decodeTreeInto } from '../../../src/znode/snapshot-codec.js';
import { formatConfigText, formatServerLine, parseConfigText, type EnsembleServer } from '../../../src/zookeeper/ensemble-config.js';
import { leaderlessMaxMs, syncedFollowers } from '../../../src/zookeeper/quorum/peer.js';
import { drainReady, isShellMessage, RoleWatch } from '../../../src/zookeeper/quorum/peer-runtime.js';
import { membershipOf, sameMembership } from '../../../src/zookeeper/quorum/reconfig-plan.js';
import { QuorumCore, type QuorumLink } from '../../../src/zookeeper/quorum/quorum-core.js';
import { ReplyQueue } from '../../../src/zookeeper/reply-queue.js';
import { WatchManager, type Watcher } from '../../../src/zookeeper/watch-manager.js';
import type { Now, WriteAnswer } from '../../../src/zookeeper/request-core.js';
import { describeMessage } from '../harness/raft-messages.js';
import { SimDisk } from '../harness/disk.js';
import { SimNetwork, type LinkFaults } from '../harness/network.js';
import { committedDurability } from '../harness/durability.js';
import { runPhases } from '../harness/phases.js';
import { Rng } from '../harness/rng.js';
import { Scheduler } from '../harness/scheduler.js';
import { fail, SimTrace } from '../harness/trace.js';
import { checkWriteHistory, type WriteOp } from '../harness/write-history.js';

export interface EnsembleSimOptions {
  seed: number;
  chaosMs: number;
  settleMs: number;
  /** Keep the last this many events for the failure message. */
  traceEvents?: number;
}

export interface EnsembleSimResult {
  voters: number;
  observers: number;
  committed: number;
  writesAcked: number;
  writesAckedAfterHeal: number;
  readsChecked: number;
  syncs: number;
  sessions: number;
  sessionsExpired: number;
  reconnects: number;
  staleRefusals: number;
  /** Forwards refused by a server no longer leading in their term, sent again to the next leader by their server. */
  notLeaderRefusals: number;
  /** Clients told their live session expired by a server that marked it for expiry while it led this epoch (findings F2). */
  staleLeaderExpiries: number;
  /** Reconfig requests sent (role changes), and how many committed. */
  reconfigs: number;
  membershipChanges: number;
  /** Leaders killed right after proposing a step of a multi-server change, before its last entry (the next leader repairs). */
  midReconfigKills: number;
  /** Watch notifications delivered. */
  notifications: number;
  leaderTerms: number;
  crashes: number;
  leaderKills: number;
  snapshotsSent: number;
  events: number;
  lastZxid: string;
}

/** One consensus tick (peer.ts's is 20-50 ms; only the ratios to the timeouts below matter). */
const TICK_MS = 10;
/**
 * Election timeout and heartbeat interval in ticks: peer.ts uses 8 and 1; every other tick here halves
 * the simulation's heartbeat traffic, which is most of its events, at the same election timeout.
 */
const ELECTION_TICKS = 10;
const HEARTBEAT_TICKS = 2;
/** zoo.cfg's tickTime: session deadlines round up to it, and the shell's expiry timer runs at it. */
const TICK_TIME = 50;
const SESSION_TIMEOUT = 500;
/** ZooKeeper's clients ping a third of the way into the timeout and give up on a silent connection after two thirds. */
const PING_MS = Math.round(SESSION_TIMEOUT / 3);
const READ_TIMEOUT_MS = Math.round((SESSION_TIMEOUT * 2) / 3);
const CLIENT_DELAY = { min: 1, max: 6 };
const NORMAL_DISK = { min: 1, max: 4 };
const CALM: LinkFaults = { dropRate: 0, duplicateRate: 0, delayMin: 1, delayMax: 4 };
const ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const PERSISTENT = ['/a', '/b', '/c', '/a/x', '/b/y'];

interface Server {
  readonly id: number;
  up: boolean;
  /** Bumped at every crash, so the old incarnation's callbacks do nothing. */
  incarnation: number;
  node: RaftNode | null;
  core: QuorumCore | null;
  tree: DataTree | null;
  /** The shell's watches (server.ts), fired by QuorumCore as it applies. */
  watches: WatchManager | null;
  disk: SimDisk<Persist>;
  readonly image: DurableImage;
  /** The last index this incarnation applied or restored. */
  applied: number;
  readonly conns: Set<Conn>;
  readonly bySession: Map<bigint, Conn>;
  scheduled: boolean;
  /** Role changes and the leaderless clock, as peer.ts keeps them. */
  roles: RoleWatch;
  serving: boolean;
  snapCount: number;
}

interface Conn extends Watcher {
  readonly server: Server;
  readonly incarnation: number;
  readonly client: Client;
  sessionId: bigint;
  /** The client has its ConnectResponse. */
  open: boolean;
  closed: boolean;
  /** Replies in request order, in server.ts's ClientConnection's queue: a read waits for the writes before it. */
  replies: ReplyQueue<() => void>;
  /** When the last message to the client, and to the server, arrives: the connection is a TCP stream, in order. */
  lastAt: number;
  lastToServerAt: number;
}

type Request =
  | { kind: 'write'; type: number; body: Buffer; op: WriteOp; path: string | null; data: string | null }
  /** `bound`: for the read that follows a sync, what was committed when the sync was sent. */
  | { kind: 'read'; path: string; bound: bigint; watch: boolean }
  | { kind: 'sync'; bound: bigint };

interface Pending {
  readonly conn: Conn;
  readonly cxid: number;
  readonly req: Request;
}

interface Client {
  readonly name: string;
  n: number;
  session: bigint;
  cxid: number;
  lastZxidSeen: bigint;
  conn: Conn | null;
  /** Watches set on the current connection: path -> the zxid of the read that set it. */
  readonly watching: Map<string, bigint>;
  /** Requests sent and not answered, oldest first (up to `window` of them). */
  pending: Pending[];
  readonly window: number;
  silentUntil: number;
  closing: boolean;
  /** c0 is the super user, who may reconfigure (WRITE on /zookeeper/config). */
  readonly auth: { scheme: string; id: string }[];
}

type Refusal = 'leader' | 'ledThisTerm' | 'follower';

type ReadAnswer = { zxid: bigint; state: string | null; err: number };

export class EnsembleSim {
  private readonly rng: Rng;
  private readonly sched = new Scheduler();
  private readonly net: SimNetwork<PeerWireMessage>;
  private readonly servers = new Map<number, Server>();
  private readonly ids: number[];
  private readonly membership: Membership;
  private readonly config: (id: number) => ConsensusConfig;
  private readonly trace: SimTrace;
  private readonly tracing: boolean;
  private readonly clients: Client[] = [];
  private wallOffset = 1_700_000_000_000;

  // The committed log, as whichever server applied an index first saw it, and the tree it builds.
  private readonly committed: Entry[] = [];
  private readonly ref = new DataTree();
  /** Per tracked path, the committed states it went through, by the zxid that made each. */
  private readonly states = new Map<string, Array<{ zxid: bigint; state: string | null }>>();
  private readonly txnAt = new Map<bigint, Transaction>();
  private readonly created = new Set<bigint>();
  /** The zxid of each session's closing. */
  private readonly closed = new Map<bigint, bigint>();
  private readonly leaders = new Map<number, number>();
  /** Membership changes in the committed log (reconfig), in order. */
  private readonly memberships: Array<{ index: number; membership: Membership }> = [];

  // Client writes: invoked, acknowledged, and where they landed.
  private readonly history: WriteOp[] = [];
  private readonly writeKeys = new Map<string, string>();
  private readonly order: string[] = [];

  private chaos = true;
  private disksChanged = false;
  private clientsRunning = true;
  private healedAtStep = 0;
  private readonly harsh: boolean;
  private readonly stats = { readsChecked: 0, syncs: 0, sessions: 0, sessionsExpired: 0, reconnects: 0, staleRefusals: 0, notLeaderRefusals: 0, staleLeaderExpiries: 0, reconfigs: 0, midReconfigKills: 0, notifications: 0, crashes: 0, leaderKills: 0, snapshotsSent: 0 };

  constructor(private readonly opt: EnsembleSimOptions) {
    this.rng = new Rng(opt.seed);
    this.trace = new SimTrace(this.sched, opt.traceEvents ?? 0);
    this.tracing = (opt.traceEvents ?? 0) > 0;
    this.harsh = this.rng.chance(0.4);
    const voters = this.rng.pick([3, 3, 5]);
    const observers = this.rng.chance(0.3) ? 1 : 0;
    this.ids = Array.from({ length: voters + observers }, (_, i) => i + 1);
    this.membership = { voters: this.ids.slice(0, voters), learners: this.ids.slice(voters) };
    // A small zxid counter limit in some runs, so epochs roll over under load too.
    const zxidCounterMax = this.rng.pick([30, 200, ZXID_COUNTER_MAX]);
    const inflightMessagesMax = this.rng.int(1, 8);
    const messageBytesMax = this.rng.pick([600, 64 * 1024]);
    this.config = (id) =>
      consensusConfig({ id, membership: this.membership, electionTicks: ELECTION_TICKS, heartbeatTicks: HEARTBEAT_TICKS, inflightMessagesMax, messageBytesMax, entryBytesMax: 512, zxidCounterMax, uncommittedEntriesMax: 500 });
    this.net = new SimNetwork<PeerWireMessage>(this.sched, this.rng.fork(), CALM, (from, to, m) => this.deliver(to, m));
    for (const path of [...PERSISTENT, ...this.ephemeralPaths()]) this.states.set(path, [{ zxid: 0n, state: null }]);
    this.ref.setEnsembleConfig(this.initialConfig());
    for (const id of this.ids) {
      const server: Server = {
        id,
        up: false,
        incarnation: 0,
        node: null,
        core: null,
        tree: null,
        watches: null,
        disk: null!,
        image: new DurableImage(),
        applied: 0,
        conns: new Set(),
        bySession: new Map(),
        scheduled: false,
        roles: new RoleWatch(0, 0),
        serving: true,
        snapCount: this.rng.int(8, 60),
      };
      server.disk = new SimDisk<Persist>(this.sched, this.rng.fork(), NORMAL_DISK, (p) => {
        try {
          server.image.apply(p);
        } catch (err) {
          fail(`server ${id}'s disk: ${(err as Error).message}`);
        }
        this.disksChanged = true;
      });
      this.servers.set(id, server);
      this.start(server);
    }
    for (let c = 0; c < 4; c++) {
      const client: Client = { name: `c${c}`, n: 0, session: 0n, cxid: 0, lastZxidSeen: 0n, conn: null, watching: new Map(), pending: [], window: this.rng.int(1, 3), silentUntil: 0, closing: false, auth: c === 0 ? [{ scheme: 'super', id: '' }] : [] };
      this.clients.push(client);
      this.sched.after(this.rng.int(20, 200), () => this.connect(client));
    }
  }

  run(): EnsembleSimResult {
    return this.trace.run(this.opt.seed, () => {
      // Clients stop, and every session must expire: a full timeout from the last leader's election, and then some.
      runPhases(this.sched, { ...this.opt, drainMs: 2 * SESSION_TIMEOUT + 300 }, {
        startChaos: () => this.sched.after(150, () => this.chaosStep()),
        heal: () => this.heal(),
        stopClients: () => (this.clientsRunning = false),
        check: () => this.checkDisks(),
      });
      return this.finish();
    });
  }

  private note(line: () => string): void {
    if (this.tracing) this.trace.note(line());
  }

  private now(): Now {
    return { wall: this.sched.now() + this.wallOffset, mono: this.sched.now() };
  }

  private server(id: number, role: 'participant' | 'observer'): EnsembleServer {
    return { id, role, quorum: { host: `127.0.0.${id}`, port: 2888 }, electionPort: 3888, client: { host: `127.0.0.${id}`, port: 2181 } };
  }

  private initialConfig(): Buffer {
    return Buffer.from(formatConfigText(this.ids.map((id) => this.server(id, this.membership.voters.includes(id) ? 'participant' : 'observer')), 0n));
  }

  private ephemeralPaths(): string[] {
    return Array.from({ length: 4 }, (_, c) => `/e${c}`);
  }

  // ---- servers: what peer.ts and ensemble-server.ts do around the two cores

  private start(s: Server): void {
    s.up = true;
    // A drain the previous incarnation had scheduled died with it.
    s.scheduled = false;
    const image = s.image.state();
    const node = new RaftNode({ config: this.config(s.id), random: (n) => this.rng.below(n), durable: image });
    const tree = new DataTree();
    if (image.snapshot) decodeTreeInto(tree, image.snapshot.data);
    // As ensemble-server.ts: /zookeeper/config starts as zoo.cfg's servers until a reconfig commits.
    if (!tree.get(CONFIG_PATH)!.data?.length) tree.setEnsembleConfig(this.initialConfig());
    s.node = node;
    s.tree = tree;
    const watches = new WatchManager();
    s.watches = watches;
    s.applied = image.snapshot?.index ?? 0;
    // As ensemble-server.ts: a member without a leader for this long closes its clients' connections.
    s.roles = new RoleWatch(leaderlessMaxMs({ tickMs: TICK_MS, electionTicks: ELECTION_TICKS }), this.sched.now());
    // As ensemble-server.ts: serving only once a leader is known.
    s.serving = false;
    const link: QuorumLink = {
      status: () => node.status(),
      propose: (data) => {
        const r = node.propose(data);
        this.checkLeader(s);
        if (r.ok) this.kick(s);
        return r;
      },
      proposeMembership: (change, data) => {
        const r = node.proposeMembership(change, data);
        this.checkLeader(s);
        if (r.ok) this.kick(s);
        // A step without data is not the last of its plan: now and then the leader dies within the plan,
        // which is otherwise too brief for random kills to hit, so the next leader's repair runs.
        if (r.ok && data === null && this.chaos && this.rng.chance(0.5)) this.killWithinPlan(s);
        return r;
      },
      readIndex: (ctx) => {
        const ok = node.readIndex(ctx);
        if (ok) this.kick(s);
        return ok;
      },
      // syncLimit as the runtime takes it, in consensus ticks: an election timeout here.
      syncedFollowers: () => syncedFollowers(node, ELECTION_TICKS),
      // The shell's messages ride the peer connection (transport.ts), which may lose but never duplicates or reorders them.
      send: (to, m) => this.net.sendOrdered(s.id, to, { ...m, from: s.id, to, term: node.status().term } as PeerShellMessage),
      compact: (index, data) => {
        node.compact(index, data);
        this.kick(s);
      },
    };
    s.core = new QuorumCore(
      tree,
      link,
      { serverId: s.id, tickTime: TICK_TIME, extendedTypesEnabled: true, reconfigEnabled: true, standaloneEnabled: true, enforceQuota: false, snapCount: s.snapCount, random: (n) => this.rng.below(n) },
      {
        trigger: (type, path) => watches.trigger(type, path),
        dropSessions: (ids) => {
          for (const id of ids) {
            const conn = s.bySession.get(id);
            if (conn) this.closeConn(conn);
          }
        },
        dropAll: () => this.dropAll(s),
        // The runtime's peer connections follow the membership; the simulated network reaches every server anyway.
        configChanged: () => undefined,
        connect: () => undefined,
      },
      this.now(),
      s.applied,
    );
    this.note(() => `start ${s.id} from snapshot ${s.applied}, log to ${s.image.lastIndex()}, wall ${this.now().wall}`);
    const incarnation = s.incarnation;
    const alive = () => s.incarnation === incarnation;
    const tick = () => {
      if (!alive()) return;
      node.tick();
      this.checkLeader(s);
      this.kick(s);
      this.servingCheck(s);
      this.sched.after(TICK_MS, tick);
    };
    const expiry = () => {
      if (!alive()) return;
      s.core!.tick(this.now());
      s.core!.sweepContainers(this.now().wall);
      this.sched.after(TICK_TIME, expiry);
    };
    this.sched.after(this.rng.int(1, TICK_MS), tick);
    this.sched.after(this.rng.int(1, TICK_TIME), expiry);
    this.kick(s);
  }

  private crash(s: Server, why: string): void {
    this.note(() => `crash ${s.id} (${why})`);
    this.stats.crashes++;
    s.up = false;
    s.incarnation++;
    s.node = null;
    s.core = null;
    s.tree = null;
    s.watches = null;
    s.disk.crash();
    // A killed process's sockets close: its clients notice at once, and so do the servers it can reach.
    this.dropAll(s);
    for (const other of this.servers.values()) {
      if (other.up && !this.net.isCut(s.id, other.id)) this.peerDownLater(other, s.id);
    }
  }

  /** `s` sees its connection to `down` close (peer.ts: RaftNode.peerDown): after a crash, or a blip of a live link. */
  private peerDownLater(s: Server, down: number): void {
    const incarnation = s.incarnation;
    this.sched.after(this.rng.int(0, 3), () => {
      if (!s.up || s.incarnation !== incarnation) return;
      this.note(() => `${s.id} sees its connection to ${down} close`);
      s.node!.peerDown(down);
      this.checkLeader(s);
      this.kick(s);
    });
  }

  private killWithinPlan(s: Server): void {
    const incarnation = s.incarnation;
    this.sched.after(this.rng.int(0, 5), () => {
      if (s.incarnation !== incarnation || !s.up) return;
      this.stats.midReconfigKills++;
      this.crash(s, 'leader kill within a reconfiguration');
      this.sched.after(this.rng.int(20, 300), () => {
        if (!s.up) this.start(s);
      });
    });
  }

  /** As a microtask after every input in peer.ts: drain the core's ready() in one go. */
  private kick(s: Server): void {
    if (s.scheduled || !s.up) return;
    s.scheduled = true;
    const incarnation = s.incarnation;
    this.sched.after(0, () => {
      if (s.incarnation !== incarnation) return;
      s.scheduled = false;
      this.drain(s);
    });
  }

  private drain(s: Server): void {
    const node = s.node!;
    const core = s.core!;
    drainReady(node, {
      persist: (p) => {
        const incarnation = s.incarnation;
        s.disk.write(p, () => {
          if (s.incarnation !== incarnation) return;
          node.persisted(p.seq);
          this.checkLeader(s);
          this.kick(s);
        });
      },
      send: (m) => {
        if (m.type === 'snapshot') this.stats.snapshotsSent++;
        this.net.send(s.id, m.to, m);
      },
      dropped: (d) => {
        if (d.reason.startsWith('malformed')) fail(`server ${s.id} refused ${d.message.type} from ${d.message.from}: ${d.reason}`);
      },
      restore: (snapshot) => {
        this.restored(s, snapshot);
        core.restore(snapshot);
      },
      apply: (entries) => {
        for (const e of entries) this.applying(s, e);
        core.apply(entries);
      },
      reads: (reads) => core.readsConfirmed(reads),
    });
    const st = node.status();
    if (!s.roles.changed(st, this.sched.now())) return;
    this.note(() => `${s.id} is ${st.role} of term ${st.term}, leader ${st.leader}`);
    core.changed(st);
  }

  /** ensemble-server.ts's tick: without a leader for too long a member stops serving, and its clients move on. */
  private servingCheck(s: Server): void {
    const serving = s.roles.hasQuorum(this.sched.now());
    if (serving !== s.serving) this.dropAll(s);
    s.serving = serving;
  }

  private deliver(to: number, m: PeerWireMessage): void {
    const s = this.servers.get(to)!;
    if (!s.up) return;
    if (isShellMessage(m)) {
      this.note(() => `${m.from}->${to} ${m.type}${m.type === 'forward' || m.type === 'forwardRefused' ? ` ${m.sessionId.toString(16)}:${m.cxid}` : ''}${m.type === 'forwardRefused' && m.notLeader ? ' (not leading)' : ''}`);
      if (m.type === 'forwardRefused' && m.notLeader) this.stats.notLeaderRefusals++;
      return s.core!.shell(m, this.now());
    }
    this.note(() => `${m.from}->${to} ${describeMessage(m)}`);
    s.node!.step(m);
    this.checkLeader(s);
    this.kick(s);
  }

  // ---- what servers apply, checked against the committed log

  private applying(s: Server, e: Entry): void {
    if (e.index !== s.applied + 1) fail(`server ${s.id} applies ${e.index} after ${s.applied}`);
    s.applied = e.index;
    const known = this.committed[e.index];
    if (known) {
      if (known.term !== e.term || known.counter !== e.counter || !sameData(known, e)) fail(`server ${s.id} applies ${show(e)} at ${e.index}, another applied ${show(known)}`);
      return;
    }
    if (e.index > 1 && !this.committed[e.index - 1]) fail(`entry ${e.index} applied before ${e.index - 1} was known committed`);
    const prev = this.committed[e.index - 1];
    const zxid = makeZxid(e.term, e.counter);
    if (prev && makeZxid(prev.term, prev.counter) >= zxid) fail(`zxid of ${show(e)} does not follow ${show(prev)}`);
    this.committed[e.index] = e;
    if (e.membership) this.memberships.push({ index: e.index, membership: e.membership });
    this.applyRef(e, zxid);
  }

  private restored(s: Server, snap: Snapshot): void {
    const known = this.committed[snap.index];
    if (!known || known.term !== snap.term || known.counter !== snap.counter) fail(`server ${s.id} restores a snapshot at ${snap.index}@${snap.term} that is not the committed log's`);
    this.note(() => `${s.id} restores the leader's snapshot at ${snap.index}`);
    s.applied = snap.index;
  }

  private applyRef(e: Entry, zxid: bigint): void {
    if (e.data === null) {
      if (zxid > this.ref.lastProcessedZxid) this.ref.lastProcessedZxid = zxid;
      return;
    }
    const txn = readTransaction(new Reader(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)));
    if (txn.zxid !== zxid) fail(`entry ${e.index} holds zxid ${formatZxid(txn.zxid)} at ${formatZxid(zxid)}`);
    const body = txn.body;
    if (body.type === OpCode.createSession) {
      if (this.created.has(txn.clientId)) fail(`session ${txn.clientId.toString(16)} created twice`);
      this.created.add(txn.clientId);
    }
    if (body.type === OpCode.closeSession) {
      // A client's close that raced its session's expiry is logged too (a close is never refused, as in
      // ZooKeeper), but must find nothing left to delete; the leader's own expiry closes a session once.
      const again = this.closed.get(txn.clientId);
      if (again !== undefined && (txn.cxid === 0 || body.paths2Delete.length > 0)) {
        fail(`session ${txn.clientId.toString(16)} closed twice, at ${formatZxid(again)} and ${formatZxid(zxid)} (cxid ${txn.cxid}, deleting [${body.paths2Delete}])`);
      }
      if (!this.created.has(txn.clientId)) fail(`session ${txn.clientId.toString(16)} closed but never created`);
      if (again === undefined) this.closed.set(txn.clientId, zxid);
    }
    this.ref.apply(txn);
    this.note(() => `commit ${e.index} ${formatZxid(zxid)} op ${body.type} ${txn.clientId.toString(16)}:${txn.cxid}`);
    this.txnAt.set(zxid, txn);
    const opId = this.writeKeys.get(`${txn.clientId}:${txn.cxid}`);
    if (opId !== undefined && txn.cxid !== 0) this.order.push(opId);
    for (const [path, states] of this.states) {
      const state = stateOf(this.ref, path);
      if (state !== states.at(-1)!.state) states.push({ zxid, state });
      const owner = this.ref.get(path)?.owner ?? 0n;
      if (owner !== 0n && !this.ref.sessions.has(owner)) fail(`${path} is owned by session ${owner.toString(16)}, which is not live (at ${formatZxid(zxid)})`);
    }
  }

  /** The committed state of `path` once everything up to `zxid` is applied. */
  private stateAt(path: string, zxid: bigint): string | null {
    const states = this.states.get(path)!;
    for (let i = states.length - 1; i >= 0; i--) if (states[i]!.zxid <= zxid) return states[i]!.state;
    return null;
  }

  // ---- the client connection shell (server.ts), one connection per client

  private dropAll(s: Server): void {
    for (const conn of [...s.conns]) this.closeConn(conn);
  }

  /** The server closes the connection; `lastWords` (a reply written before closing) reach the client first. */
  private closeConn(conn: Conn, lastWords?: () => void): void {
    if (conn.closed) return;
    conn.closed = true;
    const s = conn.server;
    s.conns.delete(conn);
    s.watches?.removeWatcher(conn);
    if (s.bySession.get(conn.sessionId) === conn) {
      s.bySession.delete(conn.sessionId);
      s.core?.disconnected(conn.sessionId);
    }
    this.toClient(conn, () => {
      lastWords?.();
      this.lost(conn.client, conn);
    });
  }

  /** Server -> client, in order after a delay; lost if the client left the connection meanwhile. */
  private toClient(conn: Conn, run: () => void): void {
    conn.lastAt = Math.max(conn.lastAt, this.sched.now() + this.rng.int(CLIENT_DELAY.min, CLIENT_DELAY.max));
    this.sched.at(conn.lastAt, () => {
      if (conn.client.conn === conn) run();
    });
  }

  /** Client -> server, in order after a delay; lost if the connection or the server went meanwhile. */
  private toServer(conn: Conn, run: (s: Server, core: QuorumCore, tree: DataTree) => void): void {
    conn.lastToServerAt = Math.max(conn.lastToServerAt, this.sched.now() + this.rng.int(CLIENT_DELAY.min, CLIENT_DELAY.max));
    this.sched.at(conn.lastToServerAt, () => {
      const s = conn.server;
      if (conn.closed || !s.up || s.incarnation !== conn.incarnation) return;
      run(s, s.core!, s.tree!);
    });
  }

  private handshake(s: Server, core: QuorumCore, tree: DataTree, conn: Conn, sessionId: bigint, lastZxidSeen: bigint): void {
    if (!s.serving) return this.closeConn(conn);
    if (lastZxidSeen > tree.lastProcessedZxid) {
      this.stats.staleRefusals++;
      this.note(() => `${s.id} refuses ${conn.client.name}: it saw ${formatZxid(lastZxidSeen)}, here is ${formatZxid(tree.lastProcessedZxid)}`);
      return this.closeConn(conn);
    }
    s.conns.add(conn);
    const now = this.now();
    if (sessionId === 0n) {
      const id = core.openSession(SESSION_TIMEOUT, now, (opened) => this.attach(conn, opened));
      if (!conn.closed && conn.sessionId === 0n) {
        conn.sessionId = id;
        s.bySession.set(id, conn);
      }
      return;
    }
    // A session this server does not know may be one whose creation it has not applied yet: it catches
    // up with the leader before calling it expired.
    if (!core.isLive(sessionId)) return core.sync(sessionId, () => !conn.closed && this.resume(s, core, tree, conn, sessionId));
    this.resume(s, core, tree, conn, sessionId);
  }

  private resume(s: Server, core: QuorumCore, tree: DataTree, conn: Conn, sessionId: bigint): void {
    if (!core.resumeSession(sessionId, SESSION_TIMEOUT, this.sched.now())) {
      const at = tree.lastProcessedZxid;
      const why = this.refusal(s);
      return this.closeConn(conn, () => this.expired(conn.client, why === 'leader' ? null : at, why === 'ledThisTerm'));
    }
    const previous = s.bySession.get(sessionId);
    if (previous && previous !== conn) this.closeConn(previous);
    this.attach(conn, sessionId);
  }

  private attach(conn: Conn, id: bigint): void {
    if (conn.closed) return;
    conn.sessionId = id;
    conn.server.bySession.set(id, conn);
    this.toClient(conn, () => this.connected(conn.client, conn, id));
  }

  private serve(s: Server, core: QuorumCore, tree: DataTree, conn: Conn, cxid: number, req: Request): void {
    const sessionId = conn.sessionId;
    core.touch(sessionId, this.sched.now());
    if (req.kind === 'write') {
      const slot = conn.replies.reserve();
      core.write({ sessionId, cxid, type: req.type, auth: conn.client.auth }, new Reader(req.body), this.now().wall, (a) => {
        conn.replies.complete(slot, () => this.written(conn.client, conn, cxid, a));
        if (req.type === OpCode.closeSession && a.applied) this.closeConn(conn);
      });
      return;
    }
    const reply = (path: string | null) => {
      // exists/getData with watch=true: the watch is set as the read is answered.
      if (path !== null && req.kind === 'read' && req.watch && !conn.closed) s.watches!.addDataWatch(path, conn);
      const r: ReadAnswer = { zxid: tree.lastProcessedZxid, state: path === null ? null : stateOf(tree, path), err: ErrorCode.ok };
      return () => this.read(conn.client, conn, cxid, r, 'follower');
    };
    if (!core.isLive(sessionId)) {
      const r: ReadAnswer = { zxid: tree.lastProcessedZxid, state: null, err: ErrorCode.sessionExpired };
      const why = this.refusal(s);
      return conn.replies.answer(() => () => this.read(conn.client, conn, cxid, r, why));
    }
    if (req.kind === 'sync') {
      // As server.ts: answered in its turn once synced, from the tree then.
      const slot = conn.replies.reserve();
      return core.sync(sessionId, () => conn.replies.completeAtTurn(slot, () => reply(null)));
    }
    conn.replies.answer(() => reply(req.path));
  }

  // ---- clients

  private connect(c: Client): void {
    if (!this.clientsRunning || c.conn !== null) return;
    const s = this.servers.get(this.rng.pick(this.ids))!;
    const conn: Conn = {
      server: s,
      incarnation: s.incarnation,
      client: c,
      sessionId: 0n,
      open: false,
      closed: false,
      replies: null!,
      lastAt: 0,
      lastToServerAt: 0,
      notify: (_type, path) => this.toClient(conn, () => this.notified(c, path)),
    };
    conn.replies = new ReplyQueue<() => void>({
      write: (deliver) => conn.closed || this.toClient(conn, deliver),
      failed: (err) => {
        throw err;
      },
    });
    c.conn = conn;
    this.note(() => `${c.name} connects to ${s.id} with session ${c.session.toString(16)}, last zxid ${formatZxid(c.lastZxidSeen)}`);
    if (!s.up) return this.lost(c, conn);
    const { session, lastZxidSeen } = c;
    this.toServer(conn, (srv, core, tree) => this.handshake(srv, core, tree, conn, session, lastZxidSeen));
    this.timeout(c, conn, () => !conn.open);
  }

  /** No answer within the read timeout: the client drops the connection and tries another server. */
  private timeout(c: Client, conn: Conn, stillWaiting: () => boolean): void {
    this.sched.after(READ_TIMEOUT_MS, () => {
      if (c.conn !== conn || !stillWaiting()) return;
      this.note(() => `${c.name} gives up on ${conn.server.id}`);
      this.closeConn(conn);
      this.lost(c, conn);
    });
  }

  private connected(c: Client, conn: Conn, id: bigint): void {
    if (c.session !== 0n && c.session !== id) fail(`${c.name} resumed session ${c.session.toString(16)} but got ${id.toString(16)}`);
    if (c.session === 0n) this.stats.sessions++;
    else this.stats.reconnects++;
    c.session = id;
    conn.open = true;
    this.note(() => `${c.name} has session ${id.toString(16)} on ${conn.server.id}`);
    this.ping(c, conn);
    this.next(c);
  }

  private lost(c: Client, conn: Conn): void {
    if (c.conn !== conn) return;
    c.conn = null;
    c.pending = [];
    // A real client sets its watches again with setWatches; this one just forgets them.
    c.watching.clear();
    this.sched.after(this.rng.int(5, 40), () => this.connect(c));
  }

  /**
   * The server says the session is gone. A follower says so from what it applied, so it must have
   * applied the session's closing (`at` is its zxid then). The leader may say so as soon as it decides
   * to expire it, and so may a write's refusal, which the leader prepared (`at` null): if that leader
   * fails before the closing commits, the session lives on until it expires again, as in ZooKeeper.
   */
  private expired(c: Client, at: bigint | null, ledThisTerm: boolean): void {
    const closedAt = this.closed.get(c.session);
    if (at !== null && !c.closing && (closedAt === undefined || closedAt > at)) {
      // Known weakness (zk-sim-findings.md F2): a server that is not the leader decides from its own
      // tracker, and one that marked the session for expiry while it led this epoch still refuses it
      // after stepping down, though that closing may never commit. Counted, not failed; any other false
      // expiry fails (one that had not applied the session's creation used to: it now syncs first).
      if (ledThisTerm) this.stats.staleLeaderExpiries++;
      else fail(`${c.name} was told its session ${c.session.toString(16)} expired by a server at ${formatZxid(at)}, but it was ${closedAt === undefined ? 'never closed' : `closed only at ${formatZxid(closedAt)}`}`);
    }
    this.stats.sessionsExpired++;
    this.note(() => `${c.name}'s session ${c.session.toString(16)} expired`);
    c.session = 0n;
    c.closing = false;
  }

  private ping(c: Client, conn: Conn): void {
    this.sched.after(PING_MS, () => {
      if (c.conn !== conn || !this.clientsRunning) return;
      if (this.sched.now() >= c.silentUntil) this.toServer(conn, (_s, core) => core.touch(conn.sessionId, this.sched.now()));
      this.ping(c, conn);
    });
  }

  private next(c: Client): void {
    const conn = c.conn;
    if (!this.clientsRunning || conn === null || c.pending.length >= c.window || c.session === 0n || conn.sessionId !== c.session) return;
    if (this.sched.now() < c.silentUntil) return void this.sched.after(c.silentUntil - this.sched.now(), () => this.next(c));
    const id = `${c.name}.${c.n++}`;
    // A close whose answer was lost with the connection is sent again on the next one; nothing else follows it.
    if (c.closing) return void (c.pending.length === 0 && this.write(c, id, OpCode.closeSession, Buffer.alloc(0), null, null));
    const roll = this.rng.next();
    const any = this.rng.pick([...PERSISTENT, ...this.ephemeralPaths()]);
    if (roll < 0.2) {
      // Clients create their own ephemeral and the persistent nodes; they change and delete any.
      const eph = `/e${this.clients.indexOf(c)}`;
      const path = this.rng.pick([...PERSISTENT, eph]);
      return this.write(c, id, OpCode.create, encode(CreateRequest, { path, data: Buffer.from(id), acl: ACL, flags: path === eph ? 1 : 0 }), path, id);
    }
    if (roll < 0.4) return this.write(c, id, OpCode.setData, encode(SetDataRequest, { path: any, data: Buffer.from(id), version: -1 }), any, id);
    if (roll < 0.5) return this.write(c, id, OpCode.delete, encode(DeleteRequest, { path: any, version: -1 }), any, null);
    if (roll < 0.58) {
      const ops: MultiOp[] = [
        { type: OpCode.create, req: { path: this.rng.pick(PERSISTENT), data: Buffer.from(id), acl: ACL, flags: 0 } },
        { type: OpCode.setData, req: { path: this.rng.pick(PERSISTENT), data: Buffer.from(id), version: -1 } },
      ];
      const w = new Writer();
      writeMultiRequest(w, ops);
      return this.write(c, id, OpCode.multi, w.toBuffer(), null, null);
    }
    if (roll < 0.6 && c.auth.length > 0) return this.reconfig(c, id);
    if (roll < 0.85) return this.send(c, { kind: 'read', path: any, bound: 0n, watch: this.rng.chance(0.5) });
    if (roll < 0.93) {
      // sync, then at once the read it is for: the read is answered after the sync, so it sees at least
      // what was committed when the sync was sent.
      this.stats.syncs++;
      const bound = this.ref.lastProcessedZxid;
      this.send(c, { kind: 'sync', bound });
      return this.send(c, { kind: 'read', path: any, bound, watch: false });
    }
    if (roll < 0.97) {
      this.note(() => `${c.name} goes silent`);
      c.silentUntil = this.sched.now() + this.rng.int(SESSION_TIMEOUT / 2, 2 * SESSION_TIMEOUT);
      return this.next(c);
    }
    c.closing = true;
    this.write(c, id, OpCode.closeSession, Buffer.alloc(0), null, null);
  }

  /**
   * Role changes, as `zkCli reconfig` sends them, keeping at least three voters: one server (promote an
   * observer, or demote a voter of five or four), or several at once, as a list of joining lines or as
   * the whole new membership (`-members`), which the leader carries out as a sequence of single-server
   * changes, possibly demoting itself last. The membership is read from the committed config, so a
   * request may be stale or collide with another; the leader decides.
   */
  private reconfig(c: Client, id: string): void {
    const voters = this.memberships.at(-1)?.membership.voters ?? this.membership.voters;
    const role = (x: number, voter: boolean) => this.server(x, voter ? 'participant' : 'observer');
    let request: { joiningServers: string; leavingServers: string; newMembers: string };
    if (this.rng.chance(0.5)) {
      const observers = this.ids.filter((x) => !voters.includes(x));
      const choices = [...observers.map((x) => role(x, true)), ...(voters.length > 3 ? voters.map((x) => role(x, false)) : [])];
      if (choices.length === 0) return this.send(c, { kind: 'read', path: this.rng.pick(PERSISTENT), bound: 0n, watch: false });
      request = { joiningServers: formatServerLine(this.rng.pick(choices)), leavingServers: '', newMembers: '' };
    } else {
      // A fresh assignment of roles: three voters or more, any of them (the leader included) may go.
      const next = this.ids.filter(() => this.rng.chance(0.7));
      for (const x of this.ids) if (next.length < 3 && !next.includes(x)) next.push(x);
      const lines = this.ids.map((x) => role(x, next.includes(x)));
      const changed = lines.filter((l) => (l.role === 'participant') !== voters.includes(l.id));
      request = this.rng.chance(0.5)
        ? { joiningServers: '', leavingServers: '', newMembers: lines.map(formatServerLine).join(',') }
        : { joiningServers: changed.map(formatServerLine).join(','), leavingServers: '', newMembers: '' };
    }
    this.stats.reconfigs++;
    this.write(c, id, OpCode.reconfig, encode(ReconfigRequest, { ...request, curConfigId: -1n }), null, null);
  }

  private write(c: Client, id: string, type: number, body: Buffer, path: string | null, data: string | null): void {
    const op: WriteOp = { id, invokedAt: this.sched.steps, ackedAt: null };
    this.history.push(op);
    this.writeKeys.set(`${c.session}:${c.cxid + 1}`, id);
    this.send(c, { kind: 'write', type, body, op, path, data });
  }

  private send(c: Client, req: Request): void {
    const conn = c.conn!;
    const cxid = ++c.cxid;
    const pending: Pending = { conn, cxid, req };
    c.pending.push(pending);
    this.note(() => `${c.name} sends ${cxid} ${req.kind}${req.kind === 'write' ? ` ${req.type} ${req.path ?? ''}` : req.kind === 'read' ? ` ${req.path}` : ''} to ${conn.server.id}`);
    this.toServer(conn, (s, core, tree) => this.serve(s, core, tree, conn, cxid, req));
    this.timeout(c, conn, () => c.pending.includes(pending));
    // Pipelined clients send the next request before this one's answer.
    if (c.pending.length < c.window) this.sched.after(this.rng.int(1, 15), () => this.next(c));
  }

  /** A watch fired: the path changed after the read that set it. */
  private notified(c: Client, path: string): void {
    const setAt = c.watching.get(path);
    if (setAt === undefined) fail(`${c.name} got a notification for ${path}, which it was not watching`);
    this.stats.notifications++;
    c.watching.delete(path);
  }

  /**
   * Each session's answers come in the order of its requests; and an answer that shows a watched path's
   * change (its zxid is at or past the change) comes after that watch's notification.
   */
  private answered(c: Client, conn: Conn, cxid: number, zxid: bigint): Request | null {
    for (const [path, setAt] of c.watching) {
      const change = this.states.get(path)!.find((x) => x.zxid > setAt);
      if (change && change.zxid <= zxid) fail(`${c.name} got an answer at ${formatZxid(zxid)} before the notification of ${path}'s change at ${formatZxid(change.zxid)} (watched since ${formatZxid(setAt)})`);
    }
    const p = c.pending[0];
    if (p === undefined || p.conn !== conn || p.cxid !== cxid) fail(`${c.name} got the answer to ${cxid} while waiting for ${p?.cxid ?? 'nothing'}`);
    c.pending.shift();
    this.sched.after(this.rng.int(1, 15), () => this.next(c));
    return p.req;
  }

  private written(c: Client, conn: Conn, cxid: number, a: WriteAnswer): void {
    const req = this.answered(c, conn, cxid, a.zxid);
    if (req?.kind !== 'write') return fail(`${c.name}'s request ${cxid} was not a write`);
    // Not strictly after: a sync pipelined before this write may be answered (in its turn) once the write applied.
    if (a.zxid < c.lastZxidSeen) fail(`${c.name}'s write ${req.op.id} answered at ${formatZxid(a.zxid)}, before ${formatZxid(c.lastZxidSeen)} it had seen`);
    c.lastZxidSeen = a.zxid;
    req.op.ackedAt = this.sched.steps;
    const txn = this.txnAt.get(a.zxid);
    if (!txn || txn.clientId !== c.session || txn.cxid !== cxid) fail(`${c.name}'s write ${req.op.id} answered with ${formatZxid(a.zxid)}, which holds ${txn ? `${txn.clientId.toString(16)}:${txn.cxid}` : 'nothing committed'}`);
    const ok = a.applied && a.result.err === ErrorCode.ok;
    if (ok && req.path !== null) {
      const state = this.stateAt(req.path, a.zxid);
      if (req.data === null ? state !== null : !state?.startsWith(`${req.data}|`)) fail(`${c.name}'s write ${req.op.id} succeeded, but ${req.path} is ${state} at ${formatZxid(a.zxid)}`);
    }
    if (!a.applied && a.err === ErrorCode.sessionExpired) this.expiredByAnswer(c, conn, null, false);
    if (req.type === OpCode.closeSession && a.applied) {
      c.session = 0n;
      c.closing = false;
    }
  }

  private read(c: Client, conn: Conn, cxid: number, r: ReadAnswer, why: Refusal): void {
    const req = this.answered(c, conn, cxid, r.zxid);
    if (req === null || req.kind === 'write') return fail(`${c.name}'s request ${cxid} was not a read`);
    if (r.err === ErrorCode.sessionExpired) return this.expiredByAnswer(c, conn, why === 'leader' ? null : r.zxid, why === 'ledThisTerm');
    if (r.zxid < c.lastZxidSeen) fail(`${c.name} read at ${formatZxid(r.zxid)} after seeing ${formatZxid(c.lastZxidSeen)}`);
    if (r.zxid > this.ref.lastProcessedZxid) fail(`${c.name} read at ${formatZxid(r.zxid)}, beyond the committed ${formatZxid(this.ref.lastProcessedZxid)}`);
    c.lastZxidSeen = r.zxid;
    if (r.zxid < req.bound) fail(`${c.name}'s ${req.kind === 'sync' ? 'sync' : 'read after a sync'} answered at ${formatZxid(r.zxid)}, before ${formatZxid(req.bound)} committed when the sync was sent`);
    if (req.kind === 'sync') return;
    this.stats.readsChecked++;
    const expected = this.stateAt(req.path, r.zxid);
    if (r.state !== expected) fail(`${c.name} read ${req.path} = ${r.state} at ${formatZxid(r.zxid)} on ${conn.server.id}; committed there: ${expected}`);
    if (req.watch) c.watching.set(req.path, r.zxid);
  }

  /** A request answered SessionExpired: the client closes the connection and starts a new session. */
  private expiredByAnswer(c: Client, conn: Conn, at: bigint | null, ledThisTerm: boolean): void {
    this.expired(c, at, ledThisTerm);
    this.closeConn(conn);
    this.lost(c, conn);
  }

  // ---- chaos

  private chaosStep(): void {
    if (!this.chaos) return;
    const up = [...this.servers.values()].filter((s) => s.up);
    const roll = this.rng.next();
    if (roll < (this.harsh ? 0.35 : 0.2) && up.length > 0) {
      const leader = up.find((s) => s.node!.status().role === 'leader');
      const victim = leader && this.rng.chance(0.5) ? leader : this.rng.pick(up);
      if (victim === leader) this.stats.leaderKills++;
      this.crash(victim, victim === leader ? 'leader kill' : 'crash');
      this.sched.after(this.harsh ? this.rng.int(5, 150) : this.rng.int(20, 600), () => {
        if (!victim.up) this.start(victim);
      });
    } else if (roll < 0.4) {
      const groups: number[][] = [[], []];
      for (const id of this.ids) groups[this.rng.int(0, 1)]!.push(id);
      this.note(() => `partition ${groups.map((g) => g.join(',')).join(' | ')}`);
      this.net.partition(groups, this.ids);
      this.sched.after(this.rng.int(50, 800), () => this.chaos && this.net.partition([this.ids], this.ids));
    } else if (roll < 0.55) {
      const s = this.rng.pick([...this.servers.values()]);
      s.disk.latency = { min: 20, max: this.rng.int(40, 250) };
      this.sched.after(this.rng.int(100, 1000), () => (s.disk.latency = NORMAL_DISK));
    } else if (roll < 0.65) {
      this.net.setDefaults({ dropRate: this.rng.next() * 0.1, duplicateRate: this.rng.next() * 0.05, delayMin: 1, delayMax: this.rng.int(2, 30) });
    } else if (roll < 0.75) {
      const from = this.rng.pick(this.ids);
      const to = this.servers.get(this.rng.pick(this.ids))!;
      this.net.setLink(from, to.id, { dropRate: this.rng.next(), duplicateRate: 0.1, delayMin: 1, delayMax: 60 });
      // A connection that breaks while both ends live: the hint is wrong, and must cost nothing.
      if (to.up && to.id !== from && this.rng.chance(0.5)) this.peerDownLater(to, from);
    } else if (roll < 0.8) {
      // The wall clock steps, either way; sessions run on the monotonic one. A member restarted after a
      // step back mints session ids from an earlier time, which the leader must refuse when known (F4).
      this.wallOffset += this.rng.int(-3_600_000, 3_600_000);
    } else if (roll < 0.9) {
      this.net.heal();
      this.net.setDefaults(CALM);
    }
    this.sched.after(this.harsh ? this.rng.int(5, 80) : this.rng.int(20, 250), () => this.chaosStep());
  }

  private heal(): void {
    this.note(() => 'heal');
    this.chaos = false;
    this.net.heal();
    this.net.setDefaults(CALM);
    for (const s of this.servers.values()) {
      s.disk.latency = NORMAL_DISK;
      if (!s.up) this.start(s);
    }
    this.healedAtStep = this.sched.steps;
  }

  // ---- invariants

  private checkDisks(): void {
    if (!this.disksChanged) return;
    this.disksChanged = false;
    // Under the membership in force at the last committed entry, and the newest leader's if it is further on.
    const top = this.committed.length - 1;
    const memberships = [this.memberships.findLast((m) => m.index <= top)?.membership ?? this.membership];
    const leader = [...this.servers.values()].filter((x) => x.up && x.node!.status().role === 'leader').sort((a, b) => b.node!.status().term - a.node!.status().term)[0];
    if (leader) memberships.push(leader.node!.status().membership);
    const wrong = committedDurability(this.committed, this.servers.values(), memberships);
    if (wrong !== null) fail(wrong);
  }

  /** Whose word a server's "session expired" is: the leader's, one that led this epoch, or a follower's. */
  private refusal(s: Server): Refusal {
    const st = s.node!.status();
    if (st.role === 'leader') return 'leader';
    return this.leaders.get(st.term) === s.id ? 'ledThisTerm' : 'follower';
  }

  /** After every input to a consensus core (the only way one becomes leader): at most one leader per epoch. */
  private checkLeader(s: Server): void {
    const st = s.node!.status();
    if (st.role !== 'leader') return;
    const other = this.leaders.get(st.term);
    if (other !== undefined && other !== s.id) fail(`two leaders in epoch ${st.term}: ${other} and ${s.id}`);
    this.leaders.set(st.term, s.id);
  }

  private finish(): EnsembleSimResult {
    const top = this.committed.length - 1;
    const up = [...this.servers.values()].filter((s) => s.up);
    const leaders = up.filter((s) => s.node!.status().role === 'leader');
    if (leaders.length !== 1) fail(`${leaders.length} leaders after healing`);
    const want = dump(this.ref);
    for (const s of up) {
      if (s.applied !== top) fail(`server ${s.id} applied ${s.applied} of ${top} after healing`);
      const got = dump(s.tree!);
      if (got !== want) fail(`server ${s.id}'s tree differs from the committed log's:\n${got}\nvs\n${want}`);
    }
    // A reconfig is atomic for clients: once settled, the membership in force is the one /zookeeper/config
    // shows (a leader that died within a multi-step change had its successor take it back).
    const shown = membershipOf(parseConfigText(this.ref.get(CONFIG_PATH)!.data!.toString(), 255).servers);
    const inForce = leaders[0]!.node!.status().membership;
    if (!sameMembership(shown, inForce)) fail(`/zookeeper/config shows ${JSON.stringify(shown)} but ${JSON.stringify(inForce)} is in force`);
    if (this.ref.sessions.size > 0) fail(`sessions [${[...this.ref.sessions.keys()].map((id) => id.toString(16))}] outlived their clients`);
    if (this.ref.ephemeralCount > 0) fail(`${this.ref.ephemeralCount} ephemerals outlived their sessions`);
    const violation = checkWriteHistory(this.history, this.order);
    if (violation !== null) fail(violation);
    const acked = this.history.filter((o) => o.ackedAt !== null);
    const ackedAfterHeal = acked.filter((o) => o.ackedAt! > this.healedAtStep).length;
    if (ackedAfterHeal === 0) fail('no write was acknowledged after healing');
    return {
      voters: this.membership.voters.length,
      observers: this.membership.learners.length,
      committed: top,
      writesAcked: acked.length,
      writesAckedAfterHeal: ackedAfterHeal,
      leaderTerms: this.leaders.size,
      events: this.sched.steps,
      lastZxid: formatZxid(this.ref.lastProcessedZxid),
      membershipChanges: this.memberships.length,
      ...this.stats,
    };
  }
}

function encode<T>(type: { write(w: Writer, v: T): void }, value: T): Buffer {
  const w = new Writer();
  type.write(w, value);
  return w.toBuffer();
}

/** What a client reading `path` learns: absent, or its data, version and owner. */
function stateOf(tree: DataTree, path: string): string | null {
  const n = tree.get(path);
  return n ? `${n.data?.toString() ?? ''}|v${n.version}|${n.owner.toString(16)}` : null;
}

function sameData(a: Entry, b: Entry): boolean {
  if (a.data === null || b.data === null) return a.data === b.data && JSON.stringify(a.membership) === JSON.stringify(b.membership);
  return Buffer.from(a.data).equals(Buffer.from(b.data));
}


function show(e: Entry): string {
  return `${e.index}@${e.term}.${e.counter}${e.data === null ? '(no-op)' : `(${e.data.length} bytes)`}`;
}

/** Every znode (path, data, versions, owner) and every session, in a fixed order. */
function dump(tree: DataTree): string {
  const nodes = [...tree.entries()].map(([p, n]) => `${p} ${n.data?.toString('hex') ?? '-'} ${n.version}/${n.cversion}/${n.aversion} ${n.czxid}/${n.mzxid}/${n.pzxid} ${n.owner}`);
  const sessions = [...tree.sessions].map(([id, t]) => `session ${id} ${t}`);
  return [...nodes.sort(), ...sessions.sort(), `zxid ${tree.lastProcessedZxid}`].join('\n');
}
