// Issue #9's failover proof on one `skein zookeeper` process (see failover-scenario.ts): 20 rounds of
// kill -9 (FAILOVER_ROUNDS), brokers' session timeout 1000 ms (FAILOVER_SESSION_MS).
import { SkeinZooKeeper } from '../helpers/skein-process.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite({
  title: 'kill -9 of the leader or the group coordinator on one ZooKeeper under kafkajs and librdkafka acks=all producers and a kafkajs group: no acknowledged record lost, order per key kept, every record consumed, commits intact',
  rounds: Number(process.env.FAILOVER_ROUNDS ?? 20),
  sessionMs: Number(process.env.FAILOVER_SESSION_MS ?? 1000),
  startZooKeeper: async () => {
    const zk = await SkeinZooKeeper.start();
    return { connectString: zk.address, destroy: () => zk.destroy() };
  },
});
