// Issue #9's failover proof on a 3-server Skein ZooKeeper ensemble (see failover-scenario.ts): the
// brokers connect to all three servers. A few rounds only (FAILOVER_ENSEMBLE_ROUNDS, 4 by default), so
// the file stays within CI's budget; cluster-failover.test.ts runs the long series on one server.
import { ZkEnsemble } from '../../test/helpers/zk-ensemble.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite({
  title: 'kill -9 of the leader or the group coordinator on a 3-server ZooKeeper ensemble: no acknowledged record lost, order per key kept, every record consumed, commits intact',
  rounds: Number(process.env.FAILOVER_ENSEMBLE_ROUNDS ?? 4),
  sessionMs: Number(process.env.FAILOVER_SESSION_MS ?? 1000),
  startZooKeeper: async () => {
    // A 200 ms tick lets the ensemble grant the brokers' 1000 ms sessions (the minimum is two ticks).
    const ensemble = await ZkEnsemble.start({ size: 3, tickTime: 200 });
    return { connectString: ensemble.connectString, destroy: () => ensemble.destroy() };
  },
});
