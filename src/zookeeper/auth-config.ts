// ZooKeeper's authentication settings. ZooKeeper reads them as Java system properties; a zoo.cfg key it
// does not know becomes the property `zookeeper.<key>`, so each is a zoo.cfg key here under both names
// (`superUser` and `zookeeper.superUser`). The SASL logins come from the JAAS file that
// java.security.auth.login.config names: its Server section's DigestLoginModule user_<name> options
// (DIGEST-MD5) and its Krb5LoginModule entry (GSSAPI: the server's keytab and principal).
import type { PropertyLine } from '../config/properties.js';
import { bool, ConfigError, list, str, type ConfigValues, type KeyDef } from '../config/schema.js';
import { JaasError, parseJaasFile, usersOf, type JaasSection } from '../security/jaas.js';
import type { KeytabEntry } from '../security/kerberos/keytab.js';
import { ReplayCache } from '../security/kerberos/replay-cache.js';
import { KRB5_LOGIN_MODULE, serviceKeysOf } from '../security/kerberos/service-principal.js';
import type { ConfigFiles } from './ensemble-config.js';

const DIGEST_LOGIN_MODULE = 'org.apache.zookeeper.server.auth.DigestLoginModule';

/** The authentication providers ZooKeeper ships, by class name, and the scheme each serves. */
const PROVIDERS = new Map([
  ['org.apache.zookeeper.server.auth.SASLAuthenticationProvider', 'sasl'],
  ['org.apache.zookeeper.server.auth.DigestAuthenticationProvider', 'digest'],
  ['org.apache.zookeeper.server.auth.IPAuthenticationProvider', 'ip'],
  ['org.apache.zookeeper.server.auth.X509AuthenticationProvider', 'x509'],
]);

/**
 * Schemes served whatever authProvider.N says: ZooKeeper always registers ip and digest; Skein also
 * always authenticates a verified client certificate as x509 (ZooKeeper's secure port needs the x509
 * provider for that, which TLS setups always configure).
 */
const BUILT_IN_SCHEMES = ['ip', 'digest', 'x509'];

const AUTH_PROVIDER_KEY = /^(?:zookeeper\.)?authProvider\.[^.]+$/;

/** A key with its alias under ZooKeeper's Java system property name. */
function both<K extends string, T>(key: K, def: KeyDef<T>): Record<K | `zookeeper.${K}`, KeyDef<T>> {
  return { [key]: def, [`zookeeper.${key}`]: { ...def, doc: `${key} by its Java system property name` } } as Record<K | `zookeeper.${K}`, KeyDef<T>>;
}

export const zooAuthSchema = {
  'java.security.auth.login.config': str('JAAS file whose Server section lists the SASL DIGEST-MD5 users (DigestLoginModule user_<name>="<password>") and the GSSAPI keytab (Krb5LoginModule)', undefined),
  ...both('kerberos.removeHostFromPrincipal', bool('GSSAPI: drop the host part of the client principal in its sasl id (user/host@REALM -> user@REALM)', false)),
  ...both('kerberos.removeRealmFromPrincipal', bool('GSSAPI: drop the realm of the client principal in its sasl id (user@REALM -> user)', false)),
  ...both('sasl.serverconfig', str('Section of the JAAS file that holds the server\'s users', 'Server')),
  ...both('enforce.auth.enabled', bool('Close sessions that send a request before authenticating with one of enforce.auth.schemes (SessionClosedRequireSaslAuth)', false)),
  ...both('enforce.auth.schemes', list('Schemes that count as authenticated when enforce.auth.enabled (sasl, digest, x509, ip)', [])),
  ...both('superUser', str('SASL user granted every permission (the super identity)', undefined)),
  'zookeeper.DigestAuthenticationProvider.superDigest': str('DigestAuthenticationProvider.superDigest by its Java system property name', undefined),
};

type AuthValues = ConfigValues<typeof zooAuthSchema>;

/** What ZooKeeper's GSSAPI logins need: the server's keys and how a client principal becomes its sasl id. */
export interface ZooKerberos {
  keys: readonly KeytabEntry[];
  /** One for the server, as Java keeps one per JVM. */
  replayCache: ReplayCache;
  removeHost: boolean;
  removeRealm: boolean;
}

export interface ZooAuthConfig {
  /** SASL DIGEST-MD5 users and their passwords; undefined without a JAAS Server section (SASL logins fail). */
  saslUsers: ReadonlyMap<string, string> | undefined;
  /** GSSAPI, when the JAAS Server section has a Krb5LoginModule entry. */
  kerberos: ZooKerberos | undefined;
  /** With enforce.auth.enabled, the schemes a connection must have authenticated with before its first request. */
  enforceSchemes: ReadonlySet<string> | undefined;
  /** The SASL user that is also the super user (zookeeper.superUser). */
  saslSuperUser: string | undefined;
}

/** Whether `key` is an authProvider.N line (not in the schema: N is any name). */
export function isAuthProviderKey(key: string): boolean {
  return AUTH_PROVIDER_KEY.test(key);
}

function serverSectionOf(values: AuthValues, files: ConfigFiles): { path: string; name: string; section: JaasSection | undefined } | undefined {
  const path = values['java.security.auth.login.config'];
  if (path === undefined) return undefined;
  const text = files.read(path);
  if (text === undefined) throw new ConfigError(`java.security.auth.login.config: ${path} does not exist`);
  let sections;
  try {
    sections = parseJaasFile(text);
  } catch (err) {
    if (err instanceof JaasError) throw new ConfigError(`java.security.auth.login.config: ${path}: ${err.message}`);
    throw err;
  }
  const name = [values['zookeeper.sasl.serverconfig'], values['sasl.serverconfig']].find((n) => n !== 'Server') ?? 'Server';
  return { path, name, section: sections.find((s) => s.name === name) };
}

function saslUsersOf(server: ReturnType<typeof serverSectionOf>, kerberos: ZooKerberos | undefined, warnings: string[]): Map<string, string> | undefined {
  // As ZooKeeper: a JAAS file without the server's section leaves SASL off (kazoo's harness writes an empty one).
  if (!server?.section) return undefined;
  const users = usersOf(server.section.modules, DIGEST_LOGIN_MODULE);
  if (users.size === 0 && !kerberos) warnings.push(`${server.path}: section ${server.name} has neither ${DIGEST_LOGIN_MODULE} users nor a ${KRB5_LOGIN_MODULE} entry, so every SASL login fails`);
  return users;
}

function kerberosOf(values: AuthValues, server: ReturnType<typeof serverSectionOf>): ZooKerberos | undefined {
  const entry = server?.section?.modules.find((m) => m.className === KRB5_LOGIN_MODULE);
  if (!entry) return undefined;
  let keys: KeytabEntry[];
  try {
    keys = serviceKeysOf(entry).keys;
  } catch (err) {
    if (err instanceof JaasError) throw new ConfigError(`java.security.auth.login.config: ${server!.path}: section ${server!.name}: ${err.message}`);
    throw err;
  }
  return {
    keys,
    replayCache: new ReplayCache(),
    removeHost: values['kerberos.removeHostFromPrincipal'] || values['zookeeper.kerberos.removeHostFromPrincipal'],
    removeRealm: values['kerberos.removeRealmFromPrincipal'] || values['zookeeper.kerberos.removeRealmFromPrincipal'],
  };
}

/**
 * The authentication settings from parsed values and the zoo.cfg lines. authProvider.N decides which
 * schemes enforce.auth.schemes may name (ZooKeeper refuses to start on a scheme without its provider).
 */
export function zooAuthOf(values: AuthValues, lines: readonly PropertyLine[], files: ConfigFiles, warnings: string[]): ZooAuthConfig {
  const schemes = new Set(BUILT_IN_SCHEMES);
  for (const line of lines) {
    if (!isAuthProviderKey(line.key)) continue;
    const scheme = PROVIDERS.get(line.value.trim());
    if (scheme) schemes.add(scheme);
    // ZooKeeper logs a provider class it cannot load and carries on without it.
    else warnings.push(`${line.key}=${line.value.trim()}: not a provider Skein has (${[...PROVIDERS.keys()].join(', ')}); ignored`);
  }
  const enforced = values['zookeeper.enforce.auth.enabled'] || values['enforce.auth.enabled'];
  const listed = [...values['enforce.auth.schemes'], ...values['zookeeper.enforce.auth.schemes']];
  let enforceSchemes: Set<string> | undefined;
  if (enforced) {
    if (listed.length === 0) throw new ConfigError('enforce.auth.enabled=true needs enforce.auth.schemes (for example sasl)');
    for (const s of listed) if (!schemes.has(s)) throw new ConfigError(`enforce.auth.schemes: authentication scheme ${s} is not available (add its authProvider.N)`);
    enforceSchemes = new Set(listed);
  }
  const server = serverSectionOf(values, files);
  const kerberos = kerberosOf(values, server);
  return {
    saslUsers: saslUsersOf(server, kerberos, warnings),
    kerberos,
    enforceSchemes,
    saslSuperUser: values['zookeeper.superUser'] ?? values.superUser,
  };
}
