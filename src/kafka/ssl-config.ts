// Kafka's ssl.* broker settings, with Kafka's names and defaults. Each may also be given for one listener
// as listener.name.<listener>.ssl.<key> (listener name lower-cased), which wins for that listener, as in
// Kafka. A listener whose security protocol is SSL speaks TLS with them; the inter-broker listener's
// settings are also what this broker's own connections to other brokers use as a client.
import type { SecureVersion } from 'node:tls';
import type { PropertyLine } from '../config/properties.js';
import { ConfigError, list, oneOf, parseConfig, password, str, type ConfigValues, type KeyDef } from '../config/schema.js';
import { PrincipalMapper, PrincipalMappingError } from '../security/principal-mapping.js';
import { cipherList, loadTlsOptions, protocolRange, PROTOCOLS, TlsConfigError, type StoreType, type TlsSpec } from '../security/tls-material.js';

const STORE_TYPES = ['JKS', 'PKCS12', 'PEM'] as const;

function storeType(doc: string): KeyDef<StoreType> {
  const base = oneOf(doc, 'JKS', STORE_TYPES);
  return { ...base, parse: (raw) => base.parse(raw.toUpperCase()) };
}

export const sslSchema = {
  'ssl.keystore.type': storeType('Keystore format: PKCS12 or PEM (JKS files must be converted to PKCS12; a PKCS12 file is read whatever this says).'),
  'ssl.keystore.location': str('Keystore file: PKCS12, or PEM holding the private key and its certificate chain.', undefined),
  'ssl.keystore.password': password('Keystore password (PKCS12), or the PEM key\'s password when ssl.key.password is unset.'),
  'ssl.key.password': password('Password of the private key in the keystore (an encrypted PEM key).'),
  'ssl.keystore.certificate.chain': password('Certificate chain in PEM, given in the config instead of a file (with ssl.keystore.type=PEM).'),
  'ssl.keystore.key': password('Private key in PEM, given in the config instead of a file (with ssl.keystore.type=PEM).'),
  'ssl.truststore.type': storeType('Truststore format: PKCS12 or PEM.'),
  'ssl.truststore.location': str('Truststore file: the certificates trusted to sign peers\' certificates. Unset trusts the system\'s certificate authorities.', undefined),
  'ssl.truststore.password': password('Truststore password (PKCS12).'),
  'ssl.truststore.certificates': password('Trusted certificates in PEM, given in the config instead of a file (with ssl.truststore.type=PEM).'),
  'ssl.client.auth': oneOf('Client certificates: none, requested (verified when sent), or required.', 'none', ['none', 'requested', 'required']),
  'ssl.enabled.protocols': list('TLS versions accepted.', ['TLSv1.2', 'TLSv1.3']),
  'ssl.protocol': str('Highest TLS version (TLS means no limit beyond ssl.enabled.protocols).', 'TLSv1.3'),
  'ssl.cipher.suites': list('Cipher suites allowed, by IANA (Java) or OpenSSL name; empty allows Node\'s defaults.', []),
  'ssl.endpoint.identification.algorithm': str('https: this broker, as a client of other brokers, checks their certificate names their host; empty does not.', 'https'),
  'ssl.principal.mapping.rules': str('Client certificate distinguished name to user name: DEFAULT or RULE:pattern/replacement/[LU],...', 'DEFAULT'),
};

/** JVM-only TLS knobs: accepted without effect. */
export const SSL_NOT_APPLICABLE = new Set([
  'ssl.provider',
  'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm',
  'ssl.secure.random.implementation',
  'ssl.engine.factory.class',
  'ssl.allow.dn.changes',
  'ssl.allow.san.changes',
]);

export type SslValues = ConfigValues<typeof sslSchema>;

/** A listener's TLS: what its server side uses, and how its connections' principals are named. */
export interface ListenerTls {
  spec: TlsSpec;
  principals: PrincipalMapper;
  /** For this broker's own connections to the listener on other brokers: check the host name in their certificate. */
  verifyHostname: boolean;
}

const LISTENER_KEY = /^listener\.name\.([^.]+)\.(.+)$/;

/**
 * Splits per-listener entries (listener.name.<l>.<key>) from the rest. Keys other than ssl.* under a
 * listener prefix (sasl.*, a KRaft controller's) are returned as `other` for the caller to report.
 */
export function splitListenerEntries(entries: readonly PropertyLine[]): { global: PropertyLine[]; byListener: Map<string, PropertyLine[]>; other: PropertyLine[] } {
  const global: PropertyLine[] = [];
  const other: PropertyLine[] = [];
  const byListener = new Map<string, PropertyLine[]>();
  for (const e of entries) {
    const m = LISTENER_KEY.exec(e.key);
    if (!m) {
      global.push(e);
      continue;
    }
    const key = m[2]!;
    if (!Object.hasOwn(sslSchema, key) && !SSL_NOT_APPLICABLE.has(key)) {
      other.push(e);
      continue;
    }
    const listener = m[1]!.toUpperCase();
    const list = byListener.get(listener) ?? [];
    list.push({ ...e, key });
    byListener.set(listener, list);
  }
  return { global, byListener, other };
}

/** The ssl values for one listener: the global ones with its own on top. Throws ConfigError naming the key. */
export function sslValuesFor(globalEntries: readonly PropertyLine[], own: readonly PropertyLine[], listener: string): SslValues {
  const pick = (entries: readonly PropertyLine[]) => entries.filter((e) => Object.hasOwn(sslSchema, e.key));
  try {
    return parseConfig(sslSchema, [...pick(globalEntries), ...pick(own)]).values;
  } catch (err) {
    if (err instanceof ConfigError && own.length > 0) throw new ConfigError(`listener ${listener}: ${err.message}`);
    throw err;
  }
}

/**
 * The TLS spec of ssl values, on either side of a connection (a server's keystore requirement is the
 * caller's); `name` turns a key into what messages cite. Throws TlsConfigError.
 */
export function tlsSpecOf(v: SslValues, name: (key: string) => string): TlsSpec {
  const hasPemInline = v['ssl.keystore.certificate.chain'] !== undefined || v['ssl.keystore.key'] !== undefined;
  if (hasPemInline && v['ssl.keystore.type'] !== 'PEM') throw new ConfigError(`${name('ssl.keystore.type')}: must be PEM when the key and chain are given in the config`);
  if (hasPemInline && v['ssl.keystore.location'] !== undefined) {
    throw new ConfigError(`${name('ssl.keystore.location')}: give either a keystore file or ssl.keystore.key with ssl.keystore.certificate.chain, not both`);
  }
  if (v['ssl.truststore.certificates'] !== undefined && v['ssl.truststore.location'] !== undefined) {
    throw new ConfigError(`${name('ssl.truststore.location')}: give either a truststore file or ssl.truststore.certificates, not both`);
  }
  if (v['ssl.truststore.certificates'] !== undefined && v['ssl.truststore.type'] !== 'PEM') {
    throw new ConfigError(`${name('ssl.truststore.type')}: must be PEM when ssl.truststore.certificates is given`);
  }
  const enabled = v['ssl.enabled.protocols'];
  protocolRange(enabled, name('ssl.enabled.protocols'));
  // ssl.protocol caps the versions (an SSLContext for TLSv1.2 offers nothing newer); TLS caps nothing.
  const cap = v['ssl.protocol'];
  const capIndex = cap === 'TLS' ? PROTOCOLS.length : PROTOCOLS.indexOf(protocolRange([cap], name('ssl.protocol')).maxVersion);
  const allowed = enabled.filter((p) => PROTOCOLS.indexOf(p as SecureVersion) <= capIndex);
  if (allowed.length === 0) throw new TlsConfigError(`${name('ssl.protocol')}: ${cap} is below every protocol in ssl.enabled.protocols`);
  const range = protocolRange(allowed, name('ssl.enabled.protocols'));
  return {
    // A client without a keystore has no certificate to show.
    keystore:
      v['ssl.keystore.location'] !== undefined || hasPemInline
        ? {
            type: v['ssl.keystore.type'] === 'PEM' ? 'PEM' : 'PKCS12',
            location: v['ssl.keystore.location'],
            password: v['ssl.keystore.password'],
            keyPassword: v['ssl.key.password'],
            certificateChain: v['ssl.keystore.certificate.chain'],
            key: v['ssl.keystore.key'],
          }
        : undefined,
    truststore:
      v['ssl.truststore.location'] !== undefined || v['ssl.truststore.certificates'] !== undefined
        ? {
            type: v['ssl.truststore.type'] === 'PEM' ? 'PEM' : 'PKCS12',
            location: v['ssl.truststore.location'],
            password: v['ssl.truststore.password'],
            certificates: v['ssl.truststore.certificates'],
          }
        : undefined,
    ...range,
    ciphers: cipherList(v['ssl.cipher.suites'], name('ssl.cipher.suites')),
    clientAuth: v['ssl.client.auth'],
    keyNames: {
      keystore: name(v['ssl.keystore.location'] !== undefined ? 'ssl.keystore.location' : 'ssl.keystore.key'),
      truststore: name(v['ssl.truststore.location'] !== undefined ? 'ssl.truststore.location' : 'ssl.truststore.certificates'),
      protocols: name('ssl.enabled.protocols'),
      ciphers: name('ssl.cipher.suites'),
    },
  };
}

/** ssl.endpoint.identification.algorithm: https checks the peer's certificate names its host. Throws TlsConfigError. */
export function verifyHostnameOf(v: SslValues, name: (key: string) => string): boolean {
  const algorithm = v['ssl.endpoint.identification.algorithm'].trim().toLowerCase();
  if (algorithm !== '' && algorithm !== 'https') throw new TlsConfigError(`${name('ssl.endpoint.identification.algorithm')}: expected https or empty, got "${algorithm}"`);
  return algorithm === 'https';
}

/** A listener's TLS from its ssl values; a broker with an SSL listener must have a keystore. */
export function listenerTlsOf(v: SslValues, listener: string): ListenerTls {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  const name = (key: string) => `${key} (or ${prefix}${key})`;
  if (v['ssl.keystore.location'] === undefined && v['ssl.keystore.certificate.chain'] === undefined && v['ssl.keystore.key'] === undefined) {
    throw new ConfigError(`${name('ssl.keystore.location')}: listener ${listener} speaks SSL and needs a keystore (or ssl.keystore.type=PEM with ssl.keystore.certificate.chain and ssl.keystore.key)`);
  }
  try {
    const spec = tlsSpecOf(v, name);
    const principals = PrincipalMapper.parse(v['ssl.principal.mapping.rules']);
    // Read the stores now, so a wrong path or password stops the start before anything listens.
    loadTlsOptions(spec);
    return { spec, principals, verifyHostname: verifyHostnameOf(v, name) };
  } catch (err) {
    if (err instanceof TlsConfigError) throw new ConfigError(err.message);
    if (err instanceof PrincipalMappingError) throw new ConfigError(`${name('ssl.principal.mapping.rules')}: ${err.message}`);
    throw err;
  }
}
