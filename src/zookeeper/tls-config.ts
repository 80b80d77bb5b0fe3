// ZooKeeper's TLS settings for its secure client port (secureClientPort), with ZooKeeper's names
// (they are Java system properties there, zoo.cfg keys as ZooKeeper 3.5+ also reads them). ZooKeeper
// serves TLS only with the Netty connection factory, so serverCnxnFactory names it (or is unset).
import { ConfigError, int, list, str, type KeyDef } from '../config/schema.js';
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

export const zooTlsSchema = {
  secureClientPort: int('Port of TLS client connections; unset serves none', undefined, { min: 0, max: 65535 }),
  secureClientPortAddress: str('Address of the secure client port; defaults to clientPortAddress', undefined),
  serverCnxnFactory,
  'zookeeper.serverCnxnFactory': { ...serverCnxnFactory, doc: 'serverCnxnFactory by its Java system property name' },
  'ssl.keyStore.location': str('Keystore of the secure client port: PKCS12, or PEM with the key and its certificate chain', undefined),
  'ssl.keyStore.password': str('Keystore password (or the PEM key\'s password)', undefined),
  'ssl.keyStore.type': storeType('PKCS12 or PEM; unset infers it from the file name (.p12, .pfx, .pem), as ZooKeeper does'),
  'ssl.trustStore.location': str('Certificates trusted to sign client certificates (PKCS12 or PEM); unset trusts the system\'s', undefined),
  'ssl.trustStore.password': str('Truststore password', undefined),
  'ssl.trustStore.type': storeType('PKCS12 or PEM; unset infers it from the file name'),
  'ssl.clientAuth': clientAuth,
  'ssl.protocol': str('Highest TLS version', 'TLSv1.3'),
  'ssl.enabledProtocols': list('TLS versions accepted; defaults to ssl.protocol and, for TLSv1.3, TLSv1.2', []),
  'ssl.ciphersuites': list('Cipher suites allowed, by IANA (Java) or OpenSSL name; empty allows Node\'s defaults', []),
  'ssl.handshakeDetectionTimeoutMillis': int('A TLS handshake not finished this long after the connection opened closes it', 5000, { min: 1 }),
};

type Values = { [K in keyof typeof zooTlsSchema]: (typeof zooTlsSchema)[K] extends KeyDef<infer T> ? T : never };

export interface SecurePort {
  port: number;
  address: string | undefined;
  spec: TlsSpec;
  handshakeTimeoutMs: number;
}

/** The secure client port from zoo.cfg values, its stores read now; undefined without secureClientPort. */
export function securePortOf(v: Values): SecurePort | undefined {
  if (v.secureClientPort === undefined) return undefined;
  const keystore = v['ssl.keyStore.location'];
  if (keystore === undefined) throw new ConfigError('ssl.keyStore.location: secureClientPort needs a keystore');
  const truststore = v['ssl.trustStore.location'];
  try {
    const protocols = v['ssl.enabledProtocols'].length > 0 ? v['ssl.enabledProtocols'] : v['ssl.protocol'] === 'TLSv1.3' ? ['TLSv1.2', 'TLSv1.3'] : [v['ssl.protocol']];
    const spec: TlsSpec = {
      keystore: { type: v['ssl.keyStore.type'] ?? storeTypeFromName(keystore), location: keystore, password: v['ssl.keyStore.password'] },
      truststore: truststore === undefined ? undefined : { type: v['ssl.trustStore.type'] ?? storeTypeFromName(truststore), location: truststore, password: v['ssl.trustStore.password'] },
      ...protocolRange(protocols, v['ssl.enabledProtocols'].length > 0 ? 'ssl.enabledProtocols' : 'ssl.protocol'),
      ciphers: cipherList(v['ssl.ciphersuites'], 'ssl.ciphersuites'),
      clientAuth: v['ssl.clientAuth'],
      keyNames: { keystore: 'ssl.keyStore.location', truststore: 'ssl.trustStore.location', protocols: 'ssl.enabledProtocols', ciphers: 'ssl.ciphersuites' },
    };
    // Read the stores now, so a wrong path or password stops the start before anything listens.
    loadTlsOptions(spec);
    return { port: v.secureClientPort, address: v.secureClientPortAddress, spec, handshakeTimeoutMs: v['ssl.handshakeDetectionTimeoutMillis'] };
  } catch (err) {
    if (err instanceof TlsConfigError) throw new ConfigError(err.message);
    throw err;
  }
}
