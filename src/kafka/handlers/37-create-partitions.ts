// CreatePartitions (37), v0-3: grows topics to a new partition count, placing the new partitions or
// taking the given assignments. A count that is not an increase is INVALID_PARTITIONS; a topic named
// twice gets one INVALID_REQUEST; validateOnly checks without changing anything. The partitions added
// are taken from the client's controller_mutation_rate quota (validated ones are not, as in Kafka's
// ZooKeeper-mode controller); from v3 a topic over it gets THROTTLING_QUOTA_EXCEEDED.
import { ApiKey, ErrorCode, KafkaProtocolError, type CreatePartitionsResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { requestMutationQuota, THROTTLED_MESSAGE } from '../quotas/mutation-quota.js';
import { awaitChanges } from '../topics/change-deadline.js';
import { repeated } from '../topics/repeated.js';

type TopicResult = NonNullable<CreatePartitionsResponseInput['results']>[number];

export const createPartitionsHandler = defineHandler({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  uses: ['topics', 'acls', 'quotas', 'clock'],
  async handle(request, ctx, { topics, acls, quotas, clock }) {
    const quota = requestMutationQuota(quotas, ctx, ApiKey.CreatePartitions, clock.now());
    const twice = repeated(request.topics.map((t) => t.name));
    const results: TopicResult[] = [];
    const duplicatesAnswered = new Set<string>();
    const changes = new Map<string, Promise<void>>();
    for (const t of request.topics) {
      if (twice.has(t.name)) {
        if (!duplicatesAnswered.has(t.name)) {
          duplicatesAnswered.add(t.name);
          results.push({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' });
        }
        continue;
      }
      if (!acls.authorize(ctx, AclOperation.ALTER, ResourceType.TOPIC, t.name)) {
        results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
        continue;
      }
      try {
        const added = topics.validateNewPartitions(t.name, t.count, t.assignments?.map((a) => a.brokerIds) ?? null);
        if (!request.validateOnly && !quota.admit(added.length, clock.now())) {
          results.push({ name: t.name, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: THROTTLED_MESSAGE });
          continue;
        }
        if (!request.validateOnly) changes.set(t.name, topics.addPartitions(t.name, added));
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) throw err;
        ctx.log.info({ topic: t.name, error: err.errorName, reason: err.message, client: ctx.clientId }, 'partition creation refused');
        results.push({ name: t.name, errorCode: err.code, errorMessage: err.message });
      }
    }
    const outcomes = await awaitChanges(changes, request.timeoutMs, ctx.log);
    return {
      throttleTimeMs: quota.responseThrottleMs(clock.now()),
      results: results.map((r) => ({ ...r, ...outcomes.get(r.name!) })),
    };
  },
});
