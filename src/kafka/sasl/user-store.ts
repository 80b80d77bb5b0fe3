// Where users' entity configs (their SCRAM credentials) live. In a cluster: /config/users/<user> as
// Kafka stores them ({"version":1,"config":{"SCRAM-SHA-256":"salt=..,stored_key=..,..."}}), each write
// announced under /config/changes. Every read goes to ZooKeeper, so a user added through any broker (or
// by Kafka's own tools on the same ZooKeeper) is seen by every broker at its next authentication. A
// broker alone keeps the same maps in <log.dir>/users.json. The user's quotas share the znode's map
// (quotas/quota-store.ts): each writer rewrites the map it read, keys it does not own included.
import { join } from 'node:path';
import { FileEntityConfigs, ZkEntityConfigs } from '../cluster/entity-configs.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';

export interface UserConfigStore {
  /** The user's config; empty when there is none. */
  read(user: string): Promise<Record<string, string>>;
  write(user: string, config: Record<string, string>): Promise<void>;
  users(): Promise<string[]>;
}

/** Kafka's Sanitizer: a user name as a znode name (URL-encoded, "*" too, space as %20). */
export function sanitizeUser(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class ZkUserConfigStore implements UserConfigStore {
  private readonly entities: ZkEntityConfigs;

  /** `zk` is asked each time: the membership's client is replaced after a session expires. */
  constructor(zk: () => ZooKeeperClient) {
    this.entities = new ZkEntityConfigs(zk);
  }

  read(user: string): Promise<Record<string, string>> {
    return this.entities.read(`users/${sanitizeUser(user)}`);
  }

  write(user: string, config: Record<string, string>): Promise<void> {
    return this.entities.write(`users/${sanitizeUser(user)}`, config);
  }

  async users(): Promise<string[]> {
    return (await this.entities.children('users')).map((name) => decodeURIComponent(name));
  }
}

export class FileUserConfigStore implements UserConfigStore {
  private readonly file: FileEntityConfigs;

  constructor(dataDir: string) {
    this.file = new FileEntityConfigs(join(dataDir, 'users.json'));
  }

  read(user: string): Promise<Record<string, string>> {
    return this.file.read(user);
  }

  write(user: string, config: Record<string, string>): Promise<void> {
    return this.file.write(user, config);
  }

  users(): Promise<string[]> {
    return Promise.resolve(this.file.keys());
  }
}
