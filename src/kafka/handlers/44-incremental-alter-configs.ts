// IncrementalAlterConfigs (44), v0-1: SET, DELETE, APPEND and SUBTRACT (list configs) applied to a
// topic's overrides, checked as a whole, in effect on its logs at once and kept across restarts;
// validateOnly only checks. Broker configs cannot change at run time in Skein, so only DELETE (of a
// dynamic value that never exists) succeeds for them.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import { applyConfigOps, checkOperations, ConfigOperation } from '../metadata/config-ops.js';
import {
  alterResources,
  changeTopicConfigs,
  checkConfigEntries,
  ConfigResourceType,
  namesThisBroker,
  refuseBrokerConfigChanges,
  refuseResourceType,
} from '../topics/config-changes.js';

export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const { broker } = ctx;
    const responses = await alterResources(
      request.resources,
      (resource) => {
        const ops = resource.configs.map((c) => ({ name: c.name, operation: c.configOperation, value: c.value }));
        checkConfigEntries(resource.configs, (i) => ops[i]!.operation !== ConfigOperation.DELETE);
        checkOperations(ops);
        switch (resource.resourceType) {
          case ConfigResourceType.TOPIC:
            return changeTopicConfigs(broker.topics, resource.resourceName, (current) => applyConfigOps(broker.config, current, ops), request.validateOnly);
          case ConfigResourceType.BROKER:
            namesThisBroker(resource.resourceName, broker.brokerId);
            return refuseBrokerConfigChanges(ops.filter((op) => op.operation !== ConfigOperation.DELETE).map((op) => op.name));
          default:
            return refuseResourceType(resource.resourceType);
        }
      },
      ctx.log,
    );
    return { throttleTimeMs: 0, responses };
  },
});
