// The Raft-driving runtime of one ensemble server: the pure consensus core (src/consensus/raft.ts) with
// the three things it lacks, a clock (a tick timer), a network (the peer transport) and a disk (Raft
// storage). It knows nothing of ZooKeeper: committed entries, snapshots to restore, shell messages and
// role changes go to the application (quorum-core.ts through the ensemble server), which proposes
// entries back. Inputs (messages, ticks, proposals, writes made durable) are followed by draining the
// core's ready() in a loop once per iteration of the event loop, after its poll phase (setImmediate):
// everything every socket read of the iteration brought in or proposed shares one Persist (group
// commit), one append per follower and one acknowledgement back, instead of one of each per read.
import type { PeerShellMessage, PeerWireMessage } from '../../../protocol/consensus/messages.js';
import { consensusConfig } from '../../consensus/config.js';
import { RaftNode, type RaftStatus } from '../../consensus/raft.js';
import type { Entry, Membership, MembershipChange, NodeId, ProposeResult, ReadState, Snapshot } from '../../consensus/types.js';
import type { Logger } from '../../logger.js';
import type { HostPort } from '../ensemble-config.js';
import type { QuorumTls } from '../tls-config.js';
import type { RaftStorage } from './raft-storage.js';
import { drainReady, isShellMessage, RoleWatch, suspiciousDrop } from './peer-runtime.js';
import { PeerTransport } from './transport.js';

/** What the runtime hands the application. */
export interface PeerApp {
  /** Committed entries, in log order, each once. */
  apply(entries: readonly Entry[]): void;
  /** Replace the whole state with the snapshot's (a leader sent one: this server lagged too far). */
  restore(snapshot: Snapshot): void;
  shell(message: PeerShellMessage): void;
  /** Consensus confirmed this server led after these reads were asked (RaftNode.readIndex). */
  readsConfirmed(reads: readonly ReadState[]): void;
  /** Role, term or leader changed. */
  changed(status: RaftStatus): void;
  /** Once per tick, after the core's. */
  tick(): void;
}

export interface PeerTiming {
  /** Milliseconds per consensus tick. */
  readonly tickMs: number;
  /** Ticks without a leader before a voter campaigns (each timeout drawn from [n, 2n)). */
  readonly electionTicks: number;
  /** initLimit: ticks a leader gives a snapshot it sent to be acknowledged before trying again. */
  readonly snapshotTimeoutTicks: number;
  /** syncLimit: ticks within which a leader must have heard from a follower to count it as synced. */
  readonly syncTicks: number;
}

/**
 * Consensus timing from zoo.cfg's tickTime, initLimit and syncLimit (the two limits are in units of
 * tickTime, as in ZooKeeper, and become consensus ticks here). ZooKeeper's followers notice a dead leader by a closed
 * socket and elect in a few hundred ms, whatever tickTime is (2 s in most configs); Raft notices by
 * silence, so its tick is a fraction of tickTime, kept between 20 and 50 ms: an election timeout of
 * 8 ticks (8-16 ticks drawn) is 0.4-0.8 s at tickTime >= 1 s, short enough to fail over in under a
 * second and long enough that a loaded event loop does not depose a live leader.
 */
export function peerTiming(tickTime: number, initLimit: number, syncLimit: number): PeerTiming {
  const tickMs = Math.min(50, Math.max(20, Math.round(tickTime / 20)));
  const ticks = (limit: number) => Math.max(1, Math.ceil((limit * tickTime) / tickMs));
  return { tickMs, electionTicks: 8, snapshotTimeoutTicks: ticks(initLimit), syncTicks: ticks(syncLimit) };
}

/**
 * On a leader, the other members ZooKeeper would call synced: entries stream to them and they answered
 * within syncLimit. Reconfiguration counts them (NewConfigNoQuorum) and mntr reports the voters among them.
 */
export function syncedFollowers(node: RaftNode, syncTicks: number): NodeId[] {
  return node.followers().filter((f) => f.replicating && f.heardTicksAgo <= syncTicks).map((f) => f.id);
}

/** Without a leader for longer than the longest election timeout, a member stops serving clients. */
export function leaderlessMaxMs(timing: Pick<PeerTiming, 'tickMs' | 'electionTicks'>): number {
  return 2 * timing.electionTicks * timing.tickMs;
}

export interface QuorumPeerOptions {
  readonly myid: NodeId;
  readonly membership: Membership;
  readonly configVersion: bigint;
  readonly listen: HostPort;
  readonly peers: ReadonlyMap<NodeId, HostPort>;
  readonly timing: PeerTiming;
  /** Largest entry payload (a ZooKeeper transaction). */
  readonly entryBytesMax: number;
  readonly storage: RaftStorage;
  readonly log: Logger;
  /** TLS between servers (sslQuorum / portUnification). */
  readonly tls?: QuorumTls;
}

export class QuorumPeer {
  readonly node: RaftNode;
  private readonly transport: PeerTransport;
  private app: PeerApp | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private readonly roles: RoleWatch;
  private stopped = false;

  constructor(private readonly opts: QuorumPeerOptions) {
    this.node = new RaftNode({
      config: consensusConfig({
        id: opts.myid,
        membership: opts.membership,
        electionTicks: opts.timing.electionTicks,
        snapshotTimeoutTicks: opts.timing.snapshotTimeoutTicks,
        heartbeatTicks: 1,
        entryBytesMax: opts.entryBytesMax,
        messageBytesMax: Math.max(opts.entryBytesMax, 1024 * 1024),
      }),
      random: (n) => Math.floor(Math.random() * n),
      durable: opts.storage.durable,
    });
    this.transport = new PeerTransport({
      myid: opts.myid,
      configVersion: opts.configVersion,
      listen: opts.listen,
      peers: opts.peers,
      log: opts.log,
      ...(opts.tls && { tls: opts.tls }),
      onMessage: (m) => this.receive(m),
      onPeerDown: (id) => this.peerDown(id),
    });
    this.roles = new RoleWatch(leaderlessMaxMs(opts.timing), performance.now());
  }

  get id(): NodeId {
    return this.opts.myid;
  }

  /** Listens for peers and starts the clock; `app` hears everything from now on. */
  async start(app: PeerApp): Promise<void> {
    this.app = app;
    await this.transport.start();
    this.timer = setInterval(() => this.tick(), this.opts.timing.tickMs);
    this.kick();
  }

  status(): RaftStatus {
    return this.node.status();
  }

  /** A leader is known, or was lately enough that this member still serves. */
  hasQuorum(): boolean {
    return this.roles.hasQuorum(performance.now());
  }

  /** How long no leader has been known (0 while one is). */
  leaderlessMs(): number {
    return this.roles.leaderlessFor(performance.now());
  }

  readIndex(ctx: number): boolean {
    const ok = this.node.readIndex(ctx);
    if (ok) this.kick();
    return ok;
  }

  propose(data: Uint8Array): ProposeResult {
    const r = this.node.propose(data);
    if (r.ok) this.kick();
    return r;
  }

  proposeMembership(change: MembershipChange, data: Uint8Array | null): ProposeResult {
    const r = this.node.proposeMembership(change, data);
    if (r.ok) this.kick();
    return r;
  }

  /** The application saved its state through `index`: log entries up to it may go. */
  compact(index: number, data: Uint8Array): void {
    this.node.compact(index, data);
    this.kick();
  }

  /** Sends a shell message, stamped with this server's id and term. */
  send(to: NodeId, message: DistributiveOmit<PeerShellMessage, 'from' | 'to' | 'term'>): void {
    // Object.assign rather than a spread followed by more properties, which V8 builds about 20 times slower.
    this.transport.send(Object.assign({}, message, { from: this.opts.myid, to, term: this.node.status().term }) as PeerShellMessage);
  }

  /** The storage made every Persist up to `seq` durable. */
  persisted(seq: number): void {
    if (this.stopped) return;
    this.node.persisted(seq);
    this.kick();
  }

  /** The servers and addresses of a new configuration: connections to new ones open, to gone ones close. */
  setPeers(peers: ReadonlyMap<NodeId, HostPort>): void {
    this.transport.setPeers(new Map([...peers].filter(([id]) => id !== this.opts.myid)));
  }

  /** See syncedFollowers(). */
  syncedFollowers(): NodeId[] {
    return syncedFollowers(this.node, this.opts.timing.syncTicks);
  }

  /** Peers with a working connection (for mntr's followers). */
  connectedPeers(): NodeId[] {
    return this.transport.peerIds().filter((id) => this.transport.stats(id).connected);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.transport.close();
  }

  private receive(m: PeerWireMessage): void {
    if (this.stopped) return;
    if (isShellMessage(m)) return this.app?.shell(m);
    this.node.step(m);
    this.kick();
  }

  private peerDown(id: NodeId): void {
    if (this.stopped) return;
    this.node.peerDown(id);
    this.kick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.node.tick();
    this.kick();
    this.app?.tick();
  }

  private kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    const app = this.app;
    if (!app || this.stopped) return;
    drainReady(this.node, {
      persist: (p) => this.opts.storage.write(p),
      send: (m) => this.transport.send(m),
      dropped: (d) => this.opts.log[suspiciousDrop(d) ? 'warn' : 'debug']({ from: d.message.from, type: d.message.type, term: d.message.term }, `dropped peer message: ${d.reason}`),
      restore: (snapshot) => app.restore(snapshot),
      apply: (entries) => app.apply(entries),
      reads: (reads) => app.readsConfirmed(reads),
    });
    // Sent now, not at the next iteration: this runs in the check phase, where new immediates wait a turn.
    this.transport.flushQueued();
    const s = this.node.status();
    if (!this.roles.changed(s, performance.now())) return;
    this.opts.log.info({ role: s.role, term: s.term, leader: s.leader, lastZxid: `0x${s.lastZxid.toString(16)}` }, 'ensemble role changed');
    app.changed(s);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
