import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { replicationConfig, ReplicationConfigError } from '../../../src/consensus/replication/config.js';
import { NO_LEADER } from '../../../src/consensus/partition-replication.js';
import { ControllerModel } from '../../sim/replication/controller-model.js';
import { TestPartition } from './replication-cluster.js';

const hw = (p: TestPartition, id: number) => p.b(id).core.status().highWatermark;
/** The leader checks for laggards every half lag period, as Kafka schedules it: one and a half lags is sure to see one. */
const LAG_CHECKED = 151;

/** Leader 1 of replicas 1..3 at epoch 1 with everyone in sync. */
function threeReplicas(minIsr = 2): TestPartition {
  const p = new TestPartition([1, 2, 3], minIsr);
  p.elect(1, 1, [1, 2, 3]);
  return p;
}

describe('high watermark', () => {
  test('is the lowest log end over the ISR, learnt from followers’ next fetches', () => {
    const p = threeReplicas();
    p.produce(1, ['a', 'b', 'c'], false);
    expect(hw(p, 1)).toBe(0);
    p.fetch(2);
    p.fetch(2);
    // Follower 3 has not fetched since: the leader knows nothing of its log.
    expect(hw(p, 1)).toBe(0);
    p.fetch(3);
    expect(hw(p, 1)).toBe(0);
    p.fetch(3);
    expect(hw(p, 1)).toBe(3);
    // Followers learn it on their next fetch, capped by their own log end.
    p.fetch(2);
    expect(hw(p, 2)).toBe(3);
  });

  test('counts only what the leader has made durable', () => {
    const p = threeReplicas();
    p.b(1).holdDisk = true;
    p.produce(1, ['a', 'b'], false);
    p.settle([2, 3]);
    expect(hw(p, 1)).toBe(0);
    p.b(1).core.onDurable(2, p.now);
    expect(hw(p, 1)).toBe(2);
  });

  test('a follower reports an offset once what it appended is written, and the leader counts it before its fsync', () => {
    const p = threeReplicas();
    p.produce(1, ['a'], false);
    p.settle([3]);
    p.b(2).holdDisk = true;
    expect(p.fetch(2)?.kind).toBe('append');
    expect(p.b(2).core.fetchRequest()).toBeNull();
    p.b(2).core.onWritten(1);
    expect(p.b(2).core.fetchRequest()?.fetchOffset).toBe(1);
    p.fetch(2);
    expect(p.b(2).core.status().durableEndOffset).toBe(0);
    expect(hw(p, 1)).toBe(1);
  });

  test('a truncation takes back what was written but not yet reported', () => {
    const p = threeReplicas();
    p.produce(1, ['a', 'b'], false);
    p.b(2).holdDisk = true;
    p.fetch(2);
    p.b(2).core.onWritten(2);
    expect(p.b(2).core.status().writtenEndOffset).toBe(2);
    p.b(2).core.becomeFollower({ leader: 3, leaderEpoch: 2, isr: [2, 3], replicas: [1, 2, 3], partitionEpoch: 2 });
    expect(p.b(2).core.onFetchResponse(p.b(2).core.fetchRequest()!, { errorCode: 0, highWatermark: 0, logStartOffset: 0, divergingEpoch: { epoch: 1, endOffset: 1 }, batches: [] }).kind).toBe('truncate');
    expect(p.b(2).core.status().writtenEndOffset).toBe(1);
  });
});

describe('acks=all', () => {
  test('waits for the high watermark, then completes', () => {
    const p = threeReplicas();
    const { error, tokens } = p.produce(1, ['a', 'b']);
    expect(error).toBe(ErrorCode.NONE);
    p.fetch(2);
    p.fetch(3);
    expect(p.b(1).completed).toEqual([]);
    p.settle([2, 3], 1);
    expect(p.b(1).completed).toEqual(tokens.map((token) => ({ token, errorCode: ErrorCode.NONE })));
  });

  test('is refused with NOT_ENOUGH_REPLICAS before the append when the ISR is below min.insync.replicas', () => {
    const p = new TestPartition([1, 2, 3], 2);
    p.elect(1, 1, [1]);
    const before = p.b(1).log.length;
    expect(p.produce(1, ['a']).error).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(p.b(1).log.length).toBe(before);
    // acks=1 is taken, but the high watermark does not move under min ISR (Kafka 3.7+).
    expect(p.produce(1, ['b'], false).error).toBe(ErrorCode.NONE);
    expect(hw(p, 1)).toBe(0);
  });

  test('min.insync.replicas is capped at the replication factor', () => {
    const p = new TestPartition([1], 3);
    p.elect(1, 1, [1]);
    const { error, tokens } = p.produce(1, ['a']);
    expect(error).toBe(ErrorCode.NONE);
    expect(p.b(1).completed).toEqual([{ token: tokens[0], errorCode: ErrorCode.NONE }]);
  });

  test('a batch whose ISR shrank below min.insync.replicas after the append waits and times out', () => {
    const p = threeReplicas();
    const { tokens } = p.produce(1, ['a'], true, 500);
    p.advance(LAG_CHECKED);
    expect(p.b(1).isrRequests.at(-1)?.isr).toEqual([1]);
    p.confirmIsr(1);
    expect(hw(p, 1)).toBe(0);
    p.advance(500);
    expect(p.b(1).completed).toEqual([{ token: tokens[0], errorCode: ErrorCode.REQUEST_TIMED_OUT }]);
  });

  test('waiting produces are answered NOT_LEADER_OR_FOLLOWER when leadership moves', () => {
    const p = threeReplicas();
    const { tokens } = p.produce(1, ['a']);
    p.elect(2, 2, [2, 3]);
    expect(p.b(1).completed).toEqual([{ token: tokens[0], errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }]);
    expect(p.b(1).core.checkProduce(true)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('ISR', () => {
  test('a follower that has not caught up within replica.lag.time.max leaves; the HW waits for the controller', () => {
    const p = threeReplicas();
    const { tokens } = p.produce(1, ['a']);
    p.advance(p.lag);
    p.fetch(2);
    p.fetch(2);
    expect(p.b(1).isrRequests).toEqual([]);
    p.advance(p.lag);
    const req = p.b(1).isrRequests.at(-1)!;
    expect(req).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 2], partitionEpoch: 1 });
    // Until confirmed, 3 still counts for the high watermark (the maximal ISR).
    expect(hw(p, 1)).toBe(0);
    expect(p.b(1).core.status().isr).toEqual([1, 2, 3]);
    p.confirmIsr(1);
    expect(p.b(1).core.status()).toMatchObject({ isr: [1, 2], partitionEpoch: 2, highWatermark: 1 });
    expect(p.b(1).completed).toEqual([{ token: tokens[0], errorCode: ErrorCode.NONE }]);
  });

  test('a follower always one fetch behind a steady stream stays in sync', () => {
    const p = threeReplicas();
    for (let i = 0; i < 5 * p.lag; i++) {
      p.produce(1, [`r${i}`], false);
      p.fetch(2);
      p.fetch(3);
      p.advance(1);
    }
    expect(p.b(1).isrRequests).toEqual([]);
  });

  test('a follower rejoins once it reaches the high watermark and this epoch’s start', () => {
    const p = threeReplicas();
    p.produce(1, ['a', 'b'], false);
    p.settle([2]);
    p.advance(LAG_CHECKED);
    p.confirmIsr(1);
    expect(p.b(1).core.status().isr).toEqual([1, 2]);
    p.fetch(3);
    expect(p.b(1).core.status().pendingIsrChange).toBeNull();
    p.fetch(3);
    const req = p.b(1).isrRequests.at(-1)!;
    expect(req.isr).toEqual([1, 2, 3]);
    // While pending, the newcomer already holds the high watermark back (maximal ISR).
    expect(p.b(1).core.status().maximalIsr.sort()).toEqual([1, 2, 3]);
    p.produce(1, ['c'], false);
    p.fetch(2);
    p.fetch(2);
    expect(hw(p, 1)).toBe(2);
    p.confirmIsr(1);
    p.settle([3], 2);
    expect(hw(p, 1)).toBe(3);
  });

  test('a follower past the high watermark but short of this epoch’s start does not rejoin', () => {
    // 1 led epoch 1 and acknowledged a..e with 3 (its HW reached 5); 2 had only a, b. 3 now leads epoch 2
    // with a high watermark that has not caught up (0), so 2 at offset 3 is past it but would lose d, e.
    const p = new TestPartition([1, 2, 3], 2);
    const rec = (label: string) => ({ epoch: 1, label });
    p.boot(2, ['a', 'b', 'c'].map(rec));
    p.boot(3, ['a', 'b', 'c', 'd', 'e'].map(rec));
    p.elect(3, 2, [3, 1], 2, [2, 3]);
    p.b(3).core.onFollowerFetch({ replicaId: 2, fetchOffset: 3, lastFetchedEpoch: 1, currentLeaderEpoch: 2, logStartOffset: 0 }, p.now);
    p.collect(p.b(3));
    expect(p.b(3).isrRequests).toEqual([]);
    p.b(3).core.onFollowerFetch({ replicaId: 2, fetchOffset: 5, lastFetchedEpoch: 1, currentLeaderEpoch: 2, logStartOffset: 0 }, p.now);
    p.collect(p.b(3));
    expect(p.b(3).isrRequests.at(-1)?.isr).toEqual([1, 2, 3]);
  });

  test('a refused change goes back to the committed ISR only when the controller says it did nothing', () => {
    const p = threeReplicas();
    p.advance(LAG_CHECKED);
    const req = p.b(1).core.status().pendingIsrChange!;
    p.b(1).core.onIsrChangeResult(req, { ok: false, errorCode: ErrorCode.INVALID_UPDATE_VERSION }, p.now);
    expect(p.b(1).core.status().pendingIsrChange).toBe(req);
    p.b(1).core.onIsrChangeResult(req, { ok: false, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }, p.now);
    expect(p.b(1).core.status().pendingIsrChange).toBeNull();
  });
});

describe('fetch errors', () => {
  test('each as Kafka returns it', () => {
    const p = threeReplicas();
    p.produce(1, ['a'], false);
    const f = { replicaId: 2, fetchOffset: 0, lastFetchedEpoch: -1, currentLeaderEpoch: 1 as number | null, logStartOffset: 0 };
    const l = p.b(1).core;
    expect(l.onFollowerFetch({ ...f, currentLeaderEpoch: 0 }, 0).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(l.onFollowerFetch({ ...f, currentLeaderEpoch: 2 }, 0).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(l.onFollowerFetch({ ...f, replicaId: 9 }, 0).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(l.onFollowerFetch({ ...f, replicaId: 9, currentLeaderEpoch: null }, 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(l.onFollowerFetch({ ...f, fetchOffset: 5 }, 0)).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, logEndOffset: 1 });
    expect(p.b(2).core.onFollowerFetch({ ...f, replicaId: 3 }, 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // A rejected fetch says nothing about the follower.
    expect(l.status().highWatermark).toBe(0);
  });

  test('a follower fenced by its leader stops fetching until the controller speaks', () => {
    const p = threeReplicas();
    p.elect(1, 2, [1, 2, 3], 2, [1]);
    expect(p.fetch(2)).toEqual({ kind: 'fenced' });
    expect(p.b(2).core.fetchRequest()).toBeNull();
    p.elect(1, 2, [1, 2, 3], 2, [2]);
    expect(p.b(2).core.fetchRequest()).not.toBeNull();
  });

  test('a leader ignores a late copy of its current state, which would forget its ISR change in flight', () => {
    const p = threeReplicas();
    p.produce(1, ['a'], false);
    p.advance(LAG_CHECKED);
    const pending = p.b(1).core.status().pendingIsrChange;
    expect(pending).not.toBeNull();
    expect(p.b(1).core.becomeLeader({ leader: 1, leaderEpoch: 1, isr: [1, 2, 3], replicas: [1, 2, 3], partitionEpoch: 1 }, p.now)).toBe(false);
    expect(p.b(1).core.status().pendingIsrChange).toBe(pending);
  });

  test('a controller message older than what the replica holds is ignored', () => {
    const p = threeReplicas();
    p.elect(2, 3, [2, 3], 3);
    expect(p.b(1).core.becomeLeader({ leader: 1, leaderEpoch: 1, isr: [1, 2, 3], replicas: [1, 2, 3], partitionEpoch: 1 }, 0)).toBe(false);
    expect(p.b(1).core.status()).toMatchObject({ role: 'follower', leader: 2, leaderEpoch: 3 });
  });
});

describe('truncation after a leader change (KIP-101/279)', () => {
  test('the old leader cuts the tail the new leader never had, then takes the new leader’s records', () => {
    const p = threeReplicas();
    p.produce(1, ['a', 'b'], false);
    p.settle([2, 3]);
    p.b(1).holdDisk = true;
    p.produce(1, ['c', 'd'], false);
    p.elect(2, 2, [2, 3], 2, [2, 3]);
    p.produce(2, ['e']);
    p.elect(2, 2, [2, 3], 2, [1]);
    p.b(1).holdDisk = false;
    p.b(1).core.onDurable(4, p.now);
    expect(p.fetch(1)).toEqual({ kind: 'truncate', offset: 2 });
    p.settle([1, 3]);
    expect(p.labels(1)).toEqual(['a', 'b', 'e']);
    expect(p.labels(3)).toEqual(['a', 'b', 'e']);
  });

  test('a follower holding an epoch the leader never saw truncates step by step', () => {
    // 1 led epoch 1 (a); 2 led epoch 2 and wrote b, seen by 3 only; 1 led epoch 3 with c, d unseen;
    // now 3 leads epoch 4 with a, b and then e. 1's epoch 3 is unknown to 3.
    const p = new TestPartition([1, 2, 3], 1);
    p.boot(1, [{ epoch: 1, label: 'a' }, { epoch: 3, label: 'c' }, { epoch: 3, label: 'd' }]);
    p.boot(3, [{ epoch: 1, label: 'a' }, { epoch: 2, label: 'b' }]);
    p.elect(3, 4, [3], 4, [1, 3]);
    p.produce(3, ['e']);
    expect(p.fetch(1)).toEqual({ kind: 'truncate', offset: 1 });
    p.settle([1]);
    expect(p.labels(1)).toEqual(['a', 'b', 'e']);
  });

  test('a leader that wrote nothing in its epoch drops that epoch when it follows again', () => {
    const p = threeReplicas();
    p.produce(1, ['a'], false);
    p.settle([2, 3]);
    p.elect(1, 2, [1, 2, 3], 2, [1]);
    p.elect(2, 3, [2, 3], 3, [2, 3]);
    p.produce(2, ['b']);
    p.elect(2, 3, [2, 3], 3, [1]);
    p.settle([1]);
    expect(p.labels(1)).toEqual(['a', 'b']);
  });
});

describe('the 2013 Jepsen scenario, with unclean leader election off and min.insync.replicas=2', () => {
  test('a leader whose ISR shrank to itself acknowledges no acks=all write', () => {
    const p = threeReplicas();
    const acked = p.produce(1, ['a', 'b']).tokens;
    p.settle([2, 3]);
    expect(p.b(1).completed.map((c) => c.token)).toEqual(acked);
    // 1 is cut off from 2 and 3 but not from the controller; the next write leaves them behind and
    // the ISR shrinks to {1}.
    p.produce(1, ['w'], false);
    p.advance(LAG_CHECKED);
    p.confirmIsr(1);
    expect(p.b(1).core.status().isr).toEqual([1]);
    expect(p.produce(1, ['x']).error).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(p.produce(1, ['y'], false).error).toBe(ErrorCode.NONE);
    expect(hw(p, 1)).toBe(2);
  });

  test('with the ISR {1} recorded, the controller elects no one else when 1’s session ends', () => {
    const c = new ControllerModel([1, 2, 3], () => {});
    for (const id of [1, 2, 3]) c.brokerUp(id, 0);
    expect(c.state).toMatchObject({ leader: 1, leaderEpoch: 1 });
    const shrink = c.alterPartition({ leader: 1, leaderEpoch: 1, isr: [1], partitionEpoch: c.state.partitionEpoch });
    expect(shrink).toMatchObject({ ok: true, isr: [1] });
    c.brokerDown(1);
    expect(c.state).toMatchObject({ leader: NO_LEADER, isr: [1] });
    c.brokerDown(2);
    c.brokerUp(2, 1);
    expect(c.state.leader).toBe(NO_LEADER);
    c.brokerUp(1, 1);
    expect(c.state).toMatchObject({ leader: 1, isr: [1] });
  });

  test('a new leader elected from the ISR keeps every acknowledged write; the old one truncates its unacknowledged tail', () => {
    const p = threeReplicas();
    const acked = p.produce(1, ['a', 'b']).tokens;
    p.settle([2, 3]);
    expect(p.b(1).completed.map((c) => c.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    // Now 1 is cut off from everyone: its shrink never reaches the controller, so its acks=all writes
    // wait (the followers still count in its ISR) and are never acknowledged.
    const lost = p.produce(1, ['c', 'd']).tokens;
    p.advance(LAG_CHECKED);
    expect(p.b(1).core.status().pendingIsrChange?.isr).toEqual([1]);
    // The controller sees 1's session expire and elects 2 from the ISR it holds, {1,2,3} minus 1.
    p.elect(2, 2, [2, 3], 2, [2, 3]);
    const later = p.produce(2, ['e']).tokens;
    p.settle([3]);
    expect(p.b(2).completed.map((c) => [c.token, c.errorCode])).toEqual([[later[0], ErrorCode.NONE]]);
    // 1's writes time out unacknowledged; then 1 heals, learns of epoch 2 and follows.
    p.advance(1_000);
    expect(p.b(1).completed.filter((c) => lost.includes(c.token)).map((c) => c.errorCode)).toEqual([ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REQUEST_TIMED_OUT]);
    expect(acked).toHaveLength(2);
    p.elect(2, 2, [2, 3], 2, [1]);
    expect(p.fetch(1)).toEqual({ kind: 'truncate', offset: 2 });
    p.settle([1, 3]);
    for (const id of [1, 2, 3]) expect(p.labels(id)).toEqual(['a', 'b', 'e']);
    // And 1 rejoins the ISR.
    expect(p.b(2).isrRequests.at(-1)?.isr).toEqual([1, 2, 3]);
  });
});

test('settings are validated', () => {
  expect(() => replicationConfig({ brokerId: 1, replicaLagTimeMaxTicks: 0 })).toThrow(ReplicationConfigError);
  expect(() => replicationConfig({ brokerId: 1, minInsyncReplicas: 1.5 })).toThrow(/minInsyncReplicas/);
  expect(replicationConfig({ brokerId: 1 }).replicaLagTimeMaxTicks).toBe(30_000);
});
