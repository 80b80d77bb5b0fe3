// CreateTopics (19), v0-7: each topic checked and created as Kafka does, with a per-topic error (and
// message, v1+); v5+ answers carry the partition count, replication factor and effective configs, v7
// the topic id. A name given twice is refused for every entry; validateOnly checks without creating.
// The partitions created are taken from the client's controller_mutation_rate quota (validated ones are
// not, as in Kafka's ZooKeeper-mode controller); from v6 a topic over it gets THROTTLING_QUOTA_EXCEEDED.
import { ApiKey, ErrorCode, KafkaProtocolError, ZERO_UUID, type CreateTopicsResponseInput } from '../../../protocol/kafka/index.js';
import type { BrokerConfig } from '../broker-config.js';
import { mayCreateTopic } from './3-metadata.js';
import { defineHandler } from '../handler.js';
import { requestMutationQuota, THROTTLED_MESSAGE } from '../quotas/mutation-quota.js';
import { describeTopicConfigs } from '../metadata/config-description.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import { awaitChanges } from '../topics/change-deadline.js';
import { repeated } from '../topics/repeated.js';

type TopicResult = NonNullable<CreateTopicsResponseInput['topics']>[number];

function refused(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] };
}

function accepted(config: BrokerConfig, record: TopicRecord, validateOnly: boolean): TopicResult {
  return {
    name: record.name,
    // A topic only validated does not exist, so it has no id.
    topicId: validateOnly ? ZERO_UUID : record.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    numPartitions: record.replicas.length,
    replicationFactor: record.replicas[0]!.length,
    configs: describeTopicConfigs(config, record.configs).map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      configSource: c.source,
      isSensitive: c.isSensitive,
    })),
  };
}

export const createTopicsHandler = defineHandler({
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  uses: ['topics', 'config', 'acls', 'quotas', 'clock'],
  async handle(request, ctx, { topics, config, acls, quotas, clock }) {
    const quota = requestMutationQuota(quotas, ctx, ApiKey.CreateTopics, clock.now());
    const twice = repeated(request.topics.map((t) => t.name));
    const results: TopicResult[] = [];
    const changes = new Map<string, Promise<void>>();
    for (const t of request.topics) {
      if (twice.has(t.name)) {
        results.push(refused(t.name, ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'));
        continue;
      }
      if (!mayCreateTopic(acls, ctx, t.name)) {
        results.push(refused(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
        continue;
      }
      try {
        const record = topics.validateNew({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: t.assignments,
          configs: Object.fromEntries(t.configs.map((c) => [c.name, c.value])),
        });
        if (!request.validateOnly && !quota.admit(record.replicas.length, clock.now())) {
          results.push(refused(t.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLED_MESSAGE));
          continue;
        }
        // Created one by one, so a later topic in the request sees the earlier ones (name collisions).
        if (!request.validateOnly) changes.set(t.name, topics.commitNew(record));
        results.push(accepted(config, record, request.validateOnly));
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) throw err;
        ctx.log.info({ topic: t.name, error: err.errorName, reason: err.message, client: ctx.clientId }, 'topic creation refused');
        results.push(refused(t.name, err.code, err.message));
      }
    }
    const outcomes = await awaitChanges(changes, request.timeoutMs, ctx.log);
    return {
      throttleTimeMs: quota.responseThrottleMs(clock.now()),
      topics: results.map((r) => {
        const outcome = outcomes.get(r.name!);
        return outcome && outcome.errorCode !== ErrorCode.NONE ? refused(r.name!, outcome.errorCode, outcome.errorMessage) : r;
      }),
    };
  },
});
