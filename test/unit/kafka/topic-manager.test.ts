// TopicManager with an in-memory store and a ReplicaManager stand-in whose log opens finish when the
// test says, to pin down ordering; and the request deadline shared by the topic admin APIs.
import { afterEach, expect, test, vi } from 'vitest';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import type { TopicRecord, TopicStore } from '../../../src/kafka/metadata/topic-store.js';
import type { ReplicaManager } from '../../../src/kafka/partitions/replica-manager.js';
import { awaitChanges } from '../../../src/kafka/topics/change-deadline.js';
import { TopicManager } from '../../../src/kafka/topics/topic-manager.js';
import { createLogger } from '../../../src/logger.js';

class MemoryStore implements TopicStore {
  readonly topics = new Map<string, TopicRecord>();
  list = () => [...this.topics.values()];
  get = (name: string) => this.topics.get(name);
  create = async (t: TopicRecord) => void this.topics.set(t.name, t);
  delete = async (name: string) => void this.topics.delete(name);
  addPartitions = async (name: string, replicas: number[][]) => {
    const t = this.topics.get(name)!;
    this.topics.set(name, { ...t, replicas: [...t.replicas, ...replicas] });
  };
  setConfigs = async (name: string, configs: Record<string, string>) => void this.topics.set(name, { ...this.topics.get(name)!, configs });
}

function withDeferredReplicas() {
  const events: string[] = [];
  const pendingOpens: (() => void)[] = [];
  const replicas = {
    openTopic: (t: TopicRecord) => {
      events.push(`open ${t.name} started`);
      return new Promise<void>((resolve) =>
        pendingOpens.push(() => {
          events.push(`open ${t.name} done`);
          resolve();
        }),
      );
    },
    deleteTopic: async (name: string) => void events.push(`delete ${name}`),
    updateConfig: (name: string) => void events.push(`config ${name}`),
  } as unknown as ReplicaManager;
  const store = new MemoryStore();
  const topics = new TopicManager(store, replicas, brokerConfigFromText('num.partitions=2'), createLogger('silent'), () => [{ id: 0, rack: null }], true);
  return { topics, store, events, finishOpen: () => pendingOpens.shift()!() };
}

afterEach(() => {
  vi.useRealTimers();
});

test('a delete waits for the create before it to open its logs, but the topic is gone from the store at once', async () => {
  const { topics, store, events, finishOpen } = withDeferredReplicas();
  const created = topics.commitNew(topics.validateNew({ name: 't', numPartitions: -1, replicationFactor: -1 }));
  expect(store.get('t')?.replicas).toEqual([[0], [0]]);
  const deleted = topics.delete('t');
  expect(store.get('t')).toBeUndefined();
  await Promise.resolve();
  expect(events).toEqual(['open t started']);
  finishOpen();
  await Promise.all([created, deleted]);
  expect(events).toEqual(['open t started', 'open t done', 'delete t']);
});

test('without earlier work on the name, a delete reaches the partitions at once', async () => {
  const { topics, store, events } = withDeferredReplicas();
  store.topics.set('idle', { name: 'idle', topicId: 'ab'.repeat(16), replicas: [[0]], configs: {} });
  const deleted = topics.delete('idle');
  expect(events).toEqual(['delete idle']);
  await deleted;
});

test('validation refuses with the codes and words Kafka uses', () => {
  const { topics, store } = withDeferredReplicas();
  store.topics.set('a.b', { name: 'a.b', topicId: 'cd'.repeat(16), replicas: [[0]], configs: {} });
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return [(err as { code: number }).code, (err as Error).message];
    }
    return undefined;
  };
  expect(refusal(() => topics.validateNew({ name: 'a_b', numPartitions: 1, replicationFactor: 1 }))).toEqual([
    ErrorCode.INVALID_TOPIC_EXCEPTION,
    "Topic 'a_b' collides with existing topic: a.b",
  ]);
  expect(refusal(() => topics.validateNew({ name: 'n', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': null, 'segment.ms': null } }))).toEqual([
    ErrorCode.INVALID_CONFIG,
    'Null value not supported for topic configs: retention.ms,segment.ms',
  ]);
  expect(
    refusal(() =>
      topics.validateNew({
        name: 'm',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: [0] },
          { partitionIndex: 0, brokerIds: [0] },
        ],
      }),
    ),
  ).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Found multiple manual partition assignments for partition 0']);
  expect(refusal(() => topics.validateNewPartitions('a.b', 3, [[0], [0, 0]]))).toEqual([
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    'Duplicate brokers not allowed in replica assignment: 0, 0 for partition id 2.',
  ]);
  expect(refusal(() => topics.validateNewPartitions('a.b', 3, [[0]]))).toEqual([
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    'Increasing the number of partitions by 2 but 1 assignments provided.',
  ]);
  expect(topics.validateNewPartitions('a.b', 3, null)).toEqual([[0], [0]]);
  expect(refusal(() => topics.validateConfigs({ 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '4000' }))).toEqual([
    ErrorCode.INVALID_CONFIG,
    'conflict topic config setting max.compaction.lag.ms (4000) < min.compaction.lag.ms (5000)',
  ]);
  expect(refusal(() => topics.validateConfigs({ 'min.compaction.lag.ms': '5000' }))).toBeUndefined();
  store.topics.set('__consumer_offsets', { name: '__consumer_offsets', topicId: 'ef'.repeat(16), replicas: [[0]], configs: {} });
  expect(refusal(() => topics.validateDelete('__consumer_offsets'))?.[0]).toBe(ErrorCode.INVALID_REQUEST);
});

test('a change still running at the deadline is answered REQUEST_TIMED_OUT; one that failed, with its error', async () => {
  vi.useFakeTimers();
  const log = createLogger('silent');
  let finish!: () => void;
  const slow = new Promise<void>((resolve) => (finish = resolve));
  const outcomes = awaitChanges(
    new Map([
      ['slow', slow],
      ['fast', Promise.resolve()],
      ['refused', Promise.reject(new KafkaProtocolError(ErrorCode.INVALID_PARTITIONS, 'no'))],
      ['broken', Promise.reject(new Error('disk on fire'))],
    ]),
    1000,
    log,
  );
  await vi.advanceTimersByTimeAsync(1000);
  expect(Object.fromEntries(await outcomes)).toEqual({
    slow: { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null },
    fast: { errorCode: 0, errorMessage: null },
    refused: { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'no' },
    broken: { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null },
  });
  finish();
  const immediate = await awaitChanges(new Map([['any', Promise.resolve()]]), 0, log);
  expect(immediate.get('any')!.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
});

test('getById: a topic by its id; after a re-creation under the same name the new id, not the old one', async () => {
  const { topics, store } = withDeferredReplicas();
  const record = (name: string, id: string): TopicRecord => ({ name, topicId: id.repeat(32), replicas: [[0]], configs: {} });
  store.topics.set('a', record('a', '1'));
  store.topics.set('b', record('b', '2'));
  expect(topics.getById('1'.repeat(32))?.name).toBe('a');
  expect(topics.getById('2'.repeat(32))?.name).toBe('b');
  await Promise.resolve();
  store.topics.set('a', record('a', '3'));
  expect(topics.getById('1'.repeat(32))).toBeUndefined();
  await Promise.resolve();
  expect(topics.getById('3'.repeat(32))?.name).toBe('a');
});

test('getById: unknown ids read the topic list once per turn of the event loop, however many a request names', async () => {
  const { topics, store } = withDeferredReplicas();
  for (let i = 0; i < 100; i++) store.topics.set(`t${i}`, { name: `t${i}`, topicId: i.toString(16).padStart(32, '0'), replicas: [[0]], configs: {} });
  const list = vi.spyOn(store, 'list');
  for (let i = 0; i < 1000; i++) expect(topics.getById(`f${i}`.padStart(32, 'f'))).toBeUndefined();
  // Known ids still answer from the map the one read made.
  expect(topics.getById((42).toString(16).padStart(32, '0'))?.name).toBe('t42');
  expect(list).toHaveBeenCalledTimes(1);
  await Promise.resolve();
  expect(topics.getById('f'.repeat(32))).toBeUndefined();
  expect(list).toHaveBeenCalledTimes(2);
});
