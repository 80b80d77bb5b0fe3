// AlterConfigs (33), v0-2: the legacy whole-resource form. A topic's overrides become exactly the given
// entries (the rest revert to broker defaults), taking effect on its logs at once and kept across
// restarts; validateOnly only checks. Broker configs cannot change at run time in Skein.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import {
  alterResources,
  changeTopicConfigs,
  checkConfigEntries,
  ConfigResourceType,
  namesThisBroker,
  refuseBrokerConfigChanges,
  refuseResourceType,
} from '../topics/config-changes.js';

export const alterConfigsHandler = defineHandler({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const { broker } = ctx;
    const responses = await alterResources(
      request.resources,
      (resource) => {
        checkConfigEntries(resource.configs, () => true);
        const entries = resource.configs.map((c) => [c.name, c.value!] as const);
        switch (resource.resourceType) {
          case ConfigResourceType.TOPIC:
            return changeTopicConfigs(broker.topics, resource.resourceName, () => Object.fromEntries(entries), request.validateOnly);
          case ConfigResourceType.BROKER:
            namesThisBroker(resource.resourceName, broker.brokerId);
            return refuseBrokerConfigChanges(entries.map(([name]) => name));
          default:
            return refuseResourceType(resource.resourceType);
        }
      },
      ctx.log,
    );
    return { throttleTimeMs: 0, responses };
  },
});
