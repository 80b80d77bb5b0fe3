// Kafka's config change notifications: a writer of /config/<type>/<name> adds a sequential
// /config/changes/config_change_ naming the entity, which tells every broker (and Kafka's own, sharing
// the ZooKeeper) to re-read it. Shared by topic configs and user (SCRAM) credentials.
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import { CONFIG_CHANGE_PREFIX, CONFIG_CHANGES_PATH, encodeConfigChange } from '../../../protocol/kafka/zk/znodes.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { isKeeperError } from './membership.js';

/**
 * How long a config change notification stays (Kafka's ZkNodeChangeNotificationListener default): the
 * writer of a new one removes those older, so /config/changes does not grow without bound.
 */
export const CONFIG_CHANGE_EXPIRY_MS = 15 * 60_000;

/** Announces a change of `entityPath` ("topics/orders", "users/alice") and drops expired announcements. */
export async function announceConfigChange(zk: ZooKeeperClient, entityPath: string, expiryMs = CONFIG_CHANGE_EXPIRY_MS): Promise<void> {
  const created = await zk.create(`${CONFIG_CHANGES_PATH}/${CONFIG_CHANGE_PREFIX}`, encodeConfigChange(entityPath), { mode: 'persistentSequential' });
  const now = Date.now();
  for (const child of await zk.getChildren(CONFIG_CHANGES_PATH)) {
    const path = `${CONFIG_CHANGES_PATH}/${child}`;
    if (!child.startsWith(CONFIG_CHANGE_PREFIX) || path === created) continue;
    const stat = await zk.exists(path);
    if (!stat || now - Number(stat.ctime) <= expiryMs) continue;
    await zk.delete(path, stat.version).catch((err: unknown) => {
      // Removed or rewritten by another writer meanwhile: fine.
      if (!isKeeperError(err, ZkError.noNode) && !isKeeperError(err, ZkError.badVersion)) throw err;
    });
  }
}
