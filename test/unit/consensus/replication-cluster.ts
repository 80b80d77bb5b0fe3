// Hand-driven replicas of one partition for unit tests: each broker's log is one record per offset
// (its epoch and a label), a fetch is one explicit round trip, and disks sync at once unless held, so a
// test chooses exactly what happens when.
import {
  PartitionReplication,
  replicationConfig,
  type BatchHeader,
  type FetchResponse,
  type FollowerAction,
  type IsrChangeRequest,
  type PartitionState,
  type ProduceCompletion,
} from '../../../src/consensus/partition-replication.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { epochsOf } from '../../helpers/leader-epochs.js';

export interface TestRecord {
  epoch: number;
  label: string;
}

export interface TestBroker {
  id: number;
  core: PartitionReplication;
  log: TestRecord[];
  holdDisk: boolean;
  completed: ProduceCompletion[];
  isrRequests: IsrChangeRequest[];
  highWatermarks: number[];
}

export class TestPartition {
  readonly brokers = new Map<number, TestBroker>();
  now = 0;
  private token = 0;

  constructor(
    readonly replicas: number[],
    private readonly minInsyncReplicas = 2,
    readonly lag = 100,
  ) {
    for (const id of replicas) this.boot(id);
  }

  boot(id: number, log: TestRecord[] = []): TestBroker {
    const config = replicationConfig({ brokerId: id, replicaLagTimeMaxTicks: this.lag, minInsyncReplicas: this.minInsyncReplicas });
    const core = new PartitionReplication(config, { logStartOffset: 0, logEndOffset: log.length, epochs: epochsOf(log.map((r) => r.epoch)), highWatermark: 0 });
    const b: TestBroker = { id, core, log, holdDisk: false, completed: [], isrRequests: [], highWatermarks: [] };
    this.brokers.set(id, b);
    return b;
  }

  b(id: number): TestBroker {
    return this.brokers.get(id)!;
  }

  /** The controller's decision, delivered to the named brokers (all replicas by default). */
  elect(leader: number, leaderEpoch: number, isr: number[], partitionEpoch = leaderEpoch, to = this.replicas): PartitionState {
    const state = { leader, leaderEpoch, isr, replicas: this.replicas, partitionEpoch };
    for (const id of to) {
      const b = this.b(id);
      if (id === leader) b.core.becomeLeader(state, this.now);
      else b.core.becomeFollower(state);
      this.collect(b);
    }
    return state;
  }

  /** Produce `labels` as one record each; returns the tokens of acks=all ones, or the refusal. */
  produce(leader: number, labels: string[], acksAll = true, timeout = 1_000): { error: number; tokens: number[] } {
    const b = this.b(leader);
    const tokens: number[] = [];
    for (const label of labels) {
      const error = b.core.checkProduce(acksAll);
      if (error !== ErrorCode.NONE) return { error, tokens };
      const offset = b.log.length;
      b.log.push({ epoch: b.core.status().leaderEpoch, label });
      const token = ++this.token;
      b.core.onLocalAppend(offset, offset, this.now, acksAll ? { token, deadline: this.now + timeout } : undefined);
      if (acksAll) tokens.push(token);
      this.sync(b);
    }
    return { error: ErrorCode.NONE, tokens };
  }

  /** One fetch round trip from `follower` to the leader it follows; returns what it did. */
  fetch(follower: number): FollowerAction | null {
    const f = this.b(follower);
    const req = f.core.fetchRequest();
    if (req === null) return null;
    const l = this.b(req.leader);
    const ans = l.core.onFollowerFetch({ replicaId: follower, fetchOffset: req.fetchOffset, lastFetchedEpoch: req.lastFetchedEpoch, currentLeaderEpoch: req.currentLeaderEpoch, logStartOffset: req.logStartOffset }, this.now);
    this.collect(l);
    let res: FetchResponse;
    if (ans.errorCode === ErrorCode.NONE) {
      const { fromOffset, toOffset, ...rest } = ans;
      const batches: BatchHeader[] = l.log.slice(fromOffset, toOffset).map((r, i) => ({ baseOffset: fromOffset + i, lastOffset: fromOffset + i, leaderEpoch: r.epoch }));
      res = { ...rest, batches };
    } else res = ans;
    const action = f.core.onFetchResponse(req, res);
    if (action.kind === 'append') for (const bh of action.batches) f.log.push({ ...l.log[bh.baseOffset]! });
    if (action.kind === 'truncate') f.log.length = action.offset;
    this.sync(f);
    this.collect(f);
    return action;
  }

  /** Fetch rounds from every listed follower until nothing changes. */
  settle(followers: number[], rounds = 10): void {
    for (let i = 0; i < rounds; i++) for (const id of followers) this.fetch(id);
  }

  advance(ticks: number): void {
    for (let i = 0; i < ticks; i++) {
      this.now++;
      for (const b of this.brokers.values()) {
        b.core.tick(this.now);
        this.collect(b);
      }
    }
  }

  /** The controller accepts the leader's pending ISR change as is. */
  confirmIsr(leader: number): IsrChangeRequest {
    const b = this.b(leader);
    const req = b.core.status().pendingIsrChange;
    if (req === null) throw new Error(`broker ${leader} has no ISR change pending`);
    b.core.onIsrChangeResult(req, { ok: true, leaderEpoch: req.leaderEpoch, isr: req.isr, partitionEpoch: req.partitionEpoch + 1 }, this.now);
    this.collect(b);
    return req;
  }

  sync(b: TestBroker): void {
    if (!b.holdDisk) {
      b.core.onDurable(b.log.length, this.now);
      this.collect(b);
    }
  }

  collect(b: TestBroker): void {
    const e = b.core.drain();
    b.completed.push(...e.completed);
    if (e.isrChange) b.isrRequests.push(e.isrChange);
    if (e.highWatermark !== null) b.highWatermarks.push(e.highWatermark);
  }

  labels(id: number): string[] {
    return this.b(id).log.map((r) => r.label);
  }
}
