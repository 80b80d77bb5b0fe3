// Entity configs as Kafka keeps them in ZooKeeper: /config/<entity path> holding
// {"version":1,"config":{...}} (a user's znode holds its SCRAM credentials and its quotas side by side),
// each write announced under /config/changes; and, for a broker alone, the same maps in a JSON file of
// its data directory. Entity paths are Kafka's: "users/alice", "clients/app", "users/alice/clients/app",
// "ips/10.0.0.1", names already sanitized.
import { readFileSync } from 'node:fs';
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import { CONFIG_PATH, decodeEntityConfig, encodeEntityConfig } from '../../../protocol/kafka/zk/znodes.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import type { ZooKeeperClient } from '../../zookeeper/client/client.js';
import { announceConfigChange } from './config-changes.js';
import { ensurePath, isKeeperError } from './membership.js';

export interface EntityConfigs {
  /** The entity's config; empty when there is none. */
  read(entityPath: string): Promise<Record<string, string>>;
  write(entityPath: string, config: Record<string, string>): Promise<void>;
  /** The names under a path ("users", "users/alice/clients"), as stored (sanitized). */
  children(path: string): Promise<string[]>;
}

export class ZkEntityConfigs implements EntityConfigs {
  /** `zk` is asked each time: the membership's client is replaced after a session expires. */
  constructor(private readonly zk: () => ZooKeeperClient) {}

  async read(entityPath: string): Promise<Record<string, string>> {
    try {
      const { data } = await this.zk().getData(`${CONFIG_PATH}/${entityPath}`);
      return decodeEntityConfig(data, entityPath);
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return {};
      throw err;
    }
  }

  async write(entityPath: string, config: Record<string, string>): Promise<void> {
    const zk = this.zk();
    const path = `${CONFIG_PATH}/${entityPath}`;
    try {
      await zk.setData(path, encodeEntityConfig(config));
    } catch (err) {
      if (!isKeeperError(err, ZkError.noNode)) throw err;
      // A user's client ids live under the user's znode, which Kafka creates empty when it is missing.
      await ensurePath(zk, path.slice(0, path.lastIndexOf('/')));
      await zk.create(path, encodeEntityConfig(config));
    }
    await announceConfigChange(zk, entityPath);
  }

  async children(path: string): Promise<string[]> {
    try {
      return await this.zk().getChildren(`${CONFIG_PATH}/${path}`);
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return [];
      throw err;
    }
  }
}

/** Entity configs in one JSON file, keyed by entity path (a broker alone; its users.json is keyed by user name). */
export class FileEntityConfigs implements EntityConfigs {
  private readonly configs: Map<string, Record<string, string>>;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.configs = new Map(Object.entries(text === undefined ? {} : (JSON.parse(text) as Record<string, Record<string, string>>)));
  }

  read(entityPath: string): Promise<Record<string, string>> {
    return Promise.resolve({ ...this.configs.get(entityPath) });
  }

  write(entityPath: string, config: Record<string, string>): Promise<void> {
    if (Object.keys(config).length === 0) this.configs.delete(entityPath);
    else this.configs.set(entityPath, { ...config });
    const data = JSON.stringify(Object.fromEntries(this.configs), null, 2);
    // Writes in turn, so the last one on disk is the newest map.
    this.writing = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.path, data));
    return this.writing;
  }

  /** Every key stored. */
  keys(): string[] {
    return [...this.configs.keys()];
  }

  children(path: string): Promise<string[]> {
    const prefix = `${path}/`;
    const names = new Set<string>();
    for (const key of this.configs.keys()) {
      if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0]!);
    }
    return Promise.resolve([...names]);
  }
}
