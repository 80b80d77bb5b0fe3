// LeaderAndIsr (4), v0-7: the controller names this broker leader or follower of partitions, with their
// leader epoch, ISR and replicas (Kafka's ZooKeeper-mode inter-broker API). The replication manager
// applies the states in arrival order and answers per partition as Kafka 3.9 does.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const leaderAndIsrHandler = defineHandler({
  apiKey: ApiKey.LeaderAndIsr,
  minVersion: 0,
  maxVersion: 7,
  uses: ['replication'],
  handle(request, ctx, { replication }) {
    return replication.leaderAndIsr(request, ctx.apiVersion);
  },
});
