// IncrementalAlterConfigs (44), v0-1: SET, DELETE, APPEND and SUBTRACT (list configs) applied to a
// topic's overrides or a client-metrics subscription (KIP-714; all keys deleted removes it), checked as
// a whole, in effect at once and kept across restarts; validateOnly only checks. Broker configs cannot change at run time in Skein, so only DELETE (of a
// dynamic value that never exists) succeeds for them.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import { applyConfigOps, checkOperations, ConfigOperation, editConfigs, type ConfigOp } from '../metadata/config-ops.js';
import { clientMetricsListDefault } from '../telemetry/client-metrics-config.js';
import { alterConfigs, checkConfigEntries } from '../topics/config-changes.js';

export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  uses: ['topics', 'config', 'acls', 'clientMetrics'],
  async handle(request, ctx, services) {
    const opsOf = (resource: (typeof request.resources)[number]): ConfigOp[] =>
      resource.configs.map((c) => ({ name: c.name, operation: c.configOperation, value: c.value }));
    const responses = await alterConfigs(services, ctx, request.resources, request.validateOnly, ctx.log, {
      check(resource) {
        checkConfigEntries(resource.configs, (i) => resource.configs[i]!.configOperation !== ConfigOperation.DELETE);
        checkOperations(opsOf(resource));
      },
      topicConfigs: (resource, current) => applyConfigOps(services.config, current, opsOf(resource)),
      clientMetricsConfigs: (resource, current) => editConfigs(current, opsOf(resource), clientMetricsListDefault),
      brokerConfigsSet: (resource) => opsOf(resource).filter((op) => op.operation !== ConfigOperation.DELETE).map((op) => op.name),
    });
    return { throttleTimeMs: 0, responses };
  },
});
