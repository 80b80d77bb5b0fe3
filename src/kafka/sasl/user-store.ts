// Where users' entity configs (their SCRAM credentials) live. In a cluster: /config/users/<user> as
// Kafka stores them ({"version":1,"config":{"SCRAM-SHA-256":"salt=..,stored_key=..,..."}}), each write
// announced under /config/changes. Every read goes to ZooKeeper, so a user added through any broker (or
// by Kafka's own tools on the same ZooKeeper) is seen by every broker at its next authentication. A
// broker alone keeps the same maps in <log.dir>/users.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import { CONFIG_PATH, decodeEntityConfig, encodeEntityConfig } from '../../../protocol/kafka/zk/znodes.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { announceConfigChange } from '../cluster/config-changes.js';
import { isKeeperError } from '../cluster/membership.js';

export interface UserConfigStore {
  /** The user's config; empty when there is none. */
  read(user: string): Promise<Record<string, string>>;
  write(user: string, config: Record<string, string>): Promise<void>;
  users(): Promise<string[]>;
}

const USERS_PATH = `${CONFIG_PATH}/users`;

/** Kafka's Sanitizer: a user name as a znode name (URL-encoded, "*" too, space as %20). */
export function sanitizeUser(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class ZkUserConfigStore implements UserConfigStore {
  /** `zk` is asked each time: the membership's client is replaced after a session expires. */
  constructor(private readonly zk: () => ZooKeeperClient) {}

  async read(user: string): Promise<Record<string, string>> {
    try {
      const { data } = await this.zk().getData(`${USERS_PATH}/${sanitizeUser(user)}`);
      return decodeEntityConfig(data, `users/${sanitizeUser(user)}`);
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return {};
      throw err;
    }
  }

  async write(user: string, config: Record<string, string>): Promise<void> {
    const zk = this.zk();
    const path = `${USERS_PATH}/${sanitizeUser(user)}`;
    try {
      await zk.setData(path, encodeEntityConfig(config));
    } catch (err) {
      if (!isKeeperError(err, ZkError.noNode)) throw err;
      await zk.create(path, encodeEntityConfig(config));
    }
    await announceConfigChange(zk, `users/${sanitizeUser(user)}`);
  }

  async users(): Promise<string[]> {
    return (await this.zk().getChildren(USERS_PATH)).map((name) => decodeURIComponent(name));
  }
}

export class FileUserConfigStore implements UserConfigStore {
  private readonly path: string;
  private readonly configs: Map<string, Record<string, string>>;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'users.json');
    let text: string | undefined;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.configs = new Map(Object.entries(text === undefined ? {} : (JSON.parse(text) as Record<string, Record<string, string>>)));
  }

  read(user: string): Promise<Record<string, string>> {
    return Promise.resolve({ ...this.configs.get(user) });
  }

  write(user: string, config: Record<string, string>): Promise<void> {
    this.configs.set(user, { ...config });
    const data = JSON.stringify(Object.fromEntries(this.configs), null, 2);
    // Writes in turn, so the last one on disk is the newest map.
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.path, data));
    return this.writing;
  }

  users(): Promise<string[]> {
    return Promise.resolve([...this.configs.keys()]);
  }
}
