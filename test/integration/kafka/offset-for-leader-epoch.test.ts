// OffsetForLeaderEpoch (23) end to end, and Fetch v12's divergence check that rests on the same leader
// epoch cache. The partition goes through leader epochs 0, 2 and 5 the way the controller will move it
// (the epoch raised, the log told where it starts), so the log holds 0@0, 2@3, 5@5 and ends at 6.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiKey, ErrorCode, type FetchRequestInput } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let conn: KafkaConnection;

async function produce(count: number): Promise<void> {
  await produceRecords(conn, 'epochs', 0, Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`v${i}`) })));
}

/** What the controller will do on a leader change: a new epoch, started at the log end. */
function newLeaderEpoch(epoch: number): void {
  const p = broker.broker.replicas.partition('epochs', 0)!;
  p.leaderEpoch = epoch;
  p.log.startLeaderEpoch(epoch);
}

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  await broker.broker.topics.create({ name: 'epochs', numPartitions: 1, replicationFactor: 1 });
  conn = await KafkaConnection.connect(broker.bootstrap);
  await produce(3);
  newLeaderEpoch(2);
  await produce(2);
  newLeaderEpoch(5);
  await produce(1);
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

interface Asked {
  topic?: string;
  partition?: number;
  leaderEpoch: number;
  currentLeaderEpoch?: number;
}

async function ask(version: number, asked: Asked[]) {
  const response = await conn.send(ApiKey.OffsetForLeaderEpoch, version, {
    replicaId: -1,
    topics: asked.map((a) => ({
      topic: a.topic ?? 'epochs',
      partitions: [{ partition: a.partition ?? 0, currentLeaderEpoch: a.currentLeaderEpoch ?? -1, leaderEpoch: a.leaderEpoch }],
    })),
  });
  return response.topics.map((t) => t.partitions[0]!);
}

const ok = (leaderEpoch: number, endOffset: number) => ({ errorCode: ErrorCode.NONE, partition: 0, leaderEpoch, endOffset });

test('ApiVersions advertises OffsetForLeaderEpoch 0-4 and the replica-side inter-broker APIs, as a ZooKeeper-mode Kafka broker does', async () => {
  const { apiKeys } = await conn.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  expect(apiKeys.find((k) => k.apiKey === ApiKey.OffsetForLeaderEpoch)).toMatchObject({ minVersion: 0, maxVersion: 4 });
  expect(apiKeys.find((k) => k.apiKey === ApiKey.LeaderAndIsr)).toMatchObject({ minVersion: 0, maxVersion: 7 });
  expect(apiKeys.find((k) => k.apiKey === ApiKey.StopReplica)).toMatchObject({ minVersion: 0, maxVersion: 4 });
});

test('each epoch ends where the next starts, the current one at the log end', async () => {
  const answers = await ask(4, [0, 1, 2, 3, 4, 5, 6, -1].map((leaderEpoch) => ({ leaderEpoch })));
  expect(answers).toEqual([ok(0, 3), ok(0, 3), ok(2, 5), ok(2, 5), ok(2, 5), ok(5, 6), ok(-1, -1), ok(-1, -1)]);
});

test.each([0, 1, 2, 3, 4])('v%i', async (v) => {
  const [answer] = await ask(v, [{ leaderEpoch: 2, currentLeaderEpoch: 5 }]);
  // v0 has no leader epoch in its answer, which then decodes to the default.
  expect(answer).toEqual(ok(v === 0 ? -1 : 2, 5));
});

test('current_leader_epoch fences stale and too new clients; unknown partitions are refused', async () => {
  const answers = await ask(4, [
    { leaderEpoch: 2, currentLeaderEpoch: 4 },
    { leaderEpoch: 2, currentLeaderEpoch: 6 },
    { leaderEpoch: 2, topic: 'nope' },
    { leaderEpoch: 2, partition: 1 },
  ]);
  expect(answers.map((a) => [a.errorCode, a.leaderEpoch, a.endOffset])).toEqual([
    [ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
    [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
  ]);
});

describe('Fetch v12 with last_fetched_epoch', () => {
  function fetch(fetchOffset: number, lastFetchedEpoch: number, currentLeaderEpoch = -1) {
    const request: FetchRequestInput = {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: 'epochs', partitions: [{ partition: 0, fetchOffset, currentLeaderEpoch, lastFetchedEpoch, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    };
    return conn.send(ApiKey.Fetch, 12, request).then((r) => r.responses[0]!.partitions[0]!);
  }

  test('reads on when the fetcher followed this log', async () => {
    for (const [offset, epoch] of [[3, 2], [5, 2], [6, 5], [2, 0], [4, -1]] as const) {
      const p = await fetch(offset, epoch);
      expect(p.errorCode, `${offset}/${epoch}`).toBe(ErrorCode.NONE);
      expect(p.divergingEpoch, `${offset}/${epoch}`).toEqual({ epoch: -1, endOffset: -1 });
      if (offset < 6) expect(p.records?.length ?? 0).toBeGreaterThan(0);
    }
  });

  test('answers the diverging epoch, with no records, when the fetcher has what this log never had', async () => {
    // Epoch 3 was never led here: the fetcher's log is cut back to where epoch 2 ended.
    const never = await fetch(5, 3);
    expect(never).toMatchObject({ errorCode: ErrorCode.NONE, divergingEpoch: { epoch: 2, endOffset: 5 }, highWatermark: 6, logStartOffset: 0 });
    expect(never.records?.length ?? 0).toBe(0);
    // The fetcher kept epoch 2 past where it ended here.
    expect((await fetch(6, 2)).divergingEpoch).toEqual({ epoch: 2, endOffset: 5 });
    expect((await fetch(4, 0)).divergingEpoch).toEqual({ epoch: 0, endOffset: 3 });
  });

  test('an epoch newer than any here is out of range', async () => {
    expect((await fetch(6, 7)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });
});

test('DeleteRecords clamps the first epoch to the new log start; the cache survives a restart', async () => {
  const deleted = await conn.send(ApiKey.DeleteRecords, 2, { topics: [{ name: 'epochs', partitions: [{ partitionIndex: 0, offset: 4 }] }], timeoutMs: 5000 });
  expect(deleted.topics[0]!.partitions[0]!.lowWatermark).toBe(4);
  const expected = [ok(0, 4), ok(2, 5), ok(5, 6)];
  expect(await ask(4, [0, 2, 5].map((leaderEpoch) => ({ leaderEpoch })))).toEqual(expected);
  conn.close();
  broker = await broker.restart();
  conn = await KafkaConnection.connect(broker.bootstrap);
  expect(await ask(4, [0, 2, 5].map((leaderEpoch) => ({ leaderEpoch })))).toEqual(expected);
  // The restarted leader keeps the newest epoch its log holds.
  const metadata = await conn.send(ApiKey.Metadata, 12, { topics: [{ name: 'epochs', topicId: '0'.repeat(32) }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  expect(metadata.topics[0]!.partitions[0]!.leaderEpoch).toBe(5);
});
