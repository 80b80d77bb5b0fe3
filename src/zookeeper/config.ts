// zoo.cfg: the keys Skein's ZooKeeper server understands, with ZooKeeper's names and defaults except
// where noted (four-letter-word whitelist, extended types).
import { parseProperties } from '../config/properties.js';
import { bool, ConfigError, int, list, parseConfig, parseOverrides, str, type KeyDef } from '../config/schema.js';
import { FOUR_LETTER_WORDS } from '../../protocol/zookeeper/four-letter.js';

/** Four-letter words answered when zoo.cfg names none: read-only status, nothing naming sessions or paths. */
export const DEFAULT_FOUR_LETTER_WORDS = ['srvr', 'stat', 'ruok', 'conf', 'envi', 'isro', 'mntr', 'wchs', 'dirs'];

/** ZooKeeper's jute.maxbuffer default: 0xfffff bytes. */
export const DEFAULT_JUTE_MAX_BUFFER = 0xfffff;

function yesNo(doc: string, def: boolean): KeyDef<boolean> {
  return {
    doc,
    default: def,
    parse(raw) {
      const v = raw.toLowerCase();
      if (v === 'yes' || v === 'true') return true;
      if (v === 'no' || v === 'false') return false;
      throw new Error(`expected yes or no, got "${raw}"`);
    },
  };
}

export const zooCfgSchema = {
  tickTime: int('Basic time unit in ms; session timeouts default to 2x..20x of it', 3000, { min: 1 }),
  dataDir: str('Directory for snapshots (and the log unless dataLogDir is set)', 'data/zookeeper'),
  dataLogDir: str('Directory for the transaction log; defaults to dataDir', undefined),
  clientPort: int('Port clients connect to', 2181, { min: 0, max: 65535 }),
  clientPortAddress: str('Address to listen on', '0.0.0.0'),
  maxClientCnxns: int('Connections per client IP address; 0 means unlimited', 60, { min: 0 }),
  maxCnxns: int('Connections in total; 0 means unlimited', 0, { min: 0 }),
  minSessionTimeout: int('Smallest session timeout granted (ms); -1 means 2 x tickTime', -1, { min: -1 }),
  maxSessionTimeout: int('Largest session timeout granted (ms); -1 means 20 x tickTime', -1, { min: -1 }),
  'autopurge.snapRetainCount': int('Snapshots (and the logs they need) kept by autopurge; at least 3', 3, { min: 1 }),
  'autopurge.purgeInterval': int('Hours between autopurge runs; 0 disables autopurge', 0, { min: 0 }),
  '4lw.commands.whitelist': list('Four-letter words answered; * for all', DEFAULT_FOUR_LETTER_WORDS),
  'jute.maxbuffer': int('Largest request frame and znode data in bytes', DEFAULT_JUTE_MAX_BUFFER, { min: 1024 }),
  snapCount: int('Transactions between snapshots', 100_000, { min: 2 }),
  forceSync: yesNo('fdatasync the log before acknowledging writes', true),
  extendedTypesEnabled: bool('Allow TTL nodes (Skein enables them by default, ZooKeeper does not)', true),
  'DigestAuthenticationProvider.superDigest': str('super:<digest> granting the super user every permission', undefined),
  'znode.container.checkIntervalMs': int('Interval of the sweep deleting empty containers and expired TTL nodes', 60_000, {
    min: 1,
  }),
  'nio.sessionlessCnxnTimeout': int('Milliseconds a new connection has to send its ConnectRequest before it is closed', 10_000, { min: 1 }),
  initLimit: int('Accepted for ensemble configs; unused by a standalone server', 10, { min: 1 }),
  syncLimit: int('Accepted for ensemble configs; unused by a standalone server', 5, { min: 1 }),
};

export interface ZooKeeperConfig {
  tickTime: number;
  dataDir: string;
  dataLogDir: string;
  clientPort: number;
  clientPortAddress: string;
  maxClientCnxns: number;
  maxCnxns: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  snapRetainCount: number;
  purgeIntervalHours: number;
  fourLetterWords: ReadonlySet<string>;
  juteMaxBuffer: number;
  snapCount: number;
  forceSync: boolean;
  extendedTypesEnabled: boolean;
  superDigest: string | undefined;
  containerCheckIntervalMs: number;
  /** A connection that sends no ConnectRequest within this is closed (ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout). */
  sessionlessCnxnTimeoutMs: number;
}

export interface ParsedZooCfg {
  config: ZooKeeperConfig;
  /** Keys the file set that Skein does not know; ZooKeeper ignores these too. */
  unknownKeys: string[];
}

/** Parses zoo.cfg text, then `key=value` overrides. Throws ConfigError naming the bad key. */
export function parseZooCfg(text: string, overrides: readonly string[] = []): ParsedZooCfg {
  const { values, unknown } = parseConfig(zooCfgSchema, [...parseProperties(text), ...parseOverrides(overrides)]);
  const tickTime = values.tickTime;
  const minSessionTimeout = values.minSessionTimeout === -1 ? 2 * tickTime : values.minSessionTimeout;
  const maxSessionTimeout = values.maxSessionTimeout === -1 ? 20 * tickTime : values.maxSessionTimeout;
  if (minSessionTimeout > maxSessionTimeout) {
    throw new ConfigError(`minSessionTimeout (${minSessionTimeout}) is above maxSessionTimeout (${maxSessionTimeout})`);
  }
  const words = values['4lw.commands.whitelist'];
  const fourLetterWords = new Set<string>(words.includes('*') ? FOUR_LETTER_WORDS : words);
  // zkServer.sh status depends on srvr, so ZooKeeper always answers it.
  fourLetterWords.add('srvr');
  return {
    config: {
      tickTime,
      dataDir: values.dataDir,
      dataLogDir: values.dataLogDir ?? values.dataDir,
      clientPort: values.clientPort,
      clientPortAddress: values.clientPortAddress,
      maxClientCnxns: values.maxClientCnxns,
      maxCnxns: values.maxCnxns,
      minSessionTimeout,
      maxSessionTimeout,
      snapRetainCount: Math.max(3, values['autopurge.snapRetainCount']),
      purgeIntervalHours: values['autopurge.purgeInterval'],
      fourLetterWords,
      juteMaxBuffer: values['jute.maxbuffer'],
      snapCount: values.snapCount,
      forceSync: values.forceSync,
      extendedTypesEnabled: values.extendedTypesEnabled,
      superDigest: values['DigestAuthenticationProvider.superDigest'],
      containerCheckIntervalMs: values['znode.container.checkIntervalMs'],
      sessionlessCnxnTimeoutMs: values['nio.sessionlessCnxnTimeout'],
    },
    unknownKeys: unknown.map((u) => u.key),
  };
}

/** The configuration zoo.cfg defaults give, with `overrides` on top (for `skein start`). */
export function defaultZooKeeperConfig(overrides: Partial<ZooKeeperConfig> = {}): ZooKeeperConfig {
  return { ...parseZooCfg('').config, ...overrides };
}
