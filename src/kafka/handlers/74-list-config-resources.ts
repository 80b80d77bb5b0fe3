// ListConfigResources (74): v0 (KIP-714's ListClientMetricsResources) names the client-metrics
// subscriptions; v1 (KIP-1142) the resources of the types asked for, every type listed when none is.
// Kafka checks DESCRIBE_CONFIGS on the cluster for the whole request, and answers UNSUPPORTED_VERSION,
// with nothing listed, when a type asked for is not one it lists. Skein lists the types whose configs
// it serves: topics (every one), brokers (the live ones) and client-metrics subscriptions. Kafka 4.1
// also lists broker loggers and groups with configs; Skein has configs of neither, so asking for those
// is UNSUPPORTED_VERSION, as asking Kafka for a type it does not list.
import { ApiKey, ErrorCode, type ListConfigResourcesResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { ConfigResourceType } from '../topics/config-changes.js';

type Listed = { resourceName: string; resourceType: number }[];

/** The types v1 lists, in the order they are listed; v0 lists client-metrics subscriptions only. */
const LISTED_TYPES: readonly number[] = [ConfigResourceType.CLIENT_METRICS, ConfigResourceType.BROKER, ConfigResourceType.TOPIC];

export const listConfigResourcesHandler = defineHandler({
  apiKey: ApiKey.ListConfigResources,
  minVersion: 0,
  maxVersion: 1,
  uses: ['acls', 'clientMetrics', 'metadata', 'topics'],
  handle(request, ctx, { acls, clientMetrics, metadata, topics }) {
    const answer = (errorCode: number, configResources: Listed = []) => ({ throttleTimeMs: 0, errorCode, configResources });
    if (!acls.authorize(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) return answer(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const asked = ctx.apiVersion === 0 ? [ConfigResourceType.CLIENT_METRICS] : request.resourceTypes.length === 0 ? LISTED_TYPES : request.resourceTypes;
    if (asked.some((t) => !LISTED_TYPES.includes(t))) return answer(ErrorCode.UNSUPPORTED_VERSION);
    const listed: Listed = [];
    const list = (resourceType: number, names: Iterable<string>) => {
      if (asked.includes(resourceType)) for (const resourceName of names) listed.push({ resourceName, resourceType });
    };
    list(ConfigResourceType.CLIENT_METRICS, clientMetrics.names());
    list(ConfigResourceType.BROKER, metadata.liveBrokers().map((b) => String(b.nodeId)));
    list(ConfigResourceType.TOPIC, topics.list().map((t) => t.name));
    return answer(ErrorCode.NONE, listed);
  },
});
