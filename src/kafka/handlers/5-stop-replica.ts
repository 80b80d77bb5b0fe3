// StopReplica (5), v0-4: the controller tells this broker to stop leading or following partitions, and
// whether to delete their logs (a deleted topic, a reassigned replica).
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const stopReplicaHandler = defineHandler({
  apiKey: ApiKey.StopReplica,
  minVersion: 0,
  maxVersion: 4,
  uses: ['replication'],
  handle(request, _ctx, { replication }) {
    return replication.stopReplica(request);
  },
});
