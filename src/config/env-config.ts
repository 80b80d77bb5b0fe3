// Configuration from the environment, as container users set it: `KAFKA_CFG_<KEY>` for server.properties
// keys and `ZOO_CFG_<KEY>` for zoo.cfg keys, and the `-Dkey=value` Java system properties that zkServer.sh
// users put in SERVER_JVMFLAGS / JVMFLAGS. The entries come after the file's and before --override's,
// so the precedence is file < environment < --override. Each entry keeps the variable it came from, so
// `skein config show` and error messages can name it.
import type { PropertyLine } from './properties.js';

export const KAFKA_ENV_PREFIX = 'KAFKA_CFG_';
export const ZOO_ENV_PREFIX = 'ZOO_CFG_';

/** A setting from the environment: the key it sets and the variable that set it. */
export interface EnvSetting extends PropertyLine {
  variable: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** The variables with `prefix`, in name order so the result does not depend on how the environment is ordered. */
function prefixed(env: Environment, prefix: string): [string, string][] {
  return Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(prefix) && e[0].length > prefix.length && e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Bitnami's mapping for server.properties keys: lower case, `_` becomes `.` (KAFKA_CFG_LOG_DIRS → log.dirs).
 * A doubled `__` stands for a literal `_`, for the few keys that hold one
 * (KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP is dots only; a key like `foo_bar.baz` is FOO__BAR_BAZ).
 */
export function kafkaKeyOf(suffix: string): string {
  return suffix
    .toLowerCase()
    .split('__')
    .map((part) => part.replaceAll('_', '.'))
    .join('_');
}

/** KAFKA_CFG_* as server.properties entries. */
export function kafkaEnvSettings(env: Environment): EnvSetting[] {
  return prefixed(env, KAFKA_ENV_PREFIX).map(([variable, value]) => ({ key: kafkaKeyOf(variable.slice(KAFKA_ENV_PREFIX.length)), value, line: 0, variable }));
}

/** A key with case, dots and underscores dropped: what a variable name can still say about it. */
function folded(key: string): string {
  return key.replace(/[._]/g, '').toLowerCase();
}

/**
 * zoo.cfg keys are camelCase (tickTime, initLimit) as well as dotted (autopurge.purgeInterval), which an
 * upper-case variable name cannot spell. So a ZOO_CFG_ variable names a known key when its name, folded
 * (case, `_` and `.` dropped), is that key folded: ZOO_CFG_TICK_TIME and ZOO_CFG_TICKTIME are tickTime,
 * ZOO_CFG_AUTOPURGE_PURGE_INTERVAL is autopurge.purgeInterval. ZOO_CFG_SERVER_<N> is server.N (the
 * ensemble's members). Anything else falls back to Bitnami's lower-case dotted form, so an unknown key is
 * reported as unknown rather than dropped.
 */
export function zooKeyOf(suffix: string, knownKeys: Iterable<string>): string {
  const server = /^SERVER_(\d+)$/i.exec(suffix);
  if (server) return `server.${server[1]}`;
  const wanted = folded(suffix);
  for (const key of knownKeys) if (folded(key) === wanted) return key;
  return kafkaKeyOf(suffix);
}

/** zkServer.sh passes both to the server's JVM, SERVER_JVMFLAGS first, so a later -D of JVMFLAGS wins. */
const JVM_FLAG_VARIABLES = ['SERVER_JVMFLAGS', 'JVMFLAGS'];

/**
 * The `-Dkey=value` flags of SERVER_JVMFLAGS and JVMFLAGS that are zoo.cfg settings: ZooKeeper reads many
 * of its settings as system properties (java.security.auth.login.config, zookeeper.superUser,
 * zookeeper.authProvider.N, readonlymode.enabled). Keys that are known, or ZooKeeper's own `zookeeper.*`
 * (reported as unused when Skein has no use for them), count; the JVM's other flags (-Xmx, log4j) do not.
 * Values cannot contain spaces: the shell splits these variables on whitespace, as zkServer.sh does.
 */
function jvmFlagSettings(env: Environment, knownKeys: ReadonlySet<string>): EnvSetting[] {
  const settings: EnvSetting[] = [];
  for (const variable of JVM_FLAG_VARIABLES) {
    for (const flag of (env[variable] ?? '').split(/\s+/)) {
      const m = /^-D([^=]+)=(.*)$/.exec(flag);
      if (m && (knownKeys.has(m[1]!) || m[1]!.startsWith('zookeeper.'))) settings.push({ key: m[1]!, value: m[2]!, line: 0, variable });
    }
  }
  return settings;
}

/**
 * zoo.cfg entries from the environment: SERVER_JVMFLAGS / JVMFLAGS system properties, then ZOO_CFG_* (keys
 * matched against `knownKeys`, the zoo.cfg schema's), which win.
 */
export function zooEnvSettings(env: Environment, knownKeys: Iterable<string>): EnvSetting[] {
  const keys = [...knownKeys];
  return [
    ...jvmFlagSettings(env, new Set(keys)),
    ...prefixed(env, ZOO_ENV_PREFIX).map(([variable, value]) => ({ key: zooKeyOf(variable.slice(ZOO_ENV_PREFIX.length), keys), value, line: 0, variable })),
  ];
}
