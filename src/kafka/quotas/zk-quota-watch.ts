// Every broker of a cluster follows the quotas in ZooKeeper: a persistent recursive watch on
// /config/users, /config/clients and /config/ips re-reads the entity whose znode changed (whoever wrote
// it: another broker, or Kafka's own kafka-configs.sh on the same ZooKeeper), and a new session
// re-reads them all. Re-reads run one at a time, in order.
import { CONFIG_PATH } from '../../../protocol/kafka/zk/znodes.js';
import type { Logger } from '../../logger.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { ensurePath } from '../cluster/membership.js';
import type { ClientQuotas } from './client-quotas.js';

const WATCHED = ['users', 'clients', 'ips'];

export class ZkQuotaWatch {
  private applying: Promise<void> = Promise.resolve();

  constructor(
    /** Asked each time: the membership's client is replaced after a session expires. */
    private readonly zk: () => ZooKeeperClient,
    private readonly quotas: ClientQuotas,
    private readonly log: Logger,
  ) {}

  /** Sets the watches and reads every quota; again after a new session (the old watches went with it). */
  async arm(): Promise<void> {
    for (const type of WATCHED) {
      const dir = `${CONFIG_PATH}/${type}`;
      const zk = this.zk();
      await ensurePath(zk, dir);
      await zk.addWatch(dir, (e) => void this.queue(() => this.quotas.reload(e.path.slice(CONFIG_PATH.length + 1))), 'persistentRecursive');
    }
    await this.queue(() => this.quotas.load());
  }

  private queue(task: () => Promise<void>): Promise<void> {
    const next = this.applying.then(task).catch((err: unknown) => this.log.warn({ err }, 'reading client quotas from ZooKeeper failed'));
    this.applying = next;
    return next;
  }
}
