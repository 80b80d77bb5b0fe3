// zoo.cfg: the keys Skein's ZooKeeper server understands, with ZooKeeper's names and defaults except
// where noted (four-letter-word whitelist, extended types).
import { parseProperties, type PropertyLine } from '../config/properties.js';
import { bool, ConfigError, int, list, parseConfig, parseOverrides, str, type KeyDef } from '../config/schema.js';
import { FOUR_LETTER_WORDS } from '../../protocol/zookeeper/four-letter.js';
import { NO_FILES, parseEnsemble, type ConfigFiles, type Ensemble, type PeerRole } from './ensemble-config.js';
import { quorumTlsOf, securePortOf, zooTlsSchema, type QuorumTls, type SecurePort } from './tls-config.js';
import { isAuthProviderKey, zooAuthOf, zooAuthSchema, type ZooAuthConfig } from './auth-config.js';

/**
 * Four-letter words answered when zoo.cfg names none: health and counts only. Nothing that names a client
 * address (stat, cons), a session or path (dump, wch*), a file path or setting (conf) or the host, user and
 * directories (envi); ZooKeeper's own default is srvr alone.
 */
export const DEFAULT_FOUR_LETTER_WORDS = ['srvr', 'ruok', 'isro', 'mntr', 'wchs', 'dirs'];

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

const peerType: KeyDef<PeerRole | undefined> = {
  doc: "This server's role; the server.N list overrides it (with a warning), as in ZooKeeper",
  default: undefined,
  parse(raw) {
    const v = raw.toLowerCase();
    if (v === 'participant' || v === 'observer') return v;
    throw new Error(`expected participant or observer, got "${raw}"`);
  },
};

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
  'X509AuthenticationProvider.superUser': str('X.500 name (RFC 2253) of a client certificate granted every permission on the secure port', undefined),
  'znode.container.checkIntervalMs': int('Interval of the sweep deleting empty containers and expired TTL nodes', 60_000, {
    min: 1,
  }),
  standaloneEnabled: bool('false asks for a quorum even with one server.N line', true),
  dynamicConfigFile: str('File holding the server.N lines (ZooKeeper 3.5+); its name ends in the hex config version', undefined),
  initLimit: int('Ticks a follower has to connect to and sync with the leader (ensembles only; required there)', undefined, { min: 1 }),
  syncLimit: int('Ticks a follower may lag the leader (ensembles only; required there)', undefined, { min: 1 }),
  peerType,
  'readonlymode.enabled': bool('A server cut off from the quorum serves reads (ZooKeeper\'s system property as a key)', false),
  reconfigEnabled: bool('Accept reconfig; a standalone server then answers it Unimplemented, as ZooKeeper does', false),
  enforceQuota: bool('Refuse creates and setData past a hard quota with QuotaExceeded', false),
  'zookeeper.enforceQuota': bool('enforceQuota by its Java system property name', false),
  'nio.sessionlessCnxnTimeout': int('Milliseconds a new connection has to send its ConnectRequest before it is closed', 10_000, { min: 1 }),
  ...zooTlsSchema,
  ...zooAuthSchema,
  // Skein's own: one HTTP listener for /metrics, the AdminServer's /commands, /healthz and /readyz.
  'http.port': int('Port of the HTTP listener (/metrics, /commands/<name>, /healthz, /readyz, the web console at /); unset: none', undefined, { min: 0, max: 65535 }),
  'http.host': str('Address the HTTP listener binds', '127.0.0.1'),
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
  /** A TLS client whose certificate names this is the super user (X509AuthenticationProvider.superUser). */
  x509SuperUser: string | undefined;
  /** SASL users, authentication providers, enforce.auth and the SASL super user. */
  auth: ZooAuthConfig;
  containerCheckIntervalMs: number;
  reconfigEnabled: boolean;
  enforceQuota: boolean;
  /** A connection that sends no ConnectRequest within this is closed (ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout). */
  sessionlessCnxnTimeoutMs: number;
  /**
   * Whether the plaintext clientPort is served: as in ZooKeeper, a zoo.cfg with secureClientPort and no
   * clientPort (nor a client address on its server.N line) serves TLS only.
   */
  servePlaintext: boolean;
  /** The TLS client port (secureClientPort), if any. */
  secure: SecurePort | undefined;
  /** TLS between ensemble servers (sslQuorum, portUnification), if on; always undefined for a standalone server. */
  quorumTls: QuorumTls | undefined;
  /** The HTTP listener's address; no listener when the port is undefined. */
  http: { host: string; port: number | undefined };
}

export interface ParsedZooCfg {
  config: ZooKeeperConfig;
  /** The ensemble this server is a member of, or null for a standalone server. */
  ensemble: Ensemble | null;
  /** Legal but unwise settings, for the log. */
  warnings: readonly string[];
  /** Keys the file set that change nothing in Skein: unknown ones, and a standalone server's ensemble keys. */
  unusedKeys: string[];
}

/** Keys only an ensemble reads; a standalone server reports them unused. */
const ENSEMBLE_KEYS = new Set(['dynamicConfigFile', 'initLimit', 'syncLimit', 'peerType', 'readonlymode.enabled', 'sslQuorum', 'portUnification']);

/**
 * Parses zoo.cfg text, then `key=value` overrides, reading `dataDir/myid` and `dynamicConfigFile` through
 * `files` when the config names servers. Throws ConfigError naming the bad key.
 */
export function parseZooCfg(text: string, overrides: readonly string[] = [], files: ConfigFiles = NO_FILES): ParsedZooCfg {
  return parseZooCfgLines([...parseProperties(text), ...parseOverrides(overrides)], files);
}

/** As parseZooCfg, from entries already layered (file, environment, overrides: the last for a key wins). */
export function parseZooCfgLines(lines: readonly PropertyLine[], files: ConfigFiles = NO_FILES): ParsedZooCfg {
  const { values, unknown } = parseConfig(zooCfgSchema, lines);
  // ZooKeeper takes zoo.cfg's client address into account only when clientPort is set there.
  const clientPortSet = lines.some((l) => l.key === 'clientPort');
  const { ensemble, warnings } = parseEnsemble({
    lines,
    files,
    dataDir: values.dataDir,
    standaloneEnabled: values.standaloneEnabled,
    extendedTypesEnabled: values.extendedTypesEnabled,
    peerType: values.peerType,
    initLimit: values.initLimit,
    syncLimit: values.syncLimit,
    readOnlyModeEnabled: values['readonlymode.enabled'],
    clientAddress: clientPortSet ? { host: values.clientPortAddress, port: values.clientPort } : null,
  });
  const unknownKeys = new Set(unknown.map((u) => u.key));
  const unusedKeys = [
    ...new Set(
      lines
        .map((l) => l.key)
        .filter((k) => !isAuthProviderKey(k))
        .filter((k) => (ensemble ? unknownKeys.has(k) && !k.startsWith('server.') : unknownKeys.has(k) || ENSEMBLE_KEYS.has(k))),
    ),
  ];
  const client = ensemble?.me.client;
  const tickTime = values.tickTime;
  const minSessionTimeout = values.minSessionTimeout === -1 ? 2 * tickTime : values.minSessionTimeout;
  const maxSessionTimeout = values.maxSessionTimeout === -1 ? 20 * tickTime : values.maxSessionTimeout;
  if (minSessionTimeout > maxSessionTimeout) {
    throw new ConfigError(`minSessionTimeout (${minSessionTimeout}) is above maxSessionTimeout (${maxSessionTimeout})`);
  }
  const authWarnings: string[] = [];
  const auth = zooAuthOf(values, lines, files, authWarnings);
  const words = values['4lw.commands.whitelist'];
  const fourLetterWords = new Set<string>(words.includes('*') ? FOUR_LETTER_WORDS : words);
  // zkServer.sh status depends on srvr, so ZooKeeper always answers it.
  fourLetterWords.add('srvr');
  return {
    config: {
      tickTime,
      dataDir: values.dataDir,
      dataLogDir: values.dataLogDir ?? values.dataDir,
      clientPort: client?.port ?? values.clientPort,
      clientPortAddress: client?.host ?? values.clientPortAddress,
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
      superDigest: values['zookeeper.DigestAuthenticationProvider.superDigest'] ?? values['DigestAuthenticationProvider.superDigest'],
      x509SuperUser: values['X509AuthenticationProvider.superUser'],
      auth,
      containerCheckIntervalMs: values['znode.container.checkIntervalMs'],
      reconfigEnabled: values.reconfigEnabled,
      enforceQuota: values.enforceQuota || values['zookeeper.enforceQuota'],
      sessionlessCnxnTimeoutMs: values['nio.sessionlessCnxnTimeout'],
      servePlaintext: clientPortSet || Boolean(client) || values.secureClientPort === undefined,
      secure: securePortOf(values),
      quorumTls: ensemble ? quorumTlsOf(values) : undefined,
      http: { host: values['http.host'], port: values['http.port'] },
    },
    ensemble,
    warnings: [...warnings, ...authWarnings],
    unusedKeys,
  };
}

/** The configuration zoo.cfg defaults give, with `overrides` on top. */
export function defaultZooKeeperConfig(overrides: Partial<ZooKeeperConfig> = {}): ZooKeeperConfig {
  return { ...parseZooCfg('').config, ...overrides };
}
