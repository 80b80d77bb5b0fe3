// zoo.cfg: the keys Skein's ZooKeeper server understands, with ZooKeeper's names and defaults except
// where noted (four-letter-word whitelist, extended types).
import { parseProperties, type PropertyLine } from '../config/properties.js';
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
  standaloneEnabled: bool('false asks for a quorum even with one server.N line (refused: no ensembles yet)', true),
  reconfigEnabled: bool('Accept reconfig; a standalone server then answers it Unimplemented, as ZooKeeper does', false),
  enforceQuota: bool('Refuse creates and setData past a hard quota with QuotaExceeded', false),
  'zookeeper.enforceQuota': bool('enforceQuota by its Java system property name', false),
  'nio.sessionlessCnxnTimeout': int('Milliseconds a new connection has to send its ConnectRequest before it is closed', 10_000, { min: 1 }),
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
  reconfigEnabled: boolean;
  enforceQuota: boolean;
  /** A connection that sends no ConnectRequest within this is closed (ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout). */
  sessionlessCnxnTimeoutMs: number;
}

export interface ParsedZooCfg {
  config: ZooKeeperConfig;
  /** Keys the file set that change nothing in Skein: unknown ones, and a standalone server's server.N. */
  unusedKeys: string[];
}

/** Parses zoo.cfg text, then `key=value` overrides. Throws ConfigError naming the bad key. */
export function parseZooCfg(text: string, overrides: readonly string[] = []): ParsedZooCfg {
  const { values, unknown } = parseConfig(zooCfgSchema, [...parseProperties(text), ...parseOverrides(overrides)]);
  refuseEnsemble(unknown, values.standaloneEnabled);
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
      reconfigEnabled: values.reconfigEnabled,
      enforceQuota: values.enforceQuota || values['zookeeper.enforceQuota'],
      sessionlessCnxnTimeoutMs: values['nio.sessionlessCnxnTimeout'],
    },
    unusedKeys: unknown.map((u) => u.key),
  };
}

/**
 * Throws unless zoo.cfg describes a standalone server. ZooKeeper (QuorumPeerConfig) runs a quorum when
 * more than one server.N line votes, or one does and standaloneEnabled=false; one participant with
 * standaloneEnabled (the default) is standalone. Skein cannot join a quorum yet, and a lone server
 * started from an ensemble's config would be a second, diverging copy of the ensemble's data.
 */
function refuseEnsemble(unknown: readonly PropertyLine[], standaloneEnabled: boolean): void {
  const servers = new Map<string, string>();
  for (const { key, value } of unknown) {
    if (key === 'dynamicConfigFile') {
      throw new ConfigError('dynamicConfigFile: Skein does not yet run ZooKeeper ensembles (remove the key to run standalone)');
    }
    if (key.startsWith('server.')) servers.set(key, value);
  }
  const observers = [...servers].filter(([key, value]) => serverRole(key, value) === 'observer');
  if (standaloneEnabled && servers.size <= 1 && observers.length === 0) return;
  const why = standaloneEnabled ? `${[...servers.keys()].join(', ')} describe an ensemble` : 'standaloneEnabled=false asks for a quorum';
  throw new ConfigError(`${why}: Skein does not yet run ZooKeeper ensembles (at most one server.N line, standaloneEnabled=true)`);
}

/** `host:port:port[:role][;client address]` (first of `|`-separated addresses; IPv6 hosts in brackets). */
function serverRole(key: string, value: string): 'participant' | 'observer' {
  const parts = value.split(';')[0]!.split('|')[0]!.trim().replace(/^\[[^\]]*\]/, 'host').split(':');
  if (!/^\d+$/.test(key.slice('server.'.length)) || parts.length < 3 || parts.length > 4) {
    throw new ConfigError(`${key}: expected server.<id>=host:port:port[:participant|observer][;[address:]port]`);
  }
  const role = (parts[3] ?? 'participant').toLowerCase();
  if (role !== 'participant' && role !== 'observer') throw new ConfigError(`${key}: unrecognised peer type "${parts[3]}"`);
  return role;
}

/** The configuration zoo.cfg defaults give, with `overrides` on top (for `skein start`). */
export function defaultZooKeeperConfig(overrides: Partial<ZooKeeperConfig> = {}): ZooKeeperConfig {
  return { ...parseZooCfg('').config, ...overrides };
}
