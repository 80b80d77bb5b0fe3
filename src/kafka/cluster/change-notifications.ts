// Kafka's change notifications in ZooKeeper (/config/changes, /kafka-acl-changes, ...): sequential znodes a
// writer adds after a change so every broker's watch hears of it. Kafka's ZkNodeChangeNotificationListener
// removes those older than a quarter of an hour; here the writer of a new one does, so the directory does
// not grow without bound.
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { isKeeperError } from './membership.js';

/** How long a change notification stays (Kafka's ZkNodeChangeNotificationListener default). */
export const CHANGE_NOTIFICATION_EXPIRY_MS = 15 * 60_000;

/** Removes notifications under `dir` named `prefix`..., but `keep`, older than `expiryMs`; one gone meanwhile is fine. */
export async function purgeExpiredChanges(zk: ZooKeeperClient, dir: string, prefix: string, keep: string, now: number, expiryMs: number): Promise<void> {
  for (const child of await zk.getChildren(dir)) {
    const path = `${dir}/${child}`;
    if (!child.startsWith(prefix) || path === keep) continue;
    const stat = await zk.exists(path);
    if (!stat || now - Number(stat.ctime) <= expiryMs) continue;
    await zk.delete(path, stat.version).catch((err: unknown) => {
      if (!isKeeperError(err, ZkError.noNode) && !isKeeperError(err, ZkError.badVersion)) throw err;
    });
  }
}
