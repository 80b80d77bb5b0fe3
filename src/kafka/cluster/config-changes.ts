// Kafka's config change notifications: a writer of /config/<type>/<name> adds a sequential
// /config/changes/config_change_ naming the entity, which tells every broker (and Kafka's own, sharing
// the ZooKeeper) to re-read it. Shared by topic configs and user (SCRAM) credentials.
import { CONFIG_CHANGE_PREFIX, CONFIG_CHANGES_PATH, encodeConfigChange } from '../../../protocol/kafka/zk/znodes.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { CHANGE_NOTIFICATION_EXPIRY_MS, purgeExpiredChanges } from './change-notifications.js';

/** How long a config change notification stays before the writer of a newer one removes it. */
export const CONFIG_CHANGE_EXPIRY_MS = CHANGE_NOTIFICATION_EXPIRY_MS;

/** Announces a change of `entityPath` ("topics/orders", "users/alice") and drops expired announcements. */
export async function announceConfigChange(zk: ZooKeeperClient, entityPath: string, expiryMs = CONFIG_CHANGE_EXPIRY_MS): Promise<void> {
  const created = await zk.create(`${CONFIG_CHANGES_PATH}/${CONFIG_CHANGE_PREFIX}`, encodeConfigChange(entityPath), { mode: 'persistentSequential' });
  await purgeExpiredChanges(zk, CONFIG_CHANGES_PATH, CONFIG_CHANGE_PREFIX, created, Date.now(), expiryMs);
}
