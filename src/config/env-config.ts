// Configuration from the environment, as container users set it: `KAFKA_CFG_<KEY>` for server.properties
// keys and `ZOO_CFG_<KEY>` for zoo.cfg keys. The entries come after the file's and before --override's,
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

/** ZOO_CFG_* as zoo.cfg entries, keys matched against `knownKeys` (the zoo.cfg schema's). */
export function zooEnvSettings(env: Environment, knownKeys: Iterable<string>): EnvSetting[] {
  const keys = [...knownKeys];
  return prefixed(env, ZOO_ENV_PREFIX).map(([variable, value]) => ({ key: zooKeyOf(variable.slice(ZOO_ENV_PREFIX.length), keys), value, line: 0, variable }));
}
