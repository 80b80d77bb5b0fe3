import { describe, expect, test } from 'vitest';
import { EPOCH_MAX, makeZxid } from '../../../src/consensus/zxid.js';
import type { Entry, Message } from '../../../src/consensus/types.js';
import { TestCluster } from './cluster.js';

/** Tick everyone and let the messages settle, `rounds` times. */
function settle(c: TestCluster, rounds = 3): void {
  for (let i = 0; i < rounds; i++) {
    c.tickAll();
    c.deliver();
  }
}

const ELECTION = 10;
const zxids = (entries: Entry[]) => entries.map((e) => makeZxid(e.term, e.counter));
const log = (c: TestCluster, id: number) => c.server(id).disk.entries.map((e) => `${e.index}@${e.term}:${c.text(e) ?? '-'}`);

describe('election', () => {
  test('a timed-out voter wins a majority, and its no-op opens epoch 1 at zxid 0x100000001', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    expect(c.core(1).status()).toMatchObject({ role: 'leader', term: 1, leader: 1 });
    settle(c);
    for (const id of [2, 3]) expect(c.core(id).status()).toMatchObject({ role: 'follower', term: 1, leader: 1, commit: 1 });
    for (const id of [1, 2, 3]) expect(zxids(c.server(id).applied)).toEqual([0x1_0000_0001n]);
  });

  test('pre-vote: a server cut off keeps its term, and rejoining does not depose the leader', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.isolate(3);
    settle(c, 5 * ELECTION);
    // It campaigned over and over, but only in pre-votes, which change no term.
    expect(c.sent.some((m) => m.from === 3 && m.type === 'preVote')).toBe(true);
    expect(c.sent.some((m) => m.from === 3 && m.type === 'vote')).toBe(false);
    expect(c.core(3).status().term).toBe(1);
    c.heal();
    settle(c, 3);
    for (const id of [1, 2, 3]) expect(c.core(id).status()).toMatchObject({ term: 1, leader: 1 });
  });

  test('a vote request from someone else is ignored while the leader is heard (leader lease)', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.core(2).step({ type: 'vote', from: 3, to: 2, term: 5, lastIndex: 9, lastTerm: 4 });
    c.flush(2);
    expect(c.core(2).status()).toMatchObject({ term: 1, leader: 1 });
    expect(c.server(2).dropped.at(-1)).toMatch(/vote from 3 while leader 1 is alive/);
  });

  test('a follower whose connection to its leader closed campaigns within half an election timeout, and the others, having seen theirs close, vote for it', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.isolate(1); // killed: its sockets close on both followers
    c.core(2).peerDown(1);
    c.core(3).peerDown(1);
    // Another server's close changes nothing.
    c.core(3).peerDown(2);
    let ticks = 0;
    while (c.core(2).status().role === 'follower' && ticks < ELECTION) {
      c.tick(2);
      ticks++;
    }
    expect(ticks).toBeLessThanOrEqual(1 + ELECTION / 2);
    c.deliver();
    expect(c.core(2).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(c.core(3).status()).toMatchObject({ role: 'follower', term: 2, leader: 2 });
  });

  test('a closed connection to a leader that lives costs nothing: the pre-vote is refused by those still hearing it', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.core(2).peerDown(1);
    c.tick(2, 1 + ELECTION / 2);
    expect(c.core(2).status().role).toBe('preCandidate');
    c.deliver((m) => m.from !== 1);
    expect(c.server(3).dropped.at(-1)).toMatch(/preVote from 2 while leader 1 is alive/);
    expect(c.server(1).dropped.at(-1)).toMatch(/preVote from 2 while leader 1 is alive/);
    settle(c);
    for (const id of [1, 2, 3]) expect(c.core(id).status()).toMatchObject({ term: 1, leader: 1 });
  });

  test('check-quorum: a leader that hears from no majority for an election timeout steps down', () => {
    const c = new TestCluster([1, 2, 3], [], {}, { 3: 5 });
    c.campaign(1);
    settle(c);
    c.isolate(1);
    // The round under way counts what it heard before the cut; the next one finds nobody.
    c.tick(1, 2 * ELECTION);
    expect(c.core(1).status()).toMatchObject({ role: 'follower', term: 1, leader: 0 });
    // The others elect a new leader once their lease on the old one runs out.
    c.tick(3, ELECTION);
    c.campaign(2);
    expect(c.core(2).status()).toMatchObject({ role: 'leader', term: 2 });
    c.heal();
    settle(c);
    expect(c.core(1).status()).toMatchObject({ role: 'follower', term: 2, leader: 2 });
  });

  test('a learner (observer) never campaigns and is not counted for a commit', () => {
    const c = new TestCluster([1, 2], [3]);
    c.tick(3, 5 * ELECTION);
    expect(c.queue).toEqual([]);
    c.campaign(1);
    settle(c);
    c.isolate(2);
    const r = c.propose(1, 'a');
    if (!r.ok) throw new Error('not leader');
    settle(c);
    expect(c.server(3).disk.entries.at(-1)?.index).toBe(r.index); // the learner has it ...
    expect(c.core(1).status().commit).toBeLessThan(r.index); // ... and that is not enough
    c.heal();
    settle(c);
    for (const id of [1, 2, 3]) expect(c.server(id).applied.map((e) => c.text(e))).toEqual([null, 'a']);
    // A learner is asked for no vote.
    expect(c.sent.some((m) => m.to === 3 && (m.type === 'vote' || m.type === 'preVote'))).toBe(false);
  });

  test("synced: a leader once it commits an entry of its term, a follower once the leader's heartbeat shows it counts its log", () => {
    const c = new TestCluster([1, 2, 3]);
    c.isolate(3);
    // Votes flow, the no-op goes out, but no heartbeat yet: the followers cannot know the leader holds them.
    c.campaign(1);
    expect(c.core(1).status()).toMatchObject({ role: 'leader', synced: true });
    expect(c.core(2).status()).toMatchObject({ role: 'follower', leader: 1, synced: false });
    settle(c);
    expect(c.core(2).status().synced).toBe(true);
    // The cut-off member has no leader; once healed it is synced only after the leader heard its log.
    expect(c.core(3).status()).toMatchObject({ leader: 0, synced: false });
    c.heal();
    c.tick(1);
    c.deliver((m) => m.type !== 'heartbeatResponse' && m.type !== 'appendResponse');
    expect(c.core(3).status()).toMatchObject({ leader: 1, synced: false });
    settle(c);
    expect(c.core(3).status().synced).toBe(true);
  });
});

describe('replication', () => {
  test('followers learn a new commit point as soon as the leader commits, not at the next heartbeat', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.propose(1, 'x');
    // No tick: only the messages the proposal causes.
    c.deliver();
    for (const id of [2, 3]) expect(c.server(id).applied.map((e) => c.text(e)).at(-1)).toBe('x');
  });

  test('proposals and acknowledgements between two ready() calls cost one append per follower, larger batches as many as the window allows', () => {
    const c = new TestCluster([1, 2, 3], [], { messageBytesMax: 256, entryBytesMax: 8 });
    c.campaign(1);
    settle(c);
    const appendsTo = (id: number) => c.sent.filter((m) => m.type === 'append' && m.to === id && m.entries.length > 0).length;
    const before = appendsTo(2);
    const enc = new TextEncoder();
    for (const w of ['a', 'b', 'c']) c.core(1).propose(enc.encode(w));
    c.flush(1);
    expect(appendsTo(2) - before).toBe(1);
    // 40 entries do not fit one 256-byte message: several go at once, none waits for an acknowledgement.
    for (let i = 0; i < 40; i++) c.core(1).propose(enc.encode(`e${i}`));
    c.flush(1);
    const batch = c.sent.filter((m) => m.type === 'append' && m.to === 2).slice(-(appendsTo(2) - before - 1));
    expect(batch.length).toBeGreaterThan(1);
    expect(batch.flatMap((m) => (m.type === 'append' ? m.entries : [])).length).toBe(40);
    c.deliver();
    for (const id of [2, 3]) expect(c.server(id).applied.map((e) => c.text(e)).at(-1)).toBe('e39');
  });

  test('a deposed leader truncates its diverged uncommitted tail to the new leader\'s log', () => {
    // 3 times out later than the others: its lease on a leader lapses before it campaigns itself.
    const c = new TestCluster([1, 2, 3], [], {}, { 3: 5 });
    c.campaign(1);
    settle(c);
    c.isolate(1);
    c.propose(1, 'x1');
    c.propose(1, 'x2');
    c.deliver();
    expect(log(c, 1)).toEqual(['1@1:-', '2@1:x1', '3@1:x2']);
    c.tick(3, ELECTION);
    c.campaign(2);
    c.propose(2, 'y1');
    settle(c);
    expect(log(c, 2)).toEqual(['1@1:-', '2@2:-', '3@2:y1']);
    c.heal();
    settle(c, 4);
    for (const id of [1, 2, 3]) expect(log(c, id)).toEqual(['1@1:-', '2@2:-', '3@2:y1']);
    expect(c.server(1).applied.map((e) => c.text(e))).toEqual([null, null, 'y1']);
  });

  test('only an entry of the current term commits by counting replicas (Raft figure 8)', () => {
    // One entry per append message, so replication can be stopped between two entries.
    const c = new TestCluster([1, 2, 3], [], { messageBytesMax: 40, entryBytesMax: 8 }, { 3: 5 });
    c.campaign(1);
    settle(c);
    // Leader 1 writes x at index 2 in term 1, and nobody else gets it.
    c.isolate(1);
    c.propose(1, 'x');
    c.deliver();
    // 2 wins term 2 with 3's vote; its no-op at index 2 reaches nobody.
    c.tick(3, ELECTION);
    c.campaign(2, (m) => !(m.from === 2 && m.type === 'append'));
    expect(c.core(2).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(log(c, 2)).toEqual(['1@1:-', '2@2:-']);
    // 2 is cut off; 1 comes back, learns term 2 from 3's refusal, and wins term 3 with 3's vote.
    c.heal();
    c.isolate(2);
    c.tick(1, 2 * ELECTION);
    c.queue = [];
    // x reaches 3, the new term's no-op does not yet: x is on a majority, but only counted, not committed.
    // (The first probe carrying the no-op is refused anyway: 3 lacks index 2. Hold it once 3 has x.)
    const holdNoop = (m: Message) => !(m.type === 'append' && m.entries.some((e) => e.term === 3) && c.core(3).status().lastIndex >= 2);
    c.campaign(1, holdNoop);
    c.campaign(1, holdNoop);
    expect(c.core(1).status()).toMatchObject({ role: 'leader', term: 3 });
    expect(log(c, 3)).toEqual(['1@1:-', '2@1:x']);
    expect(c.core(1).status().commit).toBe(1);
    // It commits with the no-op of term 3 (2 could still have won term 4 and overwritten it before).
    settle(c);
    expect(c.core(1).status().commit).toBe(3);
    expect(log(c, 3)).toEqual(['1@1:-', '2@1:x', '3@3:-']);
  });

  test('a follower acknowledges an append only once it is durable; a crash loses only the unsynced', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.server(2).holdDisk = true;
    c.server(3).holdDisk = true;
    const r = c.propose(1, 'a');
    if (!r.ok) throw new Error('not leader');
    c.deliver();
    expect(c.sent.filter((m) => m.type === 'appendResponse' && m.index >= r.index)).toEqual([]);
    expect(c.core(1).status().commit).toBeLessThan(r.index);
    c.sync(2);
    c.deliver();
    expect(c.core(1).status().commit).toBe(r.index);
    // 3 crashes with the write still unsynced: it is gone from its disk, and it catches up again.
    c.restart(3);
    expect(log(c, 3)).toEqual(['1@1:-']);
    settle(c);
    expect(log(c, 3)).toEqual(['1@1:-', '2@1:a']);
  });

  test('a follower whose disk stalls holds nobody back: the others commit and apply past its append window', () => {
    const c = new TestCluster([1, 2, 3, 4, 5], [], { inflightMessagesMax: 4 });
    c.campaign(1);
    settle(c);
    c.server(5).holdDisk = true;
    // Far more appends than the slow follower's window; a slow disk on a second one still leaves a majority.
    c.server(4).holdDisk = true;
    for (let i = 0; i < 40; i++) {
      c.propose(1, `w${i}`);
      c.deliver();
    }
    const last = c.core(1).status().lastIndex;
    expect(c.core(1).status().commit).toBe(last);
    for (const id of [2, 3]) expect(c.server(id).applied.at(-1)?.index).toBe(last);
    expect(c.server(5).disk.entries.length).toBeLessThan(2);
    // Its disk catches up: so does it, without the others waiting for it meanwhile.
    c.server(4).holdDisk = false;
    c.server(5).holdDisk = false;
    c.sync(4);
    c.sync(5);
    settle(c, 4);
    for (const id of [4, 5]) expect(c.server(id).applied.at(-1)?.index).toBe(last);
  });

  test('a candidate asks for votes only once its new term and self-vote are durable', () => {
    const c = new TestCluster([1, 2, 3]);
    c.server(1).holdDisk = true;
    c.campaign(1);
    expect(c.core(1).status().role).toBe('candidate');
    expect(c.queue.filter((m) => m.type === 'vote')).toEqual([]);
    c.sync(1);
    expect(c.queue.filter((m) => m.type === 'vote').map((m) => m.to)).toEqual([2, 3]);
  });

  test('a vote is granted only once it is durable; a crash before that forgets it, and nobody heard it', () => {
    const c = new TestCluster([1, 2, 3]);
    c.server(3).holdDisk = true;
    c.isolate(2);
    c.campaign(1);
    expect(c.core(1).status().role).toBe('candidate');
    expect(c.sent.filter((m) => m.type === 'voteResponse' && m.from === 3)).toEqual([]);
    // 3 crashes before its vote reaches the disk: it may vote again in term 1, which is safe only
    // because 1 never learnt of the first vote.
    c.restart(3);
    expect(c.server(3).disk.hardState).toMatchObject({ term: 0, vote: 0 });
    c.heal();
    c.isolate(1);
    c.campaign(2);
    expect(c.core(2).status()).toMatchObject({ role: 'leader', term: 1 });
    expect(c.core(1).status().role).toBe('candidate');
  });

  test('a server whose entries were compacted away catches up from a snapshot, then by entries', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.isolate(3);
    for (const w of ['a', 'b', 'c', 'd']) c.propose(1, w);
    settle(c);
    const applied = c.core(1).status().applied;
    expect(applied).toBe(5);
    const state = new TextEncoder().encode('state-after-5');
    c.core(1).compact(applied, state);
    c.flush(1);
    expect(c.server(1).disk.snapshot?.index).toBe(5);
    expect(c.server(1).disk.entries).toEqual([]);
    c.heal();
    settle(c);
    expect(c.sent.filter((m) => m.type === 'snapshot' && m.to === 3)).toHaveLength(1);
    expect(c.server(3).restored.map((s) => [s.index, new TextDecoder().decode(s.data)])).toEqual([[5, 'state-after-5']]);
    expect(c.server(3).disk.snapshot?.index).toBe(5);
    c.propose(1, 'e');
    settle(c);
    expect(c.server(3).applied.map((e) => c.text(e))).toEqual([null, 'e']); // the no-op from before the cut, then past the snapshot
    expect(c.core(3).status()).toMatchObject({ commit: 6, applied: 6 });
  });

  test('a snapshot gets snapshotTimeoutTicks (initLimit) to be acknowledged before the leader probes again', () => {
    /** Ticks from the snapshot to the leader's next append to server 3, whose acknowledgements are lost. */
    const probeAfter = (overrides: { snapshotTimeoutTicks?: number }) => {
      const c = new TestCluster([1, 2, 3], [], overrides);
      c.campaign(1);
      settle(c);
      c.isolate(3);
      for (const w of ['a', 'b', 'c', 'd']) c.propose(1, w);
      settle(c);
      c.core(1).compact(c.core(1).status().applied, new TextEncoder().encode('s'));
      c.flush(1);
      c.heal();
      // Its refusals get through (so the leader finds it needs the snapshot); its acknowledgements do not.
      const lostAck = (m: Message) => !(m.from === 3 && m.type === 'appendResponse' && !m.reject);
      let snapshotAt = -1;
      for (let t = 0; t < 100; t++) {
        const before = c.sent.length;
        c.tickAll();
        c.deliver(lostAck);
        const sent = c.sent.slice(before).filter((m) => m.to === 3);
        if (snapshotAt < 0 && sent.some((m) => m.type === 'snapshot')) snapshotAt = t;
        else if (snapshotAt >= 0 && sent.some((m) => m.type === 'append' || m.type === 'snapshot')) return t - snapshotAt;
      }
      return Infinity;
    };
    expect(probeAfter({})).toBeLessThanOrEqual(ELECTION + 1);
    const slow = probeAfter({ snapshotTimeoutTicks: 40 });
    expect(slow).toBeGreaterThanOrEqual(40);
    expect(slow).toBeLessThanOrEqual(41);
  });

  test('followers() tells how many ticks ago the leader heard from each member', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    expect(c.core(1).followers().map((f) => f.heardTicksAgo)).toEqual([0, 0]);
    c.isolate(3);
    settle(c, 4);
    expect(Object.fromEntries(c.core(1).followers().map((f) => [f.id, f.heardTicksAgo]))).toEqual({ 2: 0, 3: 4 });
  });

  test('a spent zxid counter makes the leader start a new epoch at once', () => {
    const c = new TestCluster([1, 2, 3], [], { zxidCounterMax: 3 });
    c.campaign(1);
    settle(c);
    expect(c.propose(1, 'a')).toMatchObject({ ok: true, term: 1, counter: 2 });
    expect(c.propose(1, 'b')).toMatchObject({ ok: true, term: 1, counter: 3 });
    expect(c.core(1).status().role).toBe('candidate');
    expect(c.propose(1, 'c')).toMatchObject({ ok: false, reason: 'not-leader' });
    // Its followers still hold it as leader, and let its own vote request through their lease.
    c.deliver();
    expect(c.core(1).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(c.propose(1, 'c')).toMatchObject({ ok: true, term: 2, counter: 2 });
    settle(c);
    for (const id of [1, 2, 3]) {
      expect(zxids(c.server(id).applied)).toEqual([0x1_0000_0001n, 0x1_0000_0002n, 0x1_0000_0003n, 0x2_0000_0001n, 0x2_0000_0002n]);
    }
    expect(c.core(2).status().lastZxid).toBe(0x2_0000_0002n);
  });

  test('in the last epoch a spent counter ends leadership, and no one campaigns past it', () => {
    const c = new TestCluster([1, 2, 3], [], { zxidCounterMax: 3 });
    for (const id of [1, 2, 3]) {
      c.server(id).disk.hardState = { term: EPOCH_MAX - 1, vote: 0, commit: 0 };
      c.restart(id);
    }
    c.campaign(1);
    settle(c);
    expect(c.core(1).status()).toMatchObject({ role: 'leader', term: EPOCH_MAX, lastEpoch: true });
    expect(c.propose(1, 'a')).toMatchObject({ ok: true, term: EPOCH_MAX, counter: 2 });
    c.deliver();
    expect(c.propose(1, 'b')).toMatchObject({ ok: true, term: EPOCH_MAX, counter: 3 });
    expect(c.core(1).status()).toMatchObject({ role: 'follower', leader: 0, term: EPOCH_MAX });
    settle(c, 4 * ELECTION);
    for (const id of [1, 2, 3]) {
      expect(c.core(id).status()).toMatchObject({ role: 'follower', leader: 0, term: EPOCH_MAX, lastEpoch: true });
      // Every zxid handed out is positive as a signed 64-bit value, as clients read it.
      for (const z of zxids(c.server(id).disk.entries)) expect(BigInt.asIntN(64, z)).toBe(z);
    }
    expect(c.sent.filter((m) => m.term > EPOCH_MAX)).toEqual([]);
    expect(c.propose(1, 'c')).toMatchObject({ ok: false, reason: 'not-leader' });
    expect(c.server(2).applied.map((e) => c.text(e))).toEqual([null, 'a']);
  });
});

describe('read index (sync)', () => {
  test('a leader confirms a read once a majority echoed a heartbeat round started after it, with its last index then', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.propose(1, 'x');
    expect(c.core(1).readIndex(7)).toBe(true);
    c.flush(1);
    // Nothing before the echoes: a heartbeat of the new round went out to both followers.
    expect(c.server(1).reads).toEqual([]);
    expect(c.queue.filter((m) => m.type === 'heartbeat').map((m) => m.type === 'heartbeat' && m.round)).toEqual([1, 1]);
    c.deliver((m) => m.type !== 'heartbeatResponse' || m.from === 2);
    expect(c.server(1).reads).toEqual([{ ctx: 7, index: 2 }]);
    // Not a leader: refused.
    expect(c.core(2).readIndex(1)).toBe(false);
  });

  test('reads asked while a round is in flight wait for the next round; an echo of an older round confirms nothing', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.core(1).readIndex(1);
    c.flush(1);
    const firstRound = c.queue.splice(0);
    c.core(1).readIndex(2);
    c.flush(1);
    expect(c.queue).toEqual([]);
    // Round 1's echoes confirm read 1 only, and start round 2 for read 2.
    c.queue = firstRound;
    c.deliver((m) => m.type !== 'heartbeat' || m.round === 1);
    expect(c.server(1).reads.map((r) => r.ctx)).toEqual([1]);
    c.deliver();
    expect(c.server(1).reads.map((r) => r.ctx)).toEqual([1]);
    const round2 = c.sent.filter((m) => m.type === 'heartbeat' && m.round === 2);
    expect(round2.length).toBe(2);
    for (const m of round2) c.queue.push(m);
    c.deliver();
    expect(c.server(1).reads.map((r) => r.ctx)).toEqual([1, 2]);
  });

  test('a leader deposed without knowing it never confirms a read; its queued reads go when it steps down', () => {
    const c = new TestCluster([1, 2, 3], [], {}, { 3: 5 });
    c.campaign(1);
    settle(c);
    c.isolate(1);
    c.tick(3, ELECTION);
    c.campaign(2);
    c.propose(2, 'y');
    settle(c);
    expect(c.core(1).status()).toMatchObject({ role: 'leader', term: 1 });
    expect(c.core(1).readIndex(9)).toBe(true);
    c.flush(1);
    c.deliver();
    c.tick(1, 2);
    c.deliver();
    expect(c.server(1).reads).toEqual([]);
    // Healed: the others answer in term 2, and the old leader steps down with the read unconfirmed.
    c.heal();
    c.tick(1, 2);
    c.deliver();
    settle(c, 2);
    expect(c.core(1).status()).toMatchObject({ role: 'follower', term: 2, leader: 2 });
    expect(c.server(1).reads).toEqual([]);
  });

  test('a single voter confirms at once; at readsPendingMax unconfirmed reads more are refused', () => {
    const one = new TestCluster([1]);
    one.campaign(1);
    expect(one.core(1).readIndex(3)).toBe(true);
    one.flush(1);
    expect(one.server(1).reads).toEqual([{ ctx: 3, index: 1 }]);
    const c = new TestCluster([1, 2, 3], [], { readsPendingMax: 2 });
    c.campaign(1);
    settle(c);
    c.isolate(1);
    expect([1, 2, 3].map((ctx) => c.core(1).readIndex(ctx))).toEqual([true, true, false]);
  });
});

describe('bad input', () => {
  test('messages from unknown servers, for other servers, or of an old term are dropped with a reason', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    const before = c.core(2).status();
    c.core(2).step({ type: 'vote', from: 9, to: 2, term: 7, lastIndex: 99, lastTerm: 7 });
    c.core(2).step({ type: 'heartbeat', from: 1, to: 3, term: 7, commit: 99, round: 0 });
    c.core(2).step({ type: 'append', from: 3, to: 2, term: 0, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 });
    c.core(2).step({ type: 'heartbeat', from: 9, to: 2, term: 0, commit: 0, round: 0 });
    c.flush(2);
    expect(c.server(2).dropped).toEqual(['from unknown server 9', 'addressed to server 3', 'stale term 0 < 1', 'from unknown server 9']);
    expect(c.core(2).status()).toEqual(before);
    // The stale sender is told the current term, so a deposed leader learns it is one.
    expect(c.queue.at(-1)).toMatchObject({ type: 'appendResponse', from: 2, to: 3, term: 1, reject: true });
  });
});

describe('malformed messages', () => {
  const entry = (index: number, term: number, counter: number) => ({ index, term, counter, data: null });
  test.each([
    [{ type: 'append', prevIndex: 1, prevTerm: 1, entries: [entry(3, 1, 2)], commit: 1 }, /entry 3 does not follow 1/],
    [{ type: 'append', prevIndex: 1, prevTerm: 1, entries: [entry(2, 2, 1), entry(3, 1, 2)], commit: 1 }, /entry 3 has term 1 after 2/],
    [{ type: 'append', prevIndex: 1, prevTerm: 1, entries: [entry(2, 9, 1)], commit: 1 }, /entry 2 has term 9 after 1, from a leader of 2/],
    [{ type: 'append', prevIndex: 1, prevTerm: 1, entries: [entry(2, 2, 1), entry(3, 2, 5)], commit: 1 }, /entry 3 has counter 5/],
    [{ type: 'append', prevIndex: 1, prevTerm: 1, entries: [entry(2, 2, 4)], commit: 1 }, /entry 2 has counter 4/],
    [{ type: 'append', prevIndex: -1, prevTerm: 1, entries: [], commit: 1 }, /previous entry out of range/],
    [{ type: 'heartbeat', commit: Number.NaN, round: 0 }, /commit out of range/],
    [{ type: 'heartbeat', commit: 0, round: -1 }, /read round out of range/],
    [{ type: 'vote', lastIndex: 1.5, lastTerm: 1 }, /last entry out of range/],
  ])('%o is dropped, not applied', (fields, reason) => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    const before = c.core(2).status();
    c.core(2).step({ from: 1, to: 2, term: 2, ...fields } as Message);
    c.flush(2);
    expect(c.server(2).dropped.at(-1)).toMatch(reason);
    expect(c.core(2).status()).toEqual(before);
  });

  test('a term beyond the last epoch (its zxids would be negative longs) is refused', () => {
    const c = new TestCluster([1, 2, 3]);
    c.core(2).step({ type: 'heartbeat', from: 1, to: 2, term: 2 ** 32, commit: 0, round: 0 });
    c.core(2).step({ type: 'vote', from: 1, to: 2, term: 2 ** 31, lastIndex: 0, lastTerm: 0 });
    c.flush(2);
    expect(c.server(2).dropped).toEqual(['malformed heartbeat: term 4294967296 out of range', 'malformed vote: term 2147483648 out of range']);
    expect(c.core(2).status().term).toBe(0);
  });
});
