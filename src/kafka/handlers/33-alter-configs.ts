// AlterConfigs (33), v0-2: the legacy whole-resource form. A topic's overrides (or a client-metrics
// subscription's keys; none removes it) become exactly the given entries (the rest revert to their
// defaults), taking effect at once and kept across restarts; validateOnly only checks. Broker configs cannot change at run time in Skein.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import { alterConfigs, checkConfigEntries } from '../topics/config-changes.js';

export const alterConfigsHandler = defineHandler({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  uses: ['topics', 'config', 'acls', 'clientMetrics'],
  async handle(request, ctx, services) {
    // The whole set, whatever the resource had: checkConfigEntries refused null values first.
    const given = (resource: (typeof request.resources)[number]) => Object.fromEntries(resource.configs.map((c) => [c.name, c.value!]));
    const responses = await alterConfigs(services, ctx, request.resources, request.validateOnly, ctx.log, {
      check: (resource) => checkConfigEntries(resource.configs, () => true),
      topicConfigs: given,
      clientMetricsConfigs: given,
      brokerConfigsSet: (resource) => resource.configs.map((c) => c.name),
    });
    return { throttleTimeMs: 0, responses };
  },
});
