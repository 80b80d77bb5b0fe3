// Every broker of a cluster follows entity configs in ZooKeeper (client quotas under /config/users,
// /config/clients and /config/ips; client-metrics subscriptions under /config/client-metrics): a
// persistent recursive watch on each directory re-reads the entity whose znode changed (whoever wrote
// it: another broker, or Kafka's own tools on the same ZooKeeper), and a new session re-reads them all.
// Re-reads run one at a time, in order.
import { CONFIG_PATH } from '../../../protocol/kafka/zk/znodes.js';
import type { Logger } from '../../logger.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { ensurePath } from './membership.js';

/** What follows a kind of entity config: reads them all, or one entity path ("users/alice") again. */
export interface EntityConfigFollower {
  load(): Promise<void>;
  reload(entityPath: string): Promise<void>;
}

export class EntityConfigWatch {
  private applying: Promise<void> = Promise.resolve();

  constructor(
    /** Asked each time: the membership's client is replaced after a session expires. */
    private readonly zk: () => ZooKeeperClient,
    /** The directories under /config watched ("users", "client-metrics"). */
    private readonly types: readonly string[],
    private readonly follower: EntityConfigFollower,
    /** What is followed, for the log ("client quotas"). */
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  /** Sets the watches and reads every entity; again after a new session (the old watches went with it). */
  async arm(): Promise<void> {
    for (const type of this.types) {
      const dir = `${CONFIG_PATH}/${type}`;
      const zk = this.zk();
      await ensurePath(zk, dir);
      await zk.addWatch(dir, (e) => void this.queue(() => this.follower.reload(e.path.slice(CONFIG_PATH.length + 1))), 'persistentRecursive');
    }
    await this.queue(() => this.follower.load());
  }

  private queue(task: () => Promise<void>): Promise<void> {
    const next = this.applying.then(task).catch((err: unknown) => this.log.warn({ err }, `reading ${this.what} from ZooKeeper failed`));
    this.applying = next;
    return next;
  }
}
