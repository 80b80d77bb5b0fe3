// A seeded simulation of a Raft ensemble (src/consensus) on the shared harness: clients propose
// writes to whichever server they reach, while the network drops, duplicates, delays and partitions
// messages, servers crash (losing unsynced writes) and restart, and disks turn slow. Invariants are
// checked after every event; when chaos ends the network heals, every server restarts, and the run
// must settle with all servers agreeing and every acknowledged write in place, linearizably.
import { consensusConfig, type ConsensusConfig } from '../../../src/consensus/config.js';
import { DurableImage } from '../../../src/consensus/durable-image.js';
import { RaftNode } from '../../../src/consensus/raft.js';
import type { Entry, HardState, Membership, Message, Persist, Snapshot } from '../../../src/consensus/types.js';
import { makeZxid, ZXID_COUNTER_MAX } from '../../../src/consensus/zxid.js';
import { describeMessage } from '../harness/raft-messages.js';
import { SimDisk } from '../harness/disk.js';
import { SimNetwork, type LinkFaults } from '../harness/network.js';
import { committedDurability } from '../harness/durability.js';
import { runPhases } from '../harness/phases.js';
import { Rng } from '../harness/rng.js';
import { Scheduler } from '../harness/scheduler.js';
import { fail, SimTrace } from '../harness/trace.js';
import { checkWriteHistory, type WriteOp } from '../harness/write-history.js';

export interface RaftSimOptions {
  seed: number;
  chaosMs: number;
  settleMs: number;
  /** Keep the last this many events for the failure message. */
  traceEvents?: number;
}

export interface RaftSimResult {
  voters: number;
  learners: number;
  reconfigs: number;
  committed: number;
  acked: number;
  ackedAfterHeal: number;
  leaderTerms: number;
  crashes: number;
  tornWrites: number;
  snapshotsSent: number;
  /** Read indexes (syncs) confirmed, each checked to cover every entry committed before it was asked. */
  readsConfirmed: number;
  dropped: number;
  events: number;
  finalHash: number;
}

const TICK_MS = 10;
const CLIENTS = 3;
const CLIENT_TIMEOUT_MS = 400;
const NORMAL_DISK = { min: 1, max: 4 };
const CALM: LinkFaults = { dropRate: 0, duplicateRate: 0, delayMin: 1, delayMax: 4 };

interface AppState {
  index: number;
  hash: number;
}

interface SimNode {
  id: number;
  up: boolean;
  core: RaftNode | null;
  /** Bumped at every crash, so the old incarnation's callbacks do nothing. */
  incarnation: number;
  disk: SimDisk<Persist>;
  image: DurableImage;
  app: AppState;
  compactEvery: number;
  /** Removed from the ensemble (or never in it yet): stopped, its disk wiped. */
  out: boolean;
  /** What it is started knowing, until its log says otherwise. */
  membership: Membership;
}

interface Pending {
  op: WriteOp;
  node: SimNode;
  incarnation: number;
  index: number;
}

interface Client {
  name: string;
  n: number;
  pending: Pending | null;
}

export class RaftSim {
  private readonly rng: Rng;
  private readonly sched = new Scheduler();
  private readonly net: SimNetwork<Message>;
  private readonly nodes = new Map<number, SimNode>();
  private readonly ids: number[];
  private readonly initial: Membership;
  private readonly config: (id: number, membership: Membership) => ConsensusConfig;
  /** Membership entries of the committed log, in order. */
  private readonly committedMemberships: Array<{ index: number; membership: Membership }> = [];
  private readonly trace: SimTrace;

  /** The committed log as servers applied it: index -> entry, filled by whoever applies first. */
  private readonly committed: Entry[] = [];
  /** The state hash after each committed index, for checking snapshots. */
  private readonly prefixHash: number[] = [0];
  private readonly leaders = new Map<number, number>();
  private readonly history: WriteOp[] = [];
  private readonly clients: Client[] = [];
  private chaos = true;
  /** Some runs crash and restart servers much more often, which is when durability bugs show. */
  private readonly harsh: boolean;
  private clientsRunning = true;
  private healedAtStep = 0;
  private disksChanged = true;
  private crashes = 0;
  private snapshotsSent = 0;
  private dropped = 0;
  private reconfigs = 0;
  /** Read indexes asked and not yet confirmed, by server, incarnation and ctx: the top committed index then. */
  private readonly reads = new Map<string, number>();
  private nextRead = 1;
  private readsConfirmed = 0;

  constructor(private readonly opt: RaftSimOptions) {
    this.rng = new Rng(opt.seed);
    this.trace = new SimTrace(this.sched, opt.traceEvents ?? 0);
    this.harsh = this.rng.chance(0.5);
    const voters = this.rng.pick([3, 3, 5]);
    const learners = this.rng.chance(0.4) ? 1 : 0;
    // One spare server, out of the ensemble until a membership change adds it.
    this.ids = Array.from({ length: voters + learners + 1 }, (_, i) => i + 1);
    this.initial = { voters: this.ids.slice(0, voters), learners: this.ids.slice(voters, voters + learners) };
    // A small counter limit in some runs, so epochs roll over under load as well.
    const zxidCounterMax = this.rng.pick([12, 40, ZXID_COUNTER_MAX]);
    const inflightMessagesMax = this.rng.int(1, 8);
    const messageBytesMax = this.rng.pick([120, 400, 64 * 1024]);
    this.config = (id, membership) =>
      consensusConfig({ id, membership, electionTicks: 10, heartbeatTicks: 2, inflightMessagesMax, messageBytesMax, entryBytesMax: 64, zxidCounterMax, uncommittedEntriesMax: 200 });
    this.net = new SimNetwork<Message>(this.sched, this.rng.fork(), CALM, (from, to, m) => this.deliver(from, to, m));
    for (const id of this.ids) {
      const node: SimNode = {
        id,
        up: false,
        core: null,
        incarnation: 0,
        disk: null!,
        image: new DurableImage(),
        app: { index: 0, hash: 0 },
        compactEvery: this.rng.int(5, 30),
        out: id === this.ids.length,
        membership: this.initial,
      };
      node.disk = new SimDisk<Persist>(this.sched, this.rng.fork(), NORMAL_DISK, (p) => this.write(node, p));
      this.nodes.set(id, node);
      if (!node.out) this.start(node);
    }
    for (let c = 0; c < CLIENTS; c++) {
      const client: Client = { name: `c${c}`, n: 0, pending: null };
      this.clients.push(client);
      this.sched.after(this.rng.int(50, 300), () => this.request(client));
    }
    this.sched.after(this.rng.int(50, 300), () => this.read());
  }

  run(): RaftSimResult {
    return this.trace.run(this.opt.seed, () => {
      // Outstanding requests time out and the last commits reach everyone while draining.
      runPhases(this.sched, { ...this.opt, drainMs: CLIENT_TIMEOUT_MS + 500 }, {
        startChaos: () => this.sched.after(200, () => this.chaosStep()),
        heal: () => this.heal(),
        stopClients: () => (this.clientsRunning = false),
        check: () => this.checkStep(),
      });
      return this.finish();
    });
  }

  // ---- servers

  private start(node: SimNode): void {
    node.up = true;
    const image = node.image.state();
    node.core = new RaftNode({ config: this.config(node.id, node.membership), random: (n) => this.rng.below(n), durable: image });
    node.app = image.snapshot ? this.restoreApp(node, image.snapshot) : { index: 0, hash: 0 };
    const incarnation = node.incarnation;
    const tick = () => {
      if (node.incarnation !== incarnation) return;
      node.core!.tick();
      this.process(node);
      this.sched.after(TICK_MS, tick);
    };
    this.sched.after(this.rng.int(1, TICK_MS), tick);
    this.process(node);
  }

  private crash(node: SimNode): void {
    this.trace.note(`crash ${node.id}`);
    this.crashes++;
    node.up = false;
    node.core = null;
    node.incarnation++;
    node.disk.crash();
    this.disksChanged = true;
    // Its sockets close: servers it can reach see their connection to it end, a moment later.
    for (const other of this.nodes.values()) {
      if (other.up && !this.net.isCut(node.id, other.id)) this.peerDownLater(other, node.id);
    }
  }

  /** `node` sees its connection to `down` close (RaftNode.peerDown): after a crash, or a blip of a live link. */
  private peerDownLater(node: SimNode, down: number): void {
    const incarnation = node.incarnation;
    this.sched.after(this.rng.int(0, 3), () => {
      if (!node.up || node.incarnation !== incarnation) return;
      this.trace.note(`${node.id} sees its connection to ${down} close`);
      node.core!.peerDown(down);
      this.process(node);
    });
  }

  private deliver(from: number, to: number, m: Message): void {
    const node = this.nodes.get(to)!;
    if (!node.up) return;
    this.trace.note(`${from}->${to} ${describeMessage(m)}`);
    node.core!.step(m);
    this.process(node);
  }

  /** Carry out what the core asks for; compaction may ask for one more round. */
  private process(node: SimNode): void {
    const core = node.core!;
    for (let round = 0; round < 100 && core.hasReady(); round++) {
      const rd = core.ready();
      this.dropped += rd.dropped.length;
      // Correct peers never send what the shape check refuses.
      for (const d of rd.dropped) if (d.reason.startsWith('malformed')) fail(`server ${node.id} refused ${describeMessage(d.message)}: ${d.reason}`);
      if (rd.persist) {
        const p = rd.persist;
        const incarnation = node.incarnation;
        node.disk.write(p, () => {
          if (node.incarnation !== incarnation) return;
          core.persisted(p.seq);
          this.process(node);
        });
      }
      for (const m of rd.send) {
        if (m.type === 'snapshot') this.snapshotsSent++;
        this.net.send(node.id, m.to, m);
      }
      if (rd.restore) node.app = this.restoreApp(node, rd.restore);
      for (const e of rd.commit) this.apply(node, e);
      for (const r of rd.reads) this.confirmed(node, r.ctx, r.index);
      if (node.app.index - core.status().snapshotIndex >= node.compactEvery) core.compact(node.app.index, encodeApp(node.app));
    }
  }

  private write(node: SimNode, p: Persist): void {
    try {
      node.image.apply(p);
    } catch (err) {
      fail(`server ${node.id}'s disk: ${(err as Error).message}`);
    }
    this.disksChanged = true;
  }

  // ---- the state machine every server applies

  private apply(node: SimNode, e: Entry): void {
    if (e.index !== node.app.index + 1) fail(`server ${node.id} applied ${e.index} after ${node.app.index}`);
    const known = this.committed[e.index];
    if (known) {
      if (known.term !== e.term || known.counter !== e.counter || idOf(known) !== idOf(e)) {
        fail(`server ${node.id} applied ${show(e)} at ${e.index}, another applied ${show(known)}`);
      }
    } else {
      if (e.index > 1 && this.committed[e.index - 1] === undefined) fail(`entry ${e.index} applied before ${e.index - 1} was known committed`);
      const prev = this.committed[e.index - 1];
      if (prev && makeZxid(prev.term, prev.counter) >= makeZxid(e.term, e.counter)) fail(`zxid of ${show(e)} does not follow ${show(prev)}`);
      this.committed[e.index] = e;
      this.prefixHash[e.index] = step(this.prefixHash[e.index - 1]!, e);
      if (e.membership) this.committedMemberships.push({ index: e.index, membership: e.membership });
    }
    node.app = { index: e.index, hash: step(node.app.hash, e) };
    if (node.app.hash !== this.prefixHash[e.index]) fail(`server ${node.id}'s state after ${e.index} differs`);
    for (const c of this.clients) {
      const p = c.pending;
      if (p === null || p.node !== node || p.incarnation !== node.incarnation || p.index !== e.index) continue;
      if (idOf(e) === p.op.id) p.op.ackedAt = this.sched.steps;
      c.pending = null;
      this.sched.after(this.rng.int(1, 20), () => this.request(c));
    }
  }

  private restoreApp(node: SimNode, s: Snapshot): AppState {
    const app = decodeApp(s.data);
    if (app.index !== s.index) fail(`server ${node.id} got a snapshot labelled ${s.index} holding state ${app.index}`);
    if (this.prefixHash[s.index] !== app.hash) fail(`server ${node.id} restored a snapshot at ${s.index} that differs from the committed log`);
    return app;
  }

  // ---- clients

  private request(client: Client): void {
    if (!this.clientsRunning) return;
    const target = this.rng.pick(this.ids.filter((id) => !this.nodes.get(id)!.out));
    const op: WriteOp = { id: `${client.name}.${client.n++}`, invokedAt: this.sched.steps, ackedAt: null };
    this.sched.after(this.rng.int(1, 5), () => {
      const node = this.nodes.get(target)!;
      if (!node.up) return this.sched.after(this.rng.int(5, 30), () => this.request(client));
      const r = node.core!.propose(new TextEncoder().encode(op.id));
      this.process(node);
      // A refusal means the write is certainly not in the log: the client tries elsewhere.
      if (!r.ok) return this.sched.after(this.rng.int(5, 30), () => this.request(client));
      this.history.push(op);
      const pending: Pending = { op, node, incarnation: node.incarnation, index: r.index };
      client.pending = pending;
      this.sched.after(CLIENT_TIMEOUT_MS, () => {
        if (client.pending !== pending) return;
        client.pending = null;
        this.request(client);
      });
    });
  }

  /**
   * A sync asked of a random server: only a leader takes it, and whenever it confirms it, its index must
   * reach every entry some server applied before the sync was asked (a deposed leader unaware of it
   * would answer from a log a newer leader has overtaken).
   */
  private read(): void {
    if (!this.clientsRunning) return;
    const up = [...this.nodes.values()].filter((n) => n.up);
    if (up.length > 0) {
      const node = this.rng.pick(up);
      const ctx = this.nextRead++;
      if (node.core!.readIndex(ctx)) {
        this.reads.set(`${node.id}:${node.incarnation}:${ctx}`, this.committed.length - 1);
        this.process(node);
      }
    }
    this.sched.after(this.rng.int(50, 250), () => this.read());
  }

  private confirmed(node: SimNode, ctx: number, index: number): void {
    const key = `${node.id}:${node.incarnation}:${ctx}`;
    const bound = this.reads.get(key);
    if (bound === undefined) fail(`server ${node.id} confirmed read ${ctx}, which it was never asked`);
    this.reads.delete(key);
    if (index < bound) fail(`server ${node.id} confirmed read ${ctx} at index ${index}, but ${bound} was committed before it was asked`);
    this.readsConfirmed++;
  }

  // ---- chaos

  private chaosStep(): void {
    if (!this.chaos) return;
    const up = [...this.nodes.values()].filter((n) => n.up);
    const roll = this.rng.next();
    if (roll < (this.harsh ? 0.4 : 0.25) && up.length > 0) {
      const victim = this.rng.pick(up);
      this.crash(victim);
      this.sched.after(this.harsh ? this.rng.int(5, 150) : this.rng.int(20, 800), () => {
        if (!victim.up && !victim.out) this.start(victim);
      });
    } else if (roll < 0.45) {
      const groups: number[][] = [[], []];
      for (const id of this.ids) groups[this.rng.int(0, 1)]!.push(id);
      this.trace.note(`partition ${groups.map((g) => g.join(',')).join(' | ')}`);
      this.net.partition(groups, this.ids);
      this.sched.after(this.rng.int(50, 1000), () => this.chaos && this.net.partition([this.ids], this.ids));
    } else if (roll < 0.6) {
      const node = this.rng.pick([...this.nodes.values()]);
      node.disk.latency = { min: 20, max: this.rng.int(40, 300) };
      this.sched.after(this.rng.int(100, 1500), () => (node.disk.latency = NORMAL_DISK));
    } else if (roll < 0.7) {
      this.reconfigure();
    } else if (roll < 0.8) {
      this.net.setDefaults({
        dropRate: this.rng.next() * 0.15,
        duplicateRate: this.rng.next() * 0.05,
        delayMin: 1,
        delayMax: this.rng.int(2, 40),
      });
    } else if (roll < 0.9) {
      const from = this.rng.pick(this.ids);
      const to = this.rng.pick(this.ids);
      this.net.setLink(from, to, { dropRate: this.rng.next(), duplicateRate: 0.1, delayMin: 1, delayMax: 80 });
      // A connection that breaks while both ends live: the hint is wrong, and must cost nothing.
      const node = this.nodes.get(to)!;
      if (node.up && to !== from && this.rng.chance(0.5)) this.peerDownLater(node, from);
    } else {
      this.net.heal();
      this.net.setDefaults(CALM);
    }
    this.sched.after(this.harsh ? this.rng.int(5, 100) : this.rng.int(20, 300), () => this.chaosStep());
  }

  /**
   * Through the current leader, change one server: promote a learner, demote a voter, remove a learner
   * (which is then stopped and wiped, as an operator decommissions it), or add the out server back
   * with an empty disk.
   */
  private reconfigure(): void {
    const leader = [...this.nodes.values()]
      .filter((n) => n.up && n.core!.status().role === 'leader')
      .sort((a, b) => b.core!.status().term - a.core!.status().term)[0];
    if (!leader) return;
    const { voters, learners } = leader.core!.status().membership;
    const out = [...this.nodes.values()].filter((n) => n.out);
    const choices: Array<() => void> = [];
    const change = (type: 'addVoter' | 'addLearner' | 'remove', id: number): boolean => {
      const r = leader.core!.proposeMembership({ type, id });
      this.process(leader);
      if (r.ok) {
        this.reconfigs++;
        this.trace.note(`reconfig ${type} ${id} at ${r.index}`);
      }
      return r.ok;
    };
    const upLearners = learners.filter((id) => this.nodes.get(id)!.up);
    if (upLearners.length > 0) choices.push(() => change('addVoter', this.rng.pick(upLearners)));
    if (voters.length > 1) choices.push(() => change('addLearner', this.rng.pick(voters)));
    if (learners.length > 0) {
      choices.push(() => {
        const node = this.nodes.get(this.rng.pick(learners))!;
        if (!change('remove', node.id)) return;
        if (node.up) this.crash(node);
        node.out = true;
        node.image = new DurableImage();
      });
    }
    if (out.length > 0) {
      choices.push(() => {
        const node = this.rng.pick(out);
        if (!change('addLearner', node.id)) return;
        node.out = false;
        node.membership = leader.core!.status().membership;
        this.start(node);
      });
    }
    if (choices.length > 0) this.rng.pick(choices)();
  }

  private heal(): void {
    this.trace.note('heal');
    this.chaos = false;
    this.net.heal();
    this.net.setDefaults(CALM);
    for (const node of this.nodes.values()) {
      node.disk.latency = NORMAL_DISK;
      if (!node.up && !node.out) this.start(node);
    }
    this.healedAtStep = this.sched.steps;
  }

  // ---- invariants

  private checkStep(): void {
    for (const node of this.nodes.values()) {
      if (!node.up) continue;
      const s = node.core!.status();
      if (s.role !== 'leader') continue;
      const other = this.leaders.get(s.term);
      if (other !== undefined && other !== node.id) fail(`two leaders in term ${s.term}: ${other} and ${node.id}`);
      this.leaders.set(s.term, node.id);
    }
    if (this.disksChanged) {
      this.disksChanged = false;
      this.checkDisks();
    }
  }

  /** The committed log is durable (harness/durability.ts), and snapshots hold the committed state. */
  private checkDisks(): void {
    for (const node of this.nodes.values()) {
      const s = node.image.snapshot;
      if (s && this.prefixHash[s.index] !== decodeApp(s.data).hash) fail(`server ${node.id}'s snapshot disagrees with the committed log`);
    }
    const top = this.committed.length - 1;
    const memberships = [this.committedMemberships.findLast((m) => m.index <= top)?.membership ?? this.initial];
    const leader = [...this.nodes.values()].filter((n) => n.up && n.core!.status().role === 'leader').sort((a, b) => b.core!.status().term - a.core!.status().term)[0];
    if (leader) memberships.push(leader.core!.status().membership);
    const wrong = committedDurability(this.committed, this.nodes.values(), memberships);
    if (wrong !== null) fail(wrong);
  }

  private finish(): RaftSimResult {
    const top = this.committed.length - 1;
    const leaders = [...this.nodes.values()].filter((n) => n.up && n.core!.status().role === 'leader');
    if (leaders.length !== 1) fail(`${leaders.length} leaders after healing`);
    // Every running member has it all. (A server whose addition was never committed is no member.)
    const { voters, learners } = leaders[0]!.core!.status().membership;
    for (const node of this.nodes.values()) {
      if (!node.up || !(voters.includes(node.id) || learners.includes(node.id))) continue;
      if (node.app.index !== top) fail(`server ${node.id} applied ${node.app.index} of ${top} after healing`);
    }
    const order = this.committed.slice(1).flatMap((e) => (e.data === null ? [] : [idOf(e)!]));
    const violation = checkWriteHistory(this.history, order);
    if (violation !== null) fail(violation);
    const acked = this.history.filter((o) => o.ackedAt !== null);
    const ackedAfterHeal = acked.filter((o) => o.ackedAt! > this.healedAtStep).length;
    if (ackedAfterHeal === 0) fail('no write was acknowledged after healing');
    return {
      voters: this.initial.voters.length,
      learners: this.initial.learners.length,
      reconfigs: this.reconfigs,
      committed: top,
      acked: acked.length,
      ackedAfterHeal,
      leaderTerms: this.leaders.size,
      crashes: this.crashes,
      tornWrites: [...this.nodes.values()].reduce((n, x) => n + x.disk.tornWrites, 0),
      snapshotsSent: this.snapshotsSent,
      readsConfirmed: this.readsConfirmed,
      dropped: this.dropped,
      events: this.sched.steps,
      finalHash: this.prefixHash[top]!,
    };
  }
}

function idOf(e: Entry): string | null {
  return e.data === null ? null : new TextDecoder().decode(e.data);
}

function show(e: Entry): string {
  return `${e.index}@${e.term}.${e.counter}(${idOf(e) ?? 'no-op'})`;
}

/** FNV-1a over the write ids, so two servers' states compare in O(1). */
function step(hash: number, e: Entry): number {
  let h = (hash ^ 0x811c9dc5) >>> 0;
  h = Math.imul(h ^ e.index, 0x01000193) >>> 0;
  for (const b of e.data ?? []) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function encodeApp(app: AppState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(app));
}

function decodeApp(data: Uint8Array): AppState {
  return JSON.parse(new TextDecoder().decode(data)) as AppState;
}

