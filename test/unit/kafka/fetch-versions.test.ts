// fetch-versions.ts alone: KIP-951's leader hints from a metadata view, and the v13+ naming of topics.
import { describe, expect, test } from 'vitest';
import { ErrorCode, type FetchRequest, type FetchResponseInput } from '../../../protocol/kafka/index.js';
import { fetchLeaderHints, nameTopics, withTopicIds } from '../../../src/kafka/fetch/fetch-versions.js';
import type { MetadataView } from '../../../src/kafka/metadata/metadata-view.js';

type TopicResponse = NonNullable<FetchResponseInput['responses']>[number];

const metadata: MetadataView = {
  liveBrokers: (listener) => [
    { nodeId: 1, host: `${listener ?? 'internal'}-one`, port: 9092, rack: null },
    { nodeId: 2, host: `${listener ?? 'internal'}-two`, port: 9093, rack: 'r2' },
    { nodeId: 3, host: `${listener ?? 'internal'}-three`, port: 9094, rack: null },
  ],
  controllerId: () => 1,
  partition: (topic, index) => (topic === 't' ? { leader: index === 0 ? 2 : -1, leaderEpoch: 5, replicas: [1, 2], isr: [2], offlineReplicas: [] } : undefined),
};

describe('leader hints (Fetch v16+)', () => {
  test('a partition answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH carries the leader; the response names its endpoint on the asking listener', () => {
    const responses: TopicResponse[] = [
      {
        topic: 't',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
          { partitionIndex: 1, errorCode: ErrorCode.FENCED_LEADER_EPOCH },
          { partitionIndex: 2, errorCode: ErrorCode.NONE },
        ],
      },
      { topic: 'gone', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }] },
    ];
    const endpoints = fetchLeaderHints(responses, metadata, 'CLIENTS');
    expect(endpoints).toEqual([{ nodeId: 2, host: 'CLIENTS-two', port: 9093, rack: 'r2' }]);
    const [p0, p1, p2] = responses[0]!.partitions!;
    expect(p0!.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
    // No leader known (-1) and no error: nothing to tell.
    expect(p1!.currentLeader).toBeUndefined();
    expect(p2!.currentLeader).toBeUndefined();
    expect(responses[1]!.partitions![0]!.currentLeader).toBeUndefined();
  });

  test('no wrong-leader error: no endpoints', () => {
    expect(fetchLeaderHints([{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }], metadata, 'X')).toEqual([]);
  });
});

describe('naming topics', () => {
  const request = (topics: FetchRequest['topics']): FetchRequest =>
    ({ replicaId: 4, replicaState: { replicaId: 9, replicaEpoch: 1 }, topics }) as unknown as FetchRequest;
  const topics = { getById: (id: string) => (id === 'aa' ? { name: 'alpha', topicId: 'aa', replicas: [[1]], configs: {} } : undefined) };
  const partition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1, replicaDirectoryId: '', highWatermark: -1 };

  test('v12 keeps names and the top-level replica id', () => {
    const named = nameTopics(request([{ topic: 'alpha', topicId: '', partitions: [partition] }]), 12, topics);
    expect(named.request.replicaId).toBe(4);
    expect(named.request.topics[0]!.topic).toBe('alpha');
    const responses: TopicResponse[] = [{ topic: 'alpha', partitions: [] }];
    expect(withTopicIds(named, responses)).toBe(responses);
  });

  test('v15 names known ids, sets aside unknown ones and takes the replica id from ReplicaState', () => {
    const named = nameTopics(request([{ topic: '', topicId: 'aa', partitions: [partition] }, { topic: '', topicId: 'bb', partitions: [partition] }]), 15, topics);
    expect(named.request.replicaId).toBe(9);
    expect(named.request.topics.map((t) => t.topic)).toEqual(['alpha']);
    const out = withTopicIds(named, [{ topic: 'alpha', partitions: [] }]);
    expect(out.map((t) => [t.topicId, t.partitions!.map((p) => p.errorCode)])).toEqual([
      ['aa', []],
      ['bb', [ErrorCode.UNKNOWN_TOPIC_ID]],
    ]);
  });
});
