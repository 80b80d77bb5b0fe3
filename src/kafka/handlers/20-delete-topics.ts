// DeleteTopics (20), v0-6: topics by name, and (v6) by topic id, each with its own error. Unknown names
// get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID; a name or id given twice, or an entry
// with both or neither, is refused as Kafka's controller refuses it. With delete.topic.enable=false every
// entry gets TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3, which lacks that code). A topic's
// partitions are taken from the client's controller_mutation_rate quota as it is deleted; from v5 a
// topic over it gets THROTTLING_QUOTA_EXCEEDED.
import { ApiKey, ErrorCode, KafkaProtocolError, ZERO_UUID, type DeleteTopicsResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { requestMutationQuota, THROTTLED_MESSAGE } from '../quotas/mutation-quota.js';
import { awaitChanges } from '../topics/change-deadline.js';
import { repeated } from '../topics/repeated.js';

type TopicResult = NonNullable<DeleteTopicsResponseInput['responses']>[number];

interface Target {
  name: string | null;
  topicId: string;
}

export const deleteTopicsHandler = defineHandler({
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  uses: ['topics', 'acls', 'quotas', 'clock'],
  async handle(request, ctx, { topics, acls, quotas, clock }) {
    const mayDelete = (name: string) => acls.authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, name);
    const targets: Target[] =
      ctx.apiVersion >= 6 ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId })) : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const result = (t: Target, errorCode: number, errorMessage: string | null = null): TopicResult => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage });
    try {
      topics.checkDeletionEnabled();
    } catch (err) {
      if (!(err instanceof KafkaProtocolError)) throw err;
      const code = ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : err.code;
      return { throttleTimeMs: 0, responses: targets.map((t) => result(t, code, err.message)) };
    }

    const quota = requestMutationQuota(quotas, ctx, ApiKey.DeleteTopics, clock.now());
    const names = targets.filter((t) => t.name !== null && t.topicId === ZERO_UUID).map((t) => t.name!);
    const ids = targets.filter((t) => t.name === null && t.topicId !== ZERO_UUID).map((t) => t.topicId);
    const namesTwice = repeated(names);
    const idsTwice = repeated(ids);
    const nameSet = new Set(names);
    const idSet = new Set(ids);
    const responses: TopicResult[] = [];
    const answered = new Set<string>();
    const changes = new Map<string, Promise<void>>();
    for (const t of targets) {
      const key = t.name !== null ? `name ${t.name}` : `id ${t.topicId}`;
      if (answered.has(key)) continue;
      answered.add(key);
      if (t.name === null && t.topicId === ZERO_UUID) {
        responses.push(result(t, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'));
        continue;
      }
      if (t.name !== null && t.topicId !== ZERO_UUID) {
        responses.push(result(t, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
        continue;
      }
      if (t.name !== null ? namesTwice.has(t.name) : idsTwice.has(t.topicId)) {
        responses.push(result(t, ErrorCode.INVALID_REQUEST, t.name !== null ? 'Duplicate topic name.' : 'Duplicate topic id.'));
        continue;
      }
      // Checked before existence, so whether a topic exists does not leak to who may not delete it.
      if (t.name !== null && !mayDelete(t.name)) {
        responses.push(result(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const record = t.name !== null ? topics.get(t.name) : topics.getById(t.topicId);
      if (record && t.name === null && !mayDelete(record.name)) {
        responses.push(result(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      if (!record) {
        responses.push(t.name !== null ? result(t, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) : result(t, ErrorCode.UNKNOWN_TOPIC_ID));
        continue;
      }
      const target = { name: record.name, topicId: record.topicId };
      if (t.name !== null && idSet.has(record.topicId)) {
        responses.push(result(target, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'));
        continue;
      }
      if (t.name === null && nameSet.has(record.name) && !namesTwice.has(record.name)) {
        // The entry naming this topic answers for both, with the refusal above.
        continue;
      }
      try {
        topics.validateDelete(record.name);
        if (!quota.admit(record.replicas.length, clock.now())) {
          responses.push(result(target, ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLED_MESSAGE));
          continue;
        }
        changes.set(record.name, topics.delete(record.name));
        responses.push(result(target, ErrorCode.NONE));
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) throw err;
        ctx.log.info({ topic: record.name, error: err.errorName, reason: err.message, client: ctx.clientId }, 'topic deletion refused');
        responses.push(result(target, err.code, err.message));
      }
    }
    const outcomes = await awaitChanges(changes, request.timeoutMs, ctx.log);
    return {
      throttleTimeMs: quota.responseThrottleMs(clock.now()),
      responses: responses.map((r) => {
        const outcome = r.name ? outcomes.get(r.name) : undefined;
        return outcome ? { ...r, ...outcome } : r;
      }),
    };
  },
});
