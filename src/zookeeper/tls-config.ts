// ZooKeeper's TLS settings for its secure client port (secureClientPort) and between ensemble servers
// (sslQuorum), with ZooKeeper's names (they are Java system properties there, zoo.cfg keys as ZooKeeper
// 3.5+ also reads them). ZooKeeper
// serves TLS only with the Netty connection factory, so serverCnxnFactory names it (or is unset).
import { bool, ConfigError, int, list, str, type KeyDef } from '../config/schema.js';
import { cipherList, loadTlsOptions, protocolRange, storeTypeFromName, TlsConfigError, type ClientAuth, type StoreType, type TlsSpec } from '../security/tls-material.js';

/** ZooKeeper's ssl.clientAuth: NONE, WANT or NEED (its default), any case. */
const clientAuth: KeyDef<ClientAuth> = {
  doc: 'Client certificates on the secure port: none, want (verified when sent) or need',
  default: 'required',
  parse(raw) {
    const v = raw.trim().toLowerCase();
    if (v === 'none') return 'none';
    if (v === 'want') return 'requested';
    if (v === 'need') return 'required';
    throw new Error(`expected none, want or need, got "${raw}"`);
  },
};

const STORE_TYPES = ['JKS', 'PEM', 'PKCS12', 'BCFKS'];

function storeType(doc: string): KeyDef<StoreType | undefined> {
  return {
    doc,
    default: undefined,
    parse(raw) {
      const v = raw.trim().toUpperCase();
      if (!STORE_TYPES.includes(v)) throw new Error(`expected one of ${STORE_TYPES.join(', ')}, got "${raw}"`);
      if (v === 'BCFKS') throw new Error('BCFKS (Bouncy Castle FIPS) stores cannot be read; use PKCS12 or PEM');
      return v as StoreType;
    },
  };
}

/** The Netty factory (ZooKeeper's, and the shaded name some distributions use) or the NIO one. */
const CONNECTION_FACTORIES = ['org.apache.zookeeper.server.NettyServerCnxnFactory', 'org.apache.zookeeper.server.NIOServerCnxnFactory'];

const serverCnxnFactory: KeyDef<string | undefined> = {
  doc: 'ZooKeeper\'s connection factory class; accepted for compatibility (Skein has one, and it speaks TLS)',
  default: undefined,
  parse(raw) {
    const v = raw.trim();
    if (!CONNECTION_FACTORIES.includes(v)) throw new Error(`expected one of ${CONNECTION_FACTORIES.join(', ')}, got "${raw}"`);
    return v;
  },
};

/**
 * The settings one TLS side reads, without its prefix: ZooKeeper names them ssl.* for the secure client
 * port and ssl.quorum.* for connections between ensemble servers (QuorumX509Util), same suffixes.
 */
function tlsKeys(what: string) {
  return {
    'keyStore.location': str(`Keystore of ${what}: PKCS12, or PEM with the key and its certificate chain`, undefined),
    'keyStore.password': str('Keystore password (or the PEM key\'s password)', undefined),
    'keyStore.type': storeType('PKCS12 or PEM; unset infers it from the file name (.p12, .pfx, .pem), as ZooKeeper does'),
    'trustStore.location': str(`Certificates trusted to sign the certificates of the other side of ${what} (PKCS12 or PEM); unset trusts the system's`, undefined),
    'trustStore.password': str('Truststore password', undefined),
    'trustStore.type': storeType('PKCS12 or PEM; unset infers it from the file name'),
    clientAuth: { ...clientAuth, doc: `Certificates of connecting clients on ${what}: none, want (verified when sent) or need` },
    protocol: str('Highest TLS version', 'TLSv1.3'),
    enabledProtocols: list('TLS versions accepted; defaults to the protocol setting and, for TLSv1.3, TLSv1.2', []),
    ciphersuites: list('Cipher suites allowed, by IANA (Java) or OpenSSL name; empty allows Node\'s defaults', []),
    handshakeDetectionTimeoutMillis: int('A TLS handshake not finished this long after the connection opened closes it', 5000, { min: 1 }),
  };
}

type TlsKeys = ReturnType<typeof tlsKeys>;
type TlsValues = { [K in keyof TlsKeys]: TlsKeys[K] extends KeyDef<infer T> ? T : never };

/** `keys` under `prefix`, typed by their full names. */
function prefixed<const P extends string>(prefix: P, keys: TlsKeys): { [K in keyof TlsKeys & string as `${P}${K}`]: TlsKeys[K] } {
  return Object.fromEntries(Object.entries(keys).map(([k, def]) => [`${prefix}${k}`, def])) as never;
}

/** One side's values from the whole zoo.cfg values. */
function unprefixed(values: Record<string, unknown>, prefix: string): TlsValues {
  return Object.fromEntries(Object.keys(tlsKeys('')).map((k) => [k, values[`${prefix}${k}`]])) as TlsValues;
}

export const zooTlsSchema = {
  secureClientPort: int('Port of TLS client connections; unset serves none', undefined, { min: 0, max: 65535 }),
  secureClientPortAddress: str('Address of the secure client port; defaults to clientPortAddress', undefined),
  serverCnxnFactory,
  'zookeeper.serverCnxnFactory': { ...serverCnxnFactory, doc: 'serverCnxnFactory by its Java system property name' },
  ...prefixed('ssl.', tlsKeys('the secure client port')),
  sslQuorum: bool('TLS, with certificates on both sides, between ensemble servers (ssl.quorum.* settings)', false),
  portUnification: bool('The quorum port accepts TLS and plaintext peers alike (for turning sslQuorum on or off one server at a time)', false),
  ...prefixed('ssl.quorum.', tlsKeys('the quorum port')),
  'ssl.quorum.hostnameVerification': bool('Each server checks that the other\'s certificate names its address (both directions, as ZooKeeper\'s quorum does)', true),
};

type Values = { [K in keyof typeof zooTlsSchema]: (typeof zooTlsSchema)[K] extends KeyDef<infer T> ? T : never };

export interface SecurePort {
  port: number;
  address: string | undefined;
  spec: TlsSpec;
  handshakeTimeoutMs: number;
}

/** One side's TLS spec (stores read now, to refuse a wrong path or password before anything listens). */
function tlsSpecOf(v: TlsValues, prefix: string, what: string): TlsSpec {
  const key = (suffix: keyof TlsValues) => `${prefix}${suffix}`;
  const keystore = v['keyStore.location'];
  if (keystore === undefined) throw new ConfigError(`${key('keyStore.location')}: ${what} needs a keystore`);
  const truststore = v['trustStore.location'];
  try {
    const protocols = v.enabledProtocols.length > 0 ? v.enabledProtocols : v.protocol === 'TLSv1.3' ? ['TLSv1.2', 'TLSv1.3'] : [v.protocol];
    const spec: TlsSpec = {
      keystore: { type: v['keyStore.type'] ?? storeTypeFromName(keystore), location: keystore, password: v['keyStore.password'] },
      truststore: truststore === undefined ? undefined : { type: v['trustStore.type'] ?? storeTypeFromName(truststore), location: truststore, password: v['trustStore.password'] },
      ...protocolRange(protocols, key(v.enabledProtocols.length > 0 ? 'enabledProtocols' : 'protocol')),
      ciphers: cipherList(v.ciphersuites, key('ciphersuites')),
      clientAuth: v.clientAuth,
      keyNames: { keystore: key('keyStore.location'), truststore: key('trustStore.location'), protocols: key('enabledProtocols'), ciphers: key('ciphersuites') },
    };
    loadTlsOptions(spec);
    return spec;
  } catch (err) {
    if (err instanceof TlsConfigError) throw new ConfigError(err.message);
    throw err;
  }
}

/** The secure client port from zoo.cfg values, its stores read now; undefined without secureClientPort. */
export function securePortOf(v: Values): SecurePort | undefined {
  if (v.secureClientPort === undefined) return undefined;
  const side = unprefixed(v, 'ssl.');
  const spec = tlsSpecOf(side, 'ssl.', 'secureClientPort');
  return { port: v.secureClientPort, address: v.secureClientPortAddress, spec, handshakeTimeoutMs: side.handshakeDetectionTimeoutMillis };
}

/** TLS between ensemble servers (sslQuorum, portUnification and ssl.quorum.*). */
export interface QuorumTls {
  /** Dial peers over TLS (sslQuorum); without it, only accept TLS beside plaintext (portUnification). */
  dialTls: boolean;
  /** Accept plaintext peers beside TLS ones (portUnification). */
  acceptPlaintext: boolean;
  spec: TlsSpec;
  hostnameVerification: boolean;
  handshakeTimeoutMs: number;
}

/** Quorum TLS from zoo.cfg values, its stores read now; undefined when neither sslQuorum nor portUnification is on. */
export function quorumTlsOf(v: Values): QuorumTls | undefined {
  if (!v.sslQuorum && !v.portUnification) return undefined;
  const side = unprefixed(v, 'ssl.quorum.');
  const spec = tlsSpecOf(side, 'ssl.quorum.', v.sslQuorum ? 'sslQuorum' : 'portUnification');
  return {
    dialTls: v.sslQuorum,
    acceptPlaintext: v.portUnification,
    spec,
    hostnameVerification: v['ssl.quorum.hostnameVerification'],
    handshakeTimeoutMs: side.handshakeDetectionTimeoutMillis,
  };
}
