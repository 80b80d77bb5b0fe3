// DescribeConfigs (32), v0-4: a topic's configs or this broker's, all of them or the keys asked for,
// with source (v1+; isDefault in v0), synonyms (v1+, when asked), type and documentation (v3+, when
// asked). The empty broker name is the cluster-wide dynamic default, which in Skein is always empty. A
// client-metrics subscription (KIP-714) shows its three keys, defaults where unset, as Kafka shows them.
import { ApiKey, ErrorCode, KafkaProtocolError, type DescribeConfigsResponseInput } from '../../../protocol/kafka/index.js';
import { topicNameProblem } from '../../log/topic-name.js';
import { AclOperation } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { describeBrokerConfigs, describeTopicConfigs, type ConfigDescription } from '../metadata/config-description.js';
import { ConfigSource } from '../metadata/config-synonyms.js';
import { checkConfigAccess, ConfigResourceType, namesThisBroker, refuseResourceType } from '../topics/config-changes.js';

type ResourceResult = NonNullable<DescribeConfigsResponseInput['results']>[number];
type ConfigResult = NonNullable<ResourceResult['configs']>[number];

export const describeConfigsHandler = defineHandler({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  uses: ['topics', 'config', 'acls', 'clientMetrics'],
  handle(request, ctx, { topics, config, acls, clientMetrics }) {
    const toWire = (c: ConfigDescription): ConfigResult => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
      configSource: c.source,
      isSensitive: c.isSensitive,
      synonyms: request.includeSynonyms ? c.synonyms : [],
      configType: c.type,
      documentation: request.includeDocumentation ? c.doc : null,
    });
    const results = request.resources.map((resource): ResourceResult => {
      const { resourceType, resourceName } = resource;
      try {
        checkConfigAccess(acls, ctx, AclOperation.DESCRIBE_CONFIGS, resource);
        let configs: ConfigDescription[];
        if (resourceType === ConfigResourceType.TOPIC) {
          const problem = topicNameProblem(resourceName);
          if (problem) throw new KafkaProtocolError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
          const topic = topics.get(resourceName);
          if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, resourceType, resourceName, configs: [] };
          configs = describeTopicConfigs(config, topic.configs);
        } else if (resourceType === ConfigResourceType.BROKER) {
          configs = namesThisBroker(resourceName, config.brokerId) ? describeBrokerConfigs(config) : [];
        } else if (resourceType === ConfigResourceType.CLIENT_METRICS) {
          configs = clientMetrics.describe(resourceName);
        } else {
          refuseResourceType(resourceType);
        }
        // Kafka reads an empty key list like a null one: every config.
        const keys = resource.configurationKeys;
        const wanted = keys === null || keys.length === 0 ? configs : configs.filter((c) => keys.includes(c.name));
        return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName, configs: wanted.map(toWire) };
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) throw err;
        ctx.log.info({ resourceType, resourceName, error: err.errorName, reason: err.message }, 'describe configs refused');
        return { errorCode: err.code, errorMessage: err.message, resourceType, resourceName, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
});
