// QuorumCore against a fake consensus link: what the leader proposes, when and how a write is answered
// on the server its client is connected to, and what happens to waiting requests when the leader changes.
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../protocol/bytes.js';
import type { PeerShellMessage } from '../../../protocol/consensus/messages.js';
import { ErrorCode, OpCode } from '../../../protocol/zookeeper/codes.js';
import { CreateRequest, ReconfigRequest } from '../../../protocol/zookeeper/records.js';
import { readTransaction, writeTransaction, type Transaction } from '../../../protocol/zookeeper/txn.js';
import type { RaftStatus } from '../../../src/consensus/raft.js';
import type { Entry, Membership, MembershipChange } from '../../../src/consensus/types.js';
import { makeZxid } from '../../../src/consensus/zxid.js';
import { DataTree } from '../../../src/znode/data-tree.js';
import { QuorumCore, type QuorumLink } from '../../../src/zookeeper/quorum/quorum-core.js';
import type { WriteAnswer } from '../../../src/zookeeper/request-core.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const now = { wall: 1_000, mono: 1_000 };

function createBody(path: string): Reader {
  const w = new Writer();
  CreateRequest.write(w, { path, data: null, acl: OPEN, flags: 0 });
  return new Reader(w.toBuffer());
}

/** A consensus link whose log is an array; entries commit when the test says so. */
class FakeLink implements QuorumLink {
  log: Entry[] = [];
  sent: { to: number; m: Record<string, unknown> }[] = [];
  role: RaftStatus['role'] = 'follower';
  membership: Membership = { voters: [1, 2, 3], learners: [] };
  changes: MembershipChange[] = [];
  term = 1;
  leader = 0;

  status(): RaftStatus {
    const last = this.log.at(-1);
    return {
      id: 1,
      role: this.role,
      term: this.term,
      leader: this.leader,
      commit: 0,
      applied: 0,
      snapshotIndex: 0,
      lastIndex: this.log.length,
      lastZxid: last ? makeZxid(last.term, last.counter) : 0n,
      membership: this.membership,
      lastEpoch: false,
      synced: this.role === 'leader' || this.leader !== 0,
    };
  }

  propose(data: Uint8Array) {
    const e = this.append(data);
    return { ok: true as const, index: e.index, term: e.term, counter: e.counter };
  }

  append(data: Uint8Array | null, term = this.term, membership?: Membership): Entry {
    const last = this.log.at(-1);
    const e: Entry = { index: this.log.length + 1, term, counter: last && last.term === term ? last.counter + 1 : 1, data, ...(membership ? { membership } : {}) };
    this.log.push(e);
    return e;
  }

  /** Read indexes asked, for the test to confirm (or not). */
  reads: number[] = [];

  readIndex(ctx: number): boolean {
    if (this.role !== 'leader') return false;
    this.reads.push(ctx);
    return true;
  }

  /** As the Raft core: the change is in force once appended. */
  proposeMembership(change: MembershipChange, data: Uint8Array | null) {
    this.changes.push(change);
    const voters = this.membership.voters.filter((v) => v !== change.id);
    const learners = this.membership.learners.filter((l) => l !== change.id);
    if (change.type === 'addVoter') voters.push(change.id);
    if (change.type === 'addLearner') learners.push(change.id);
    this.membership = { voters: voters.sort(), learners: learners.sort() };
    const e = this.append(data, this.term, this.membership);
    return { ok: true as const, index: e.index, term: e.term, counter: e.counter };
  }

  syncedFollowers(): number[] {
    return [2, 3];
  }

  send(to: number, m: Omit<PeerShellMessage, 'from' | 'to' | 'term'>): void {
    this.sent.push({ to, m: m as Record<string, unknown> });
  }

  /** Indexes the core compacted the log to. */
  compacted: number[] = [];

  compact(index: number): void {
    this.compacted.push(index);
  }
}

function setup(reconfigEnabled = false, snapshots = { snapCount: 1000, random: (_n: number) => 0 }) {
  const link = new FakeLink();
  const dropped: bigint[] = [];
  const tree = new DataTree();
  // As an ensemble member starts: /zookeeper/config lists the servers of its membership.
  tree.setEnsembleConfig(Buffer.from([1, 2, 3].map((id) => `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}:participant;127.0.0.1:${4000 + id}`).join('\n') + '\nversion=0'));
  const core = new QuorumCore(
    tree,
    link,
    { serverId: 1, tickTime: 100, extendedTypesEnabled: true, reconfigEnabled, standaloneEnabled: true, enforceQuota: false, ...snapshots },
    { trigger: () => {}, dropSessions: (ids) => dropped.push(...ids), dropAll: () => {}, configChanged: () => {}, connect: () => {} },
    now,
    0,
  );
  return { link, core, tree, dropped };
}

/** Makes `core` a leader that has applied its opening entry, with one session. */
function leaderWithSession(s: ReturnType<typeof setup>): bigint {
  s.link.role = 'leader';
  s.link.leader = 1;
  const noop = s.link.append(null);
  s.core.changed(s.link.status());
  s.core.apply([noop]);
  let opened = 0n;
  const id = s.core.openSession(4000, now, (sid) => (opened = sid));
  s.core.apply([s.link.log.at(-1)!]);
  expect(opened).toBe(id);
  return id;
}

/** A core following leader 2 in term 1, whose tree holds session 9. */
function followerWithSession9(): ReturnType<typeof setup> {
  const s = setup();
  s.link.leader = 2;
  s.core.changed(s.link.status());
  s.tree.sessions.set(9n, 4000);
  return s;
}

describe('QuorumCore', () => {
  it('snapshots after a gap drawn anew from [snapCount/2, snapCount) each time, so the servers of an ensemble do not all snapshot at one index', () => {
    const draws = [3, 0, 4];
    const asked: number[] = [];
    const s = setup(false, { snapCount: 10, random: (n) => (asked.push(n), draws.shift()!) });
    s.link.leader = 2;
    s.core.changed(s.link.status());
    for (let i = 0; i < 20; i++) s.core.apply([s.link.append(null)]);
    // Gaps 5 + 3 and 5 + 0; the third, 5 + 4, is not reached by entry 20.
    expect(s.link.compacted).toEqual([8, 13]);
    expect(asked).toEqual([5, 5, 5]);
  });

  it('refuses a reconfig for its config version and server line before checking WRITE on /zookeeper/config, as ZooKeeper does', () => {
    const s = setup(true);
    const session = leaderWithSession(s);
    const joining = 'server.100=127.0.0.1:1:2:observer;127.0.0.1:3';
    const refusals = [
      { joining, curConfigId: 5n }, // a config version that is not the current one
      { joining: 'some thing', curConfigId: -1n }, // not a server line
      { joining, curConfigId: -1n }, // valid, but this client is not the super user
      { joining: 'server.999=0.0.0.0:1234:2345:observer;3456', curConfigId: -1n }, // an id past Skein's limit: still NoAuth
    ].map(({ joining: j, curConfigId }, i) => {
      const w = new Writer();
      ReconfigRequest.write(w, { joiningServers: j, leavingServers: '', newMembers: '', curConfigId });
      s.core.write({ sessionId: session, cxid: i + 1, type: OpCode.reconfig, auth: [] }, new Reader(w.toBuffer()), 5, () => {});
      return readTransaction(new Reader(Buffer.from(s.link.log.at(-1)!.data!))).body;
    });
    // Apache ZooKeeper 3.8.0 answers these BadVersion, BadArguments, NoAuth, NoAuth (kazoo's TestReconfig).
    const answers = [ErrorCode.badVersion, ErrorCode.badArguments, ErrorCode.noAuth, ErrorCode.noAuth];
    expect(refusals).toEqual(answers.map((err) => ({ type: OpCode.error, err })));
  });

  it('on the leader, proposes a write with the zxid its entry gets and answers only once the entry is applied', () => {
    const s = setup();
    const session = leaderWithSession(s);
    const answers: WriteAnswer[] = [];
    s.core.write({ sessionId: session, cxid: 1, type: OpCode.create, auth: [] }, createBody('/a'), 5, (a) => answers.push(a));
    s.core.write({ sessionId: session, cxid: 2, type: OpCode.create, auth: [] }, createBody('/a'), 5, (a) => answers.push(a));
    expect(answers).toEqual([]);
    const [e1, e2] = s.link.log.slice(-2);
    // The refusal (NodeExists against the pending create) is a logged error transaction, in order.
    expect(readTransaction(new Reader(Buffer.from(e2!.data!))).body).toEqual({ type: OpCode.error, err: ErrorCode.nodeExists });
    s.core.apply([e1!]);
    expect(answers).toMatchObject([{ applied: true, zxid: makeZxid(1, 3) }]);
    s.core.apply([e2!]);
    expect(answers[1]).toEqual({ applied: false, zxid: makeZxid(1, 4), err: ErrorCode.nodeExists });
    expect(s.tree.get('/a')?.czxid).toBe(makeZxid(1, 3));
  });

  it('holds forwarded writes while a new leader catches up, then proposes them', () => {
    const s = setup();
    s.link.role = 'leader';
    s.link.leader = 1;
    const noop = s.link.append(null);
    s.core.changed(s.link.status());
    const w = new Writer();
    CreateRequest.write(w, { path: '/f', data: null, acl: OPEN, flags: 0 });
    // Session 7 was created in an earlier term; the new leader has not applied that yet.
    s.core.shell({ type: 'forward', from: 2, to: 1, term: 1, sessionId: 7n, cxid: 3, opType: OpCode.create, auth: [], body: w.toBuffer() }, now);
    expect(s.link.log).toHaveLength(1);
    s.tree.sessions.set(7n, 4000);
    s.core.apply([noop]);
    expect(s.link.log).toHaveLength(2);
    expect(readTransaction(new Reader(Buffer.from(s.link.log[1]!.data!)))).toMatchObject({ clientId: 7n, cxid: 3, body: { type: OpCode.create, path: '/f' } });
    // A forward sent in an earlier term (its sender has since failed it) is refused, not proposed.
    s.core.shell({ type: 'forward', from: 2, to: 1, term: 0, sessionId: 7n, cxid: 2, opType: OpCode.create, auth: [], body: w.toBuffer() }, now);
    expect(s.link.log).toHaveLength(2);
    expect(s.link.sent.at(-1)).toMatchObject({ to: 2, m: { type: 'forwardRefused', sessionId: 7n, cxid: 2, notLeader: true } });
  });

  it('on a follower, forwards a write and answers it when the matching transaction applies; a new term drops the waiting client', () => {
    const s = followerWithSession9();
    const answers: WriteAnswer[] = [];
    s.core.write({ sessionId: 9n, cxid: 1, type: OpCode.create, auth: [{ scheme: 'ip', id: '127.0.0.1' }] }, createBody('/x'), 5, (a) => answers.push(a));
    expect(s.link.sent).toMatchObject([{ to: 2, m: { type: 'forward', sessionId: 9n, cxid: 1, opType: OpCode.create, auth: [{ scheme: 'ip', id: '127.0.0.1' }] } }]);
    // The leader's transaction for it, as its log holds it.
    const leader = setup();
    leader.tree.sessions.set(9n, 4000);
    leaderWithSession(leader);
    leader.core.shell({ ...(s.link.sent[0]!.m as unknown as PeerShellMessage & { type: 'forward' }), from: 3, to: 1, term: 1 }, now);
    const entries = leader.link.log;
    s.core.apply(entries);
    expect(answers).toMatchObject([{ applied: true, result: { path: '/x' } }]);
    // A second write waits; the leader changes: its outcome is unknown, so the connection goes.
    s.core.write({ sessionId: 9n, cxid: 2, type: OpCode.create, auth: [] }, createBody('/y'), 5, (a) => answers.push(a));
    // Campaigning in vain while the leader lives (same term) changes nothing for it.
    s.link.leader = 0;
    s.core.changed(s.link.status());
    expect(s.dropped).toEqual([]);
    s.link.leader = 3;
    s.link.term = 2;
    s.core.changed(s.link.status());
    expect(s.dropped).toEqual([9n]);
  });

  it('sends writes and session openings that a leader refused as no longer leading to the next leader, in order; drops the client on any other refusal', () => {
    const s = followerWithSession9();
    const answers: number[] = [];
    const write = (cxid: number, path: string) => s.core.write({ sessionId: 9n, cxid, type: OpCode.create, auth: [] }, createBody(path), 5, () => answers.push(cxid));
    const forwards = () => s.link.sent.filter((x) => x.m.type === 'forward').map((x) => `${x.to}:${x.m.cxid}`);
    write(1, '/a');
    write(2, '/b');
    let opened = 0n;
    const opening = s.core.openSession(4000, now, (id) => (opened = id));
    expect(forwards()).toEqual(['2:1', '2:2', '2:0']);
    // Server 2 stepped down within term 1 (it demoted itself) before the first arrived: both were refused
    // unproposed. Nothing more goes to it; a later write waits behind them.
    const refusal = (sessionId: bigint, cxid: number, notLeader: boolean, { from = 2, term = 1 } = {}) => s.core.shell({ type: 'forwardRefused', from, to: 1, term, sessionId, cxid, notLeader }, now);
    refusal(9n, 1, true);
    write(3, '/c');
    refusal(9n, 2, true);
    refusal(opening, 0, true);
    expect(s.dropped).toEqual([]);
    expect(forwards()).toEqual(['2:1', '2:2', '2:0']);
    // The next leader gets them, each session's in its order, and its transactions answer them.
    s.link.leader = 3;
    s.link.term = 2;
    s.core.changed(s.link.status());
    expect(s.dropped).toEqual([]);
    expect(forwards()).toEqual(['2:1', '2:2', '2:0', '3:0', '3:1', '3:2', '3:3']);
    const leader = setup();
    leader.tree.sessions.set(9n, 4000);
    leaderWithSession(leader);
    for (const x of s.link.sent.slice(-4)) leader.core.shell({ ...(x.m as unknown as PeerShellMessage & { type: 'forward' }), from: 3, to: 1, term: 1 }, now);
    s.core.apply(leader.link.log);
    expect(answers).toEqual([1, 2, 3]);
    expect(opened).toBe(opening);

    // A write refused as not leading while an earlier one of the session may still commit: held, and if
    // that one's fate is unknown when the next leader is known, the session fails with both.
    write(4, '/d');
    write(5, '/e');
    refusal(9n, 5, true, { from: 3, term: 2 });
    // A refusal again for what is no longer waited on, or of another term, or not from the leader, changes nothing.
    refusal(9n, 5, true, { from: 3, term: 2 });
    refusal(9n, 4, false, { from: 3, term: 1 });
    refusal(9n, 4, false, { from: 2, term: 2 });
    expect(s.dropped).toEqual([]);
    s.link.leader = 2;
    s.link.term = 3;
    s.core.changed(s.link.status());
    expect(s.dropped).toEqual([9n]);
    expect(forwards().slice(-2)).toEqual(['3:4', '3:5']);
    expect(answers).toEqual([1, 2, 3]);

    // Any other refusal (overloaded, an id in use, a reconfig abandoned) drops the client: it retries.
    const t = followerWithSession9();
    t.core.write({ sessionId: 9n, cxid: 1, type: OpCode.create, auth: [] }, createBody('/a'), 5, () => {});
    t.core.shell({ type: 'forwardRefused', from: 2, to: 1, term: 1, sessionId: 9n, cxid: 1, notLeader: false }, now);
    expect(t.dropped).toEqual([9n]);
  });

  it('refuses a forward as not leading when it does not lead, or no longer leads by the time a held one runs', () => {
    const s = setup();
    s.link.leader = 2;
    s.core.changed(s.link.status());
    const forward = { type: 'forward' as const, from: 2, to: 1, term: 1, sessionId: 9n, cxid: 4, opType: OpCode.create, auth: [], body: new Uint8Array(createBody('/a').bytes(0)) };
    s.core.shell(forward, now);
    expect(s.link.sent.at(-1)).toEqual({ to: 2, m: { type: 'forwardRefused', sessionId: 9n, cxid: 4, notLeader: true } });
    // Elected, it holds forwards until it applied its opening entry; it steps down first (same term).
    s.link.role = 'leader';
    s.link.leader = 1;
    s.link.append(null);
    s.core.changed(s.link.status());
    s.core.shell({ ...forward, cxid: 5 }, now);
    expect(s.link.sent).toHaveLength(1);
    s.link.role = 'follower';
    s.link.leader = 3;
    s.core.changed(s.link.status());
    expect(s.link.sent.at(-1)).toEqual({ to: 2, m: { type: 'forwardRefused', sessionId: 9n, cxid: 5, notLeader: true } });
    expect(s.link.log).toHaveLength(1);
  });

  it('drops a client whose earlier forwarded write was lost, when a later one of its connection commits first', () => {
    const s = followerWithSession9();
    s.core.write({ sessionId: 9n, cxid: 5, type: OpCode.create, auth: [] }, createBody('/lost'), 5, () => {});
    s.core.write({ sessionId: 9n, cxid: 6, type: OpCode.create, auth: [] }, createBody('/kept'), 5, () => {});
    const w = new Writer();
    const txn: Transaction = { clientId: 9n, cxid: 6, zxid: makeZxid(1, 1), time: 5, body: { type: OpCode.error, err: ErrorCode.ok } };
    writeTransaction(w, txn);
    s.core.apply([{ index: 1, term: 1, counter: 1, data: w.toBuffer() }]);
    expect(s.dropped).toEqual([9n]);
  });

  it('answers a sync only once consensus confirms it still leads, at its last index then; unconfirmed syncs fail when it steps down', () => {
    const s = setup();
    const session = leaderWithSession(s);
    let synced = 0;
    s.core.sync(session, () => synced++);
    // A follower's sync too: its reply waits for the same confirmation.
    s.core.shell({ type: 'syncRequest', id: 4, from: 2, to: 1, term: 1 }, now);
    expect(s.link.reads).toEqual([1, 2]);
    expect(synced).toBe(0);
    expect(s.core.pendingSyncs).toBe(2);
    const last = s.link.log.length;
    s.core.readsConfirmed([{ ctx: 1, index: last }, { ctx: 2, index: last }]);
    expect(synced).toBe(1);
    expect(s.link.sent).toEqual([{ to: 2, m: { type: 'syncReply', id: 4, index: last } }]);
    // A sync at an index not yet applied waits for it.
    s.core.sync(session, () => synced++);
    s.core.readsConfirmed([{ ctx: 3, index: last + 1 }]);
    expect(synced).toBe(1);
    // Deposed (same term, check-quorum) with a sync unconfirmed: its client is dropped, never answered.
    s.core.sync(session, () => synced++);
    s.link.role = 'follower';
    s.link.leader = 0;
    s.core.changed(s.link.status());
    expect(s.dropped).toEqual([session]);
    s.core.readsConfirmed([{ ctx: 4, index: last }]);
    expect(synced).toBe(1);
    // A sync request from another term is not answered.
    const t = setup();
    leaderWithSession(t);
    t.core.shell({ type: 'syncRequest', id: 1, from: 2, to: 1, term: 0 }, now);
    expect(t.link.reads).toEqual([]);
  });

  it('refuses a createSession for an id the leader already knows (a member restarted after the clock went back), and mints past its own', () => {
    const s = setup();
    const session = leaderWithSession(s);
    // A follower whose clock went back hands out the same id again: refused, so its client reconnects.
    s.core.shell({ type: 'forward', sessionId: session, cxid: 0, opType: OpCode.createSession, auth: [], body: new Uint8Array([0, 0, 15, 160]), from: 2, to: 1, term: 1 }, now);
    expect(s.link.sent.at(-1)).toEqual({ to: 2, m: { type: 'forwardRefused', sessionId: session, cxid: 0, notLeader: false } });
    // So is an id at or below the highest its server ever had created, even once that session closed.
    const older = session - 1n;
    s.core.shell({ type: 'forward', sessionId: older, cxid: 0, opType: OpCode.createSession, auth: [], body: new Uint8Array([0, 0, 15, 160]), from: 2, to: 1, term: 1 }, now);
    expect(s.link.sent.at(-1)).toEqual({ to: 2, m: { type: 'forwardRefused', sessionId: older, cxid: 0, notLeader: false } });
    // Its own minting skips ids it knows, proposed or created.
    const clockBack = setup();
    clockBack.tree.sessions.set(session, 4000);
    leaderWithSession(clockBack);
    const ids = clockBack.link.log.flatMap((e) => (e.data ? [readTransaction(new Reader(Buffer.from(e.data))).clientId] : []));
    expect(ids).toHaveLength(1);
    expect(ids[0]).not.toBe(session);
  });

  it('holds a session\'s writes behind its sync, and lets a reconnected session write even if that sync is never answered', () => {
    const s = followerWithSession9();
    s.core.tracker.add(9n, 4000, now.mono);
    let synced = 0;
    s.core.sync(9n, () => synced++);
    s.core.write({ sessionId: 9n, cxid: 2, type: OpCode.create, auth: [] }, createBody('/after-sync'), 5, () => {});
    // Only the sync went to the leader; the write waits for it.
    expect(s.link.sent.map((x) => x.m.type)).toEqual(['syncRequest']);
    expect(s.core.outstanding).toBe(1);
    s.core.shell({ type: 'syncReply', id: 1, index: 0, from: 2, to: 1, term: 1 }, now);
    expect(synced).toBe(1);
    expect(s.link.sent.map((x) => x.m.type)).toEqual(['syncRequest', 'forward']);
    // A second sync is lost on its way: the client reconnects (here), and its new writes go at once.
    s.core.sync(9n, () => synced++);
    s.core.write({ sessionId: 9n, cxid: 4, type: OpCode.create, auth: [] }, createBody('/lost'), 5, () => {});
    expect(s.core.resumeSession(9n, 4000, now.mono)).toBe(true);
    s.core.write({ sessionId: 9n, cxid: 5, type: OpCode.create, auth: [] }, createBody('/new-conn'), 5, () => {});
    expect(s.link.sent.map((x) => x.m.type)).toEqual(['syncRequest', 'forward', 'syncRequest', 'forward']);
    expect(s.link.sent.at(-1)!.m).toMatchObject({ cxid: 5 });
  });

  it('a close held for a leader and dropped with its connection leaves the session live, so the server that then leads still expires it', () => {
    const s = setup();
    // Campaigning in term 2: no leader known, so the client's close is held here.
    s.link.term = 2;
    s.core.changed(s.link.status());
    s.tree.sessions.set(9n, 4000);
    s.core.tracker.add(9n, 4000, now.mono);
    s.core.write({ sessionId: 9n, cxid: 5, type: OpCode.closeSession, auth: [] }, new Reader(Buffer.alloc(0)), 5, () => {});
    s.core.disconnected(9n);
    expect(s.core.isLive(9n)).toBe(true);
    // It wins the election: the close was never proposed, and the silent session expires by timeout.
    s.link.role = 'leader';
    s.link.leader = 1;
    const noop = s.link.append(null);
    s.core.changed(s.link.status());
    s.core.apply([noop]);
    expect(s.link.log).toHaveLength(1);
    s.core.tick({ wall: now.wall + 5_000, mono: now.mono + 5_000 });
    expect(readTransaction(new Reader(Buffer.from(s.link.log.at(-1)!.data!)))).toMatchObject({ clientId: 9n, cxid: 0, body: { type: OpCode.closeSession } });
  });

  it('a new leader takes a membership left half-changed back to /zookeeper/config; a multi-server reconfig goes one server at a time, later writes of its session after it', () => {
    const s = setup(true);
    // The previous leader died after adding 4, before the entry with the new /zookeeper/config.
    s.link.membership = { voters: [1, 2, 3, 4], learners: [] };
    s.link.role = 'leader';
    s.link.leader = 1;
    const opening = s.link.append(null);
    s.core.changed(s.link.status());
    s.core.apply([opening]);
    expect(s.link.changes).toEqual([{ type: 'remove', id: 4 }]);
    s.core.apply([s.link.log.at(-1)!]);
    let session = 0n;
    s.core.openSession(4000, now, (id) => (session = id));
    s.core.apply([s.link.log.at(-1)!]);

    const line = (id: number) => `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}:participant;127.0.0.1:${4000 + id}`;
    const w = new Writer();
    ReconfigRequest.write(w, { joiningServers: `${line(4)},${line(5)}`, leavingServers: '', newMembers: '', curConfigId: -1n });
    const answers: string[] = [];
    const auth = [{ scheme: 'super', id: '' }];
    s.core.write({ sessionId: session, cxid: 1, type: OpCode.reconfig, auth }, new Reader(w.toBuffer()), 5, (a) => answers.push(`reconfig ${a.applied}`));
    s.core.write({ sessionId: session, cxid: 2, type: OpCode.create, auth }, createBody('/after'), 5, (a) => answers.push(`create ${a.applied}`));
    // One change in flight: the create waits behind the reconfig.
    expect(s.link.changes.slice(1)).toEqual([{ type: 'addVoter', id: 4 }]);
    const before = s.link.log.length;
    s.core.apply([s.link.log.at(-1)!]);
    expect(s.link.changes.slice(1)).toEqual([{ type: 'addVoter', id: 4 }, { type: 'addVoter', id: 5 }]);
    const [last, create] = s.link.log.slice(before);
    expect(last!.membership).toEqual({ voters: [1, 2, 3, 4, 5], learners: [] });
    expect(readTransaction(new Reader(Buffer.from(create!.data!))).body.type).toBe(OpCode.create);
    s.core.apply([last!, create!]);
    expect(answers).toEqual(['reconfig true', 'create true']);
    expect(s.tree.get('/zookeeper/config')!.data!.toString()).toMatch(/server\.5=.*\nversion=[0-9a-f]+$/);
  });

  // ZooKeeper 3.8.0's leader and followers close every client connection when the leader changes
  // (Leader.shutdown, Learner.shutdown: closeAllConnections), so its reconfig client sees ConnectionLoss.
  it('a reconfig cut short by its leader stepping down costs the client its connection, as in ZooKeeper; another one meanwhile is ReconfigInProgress', () => {
    const s = setup(true);
    const first = leaderWithSession(s);
    let second = 0n;
    s.core.openSession(4000, now, (id) => (second = id));
    s.core.apply([s.link.log.at(-1)!]);
    const line = (id: number) => `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}:participant;127.0.0.1:${4000 + id}`;
    const reconfig = (sessionId: bigint, joining: string, answers: string[]) => {
      const w = new Writer();
      ReconfigRequest.write(w, { joiningServers: joining, leavingServers: '', newMembers: '', curConfigId: -1n });
      s.core.write({ sessionId, cxid: 1, type: OpCode.reconfig, auth: [{ scheme: 'super', id: '' }] }, new Reader(w.toBuffer()), 5, (a) =>
        answers.push(a.applied ? `applied ${a.result.err}` : `refused ${a.err}`),
      );
    };
    const answers: string[] = [];
    reconfig(first, `${line(4)},${line(5)}`, answers);
    s.core.apply([s.link.log.at(-1)!]);
    expect(s.link.changes).toEqual([{ type: 'addVoter', id: 4 }, { type: 'addVoter', id: 5 }]);
    const others: string[] = [];
    reconfig(second, line(6), others);
    s.core.apply([s.link.log.at(-1)!]);
    expect(others).toEqual([`refused ${ErrorCode.reconfigInProgress}`]);
    // The first step committed, the last (with the new /zookeeper/config) is in flight when the leader
    // loses its role within the term.
    s.link.role = 'follower';
    s.link.leader = 0;
    s.core.changed(s.link.status());
    expect(answers).toEqual([]);
    expect(s.dropped).toEqual([first]);
    expect(s.tree.get('/zookeeper/config')!.data!.toString()).not.toContain('server.5=');
  });
});
