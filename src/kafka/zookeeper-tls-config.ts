// The broker as a TLS client of ZooKeeper (KIP-515): Kafka's zookeeper.ssl.* settings, for a ZooKeeper
// that serves clients on its secureClientPort. zookeeper.connect then names the secure ports.
import { bool, ConfigError, list, password, str, type ConfigValues, type KeyDef } from '../config/schema.js';
import type { ConnectTls } from '../net/client-socket.js';
import { cipherList, loadTlsOptions, protocolRange, storeTypeFromName, TlsConfigError, type StoreType } from '../security/tls-material.js';

function storeType(doc: string): KeyDef<StoreType | undefined> {
  return {
    doc,
    default: undefined,
    type: 'STRING',
    parse(raw) {
      const v = raw.trim().toUpperCase();
      if (v !== 'JKS' && v !== 'PKCS12' && v !== 'PEM') throw new Error(`expected JKS, PKCS12 or PEM, got "${raw}"`);
      return v;
    },
  };
}

export const zookeeperSslSchema = {
  'zookeeper.ssl.client.enable': bool('Connect to ZooKeeper with TLS (its secureClientPort).', false),
  'zookeeper.clientCnxnSocket': str('Java ZooKeeper client socket class; Kafka needs the Netty one for TLS. Accepted; Skein\'s client speaks TLS as it is.', undefined),
  'zookeeper.ssl.keystore.location': str('Keystore with this broker\'s certificate, for a ZooKeeper that asks for one (ssl.clientAuth).', undefined),
  'zookeeper.ssl.keystore.password': password('Keystore password.'),
  'zookeeper.ssl.keystore.type': storeType('PKCS12 or PEM; unset infers it from the file name, as ZooKeeper does.'),
  'zookeeper.ssl.truststore.location': str('Certificates trusted to sign ZooKeeper servers\' certificates; unset trusts the system\'s.', undefined),
  'zookeeper.ssl.truststore.password': password('Truststore password.'),
  'zookeeper.ssl.truststore.type': storeType('PKCS12 or PEM; unset infers it from the file name.'),
  'zookeeper.ssl.protocol': str('Highest TLS version.', 'TLSv1.2'),
  'zookeeper.ssl.enabled.protocols': list('TLS versions accepted; unset takes zookeeper.ssl.protocol.', []),
  'zookeeper.ssl.cipher.suites': list('Cipher suites allowed, by IANA (Java) or OpenSSL name; empty allows Node\'s defaults.', []),
  'zookeeper.ssl.endpoint.identification.algorithm': str('HTTPS: check ZooKeeper servers\' certificates name their host; empty does not.', 'HTTPS'),
};

export const ZOOKEEPER_SSL_NOT_APPLICABLE = new Set(['zookeeper.ssl.crl.enable', 'zookeeper.ssl.ocsp.enable']);

/** TLS for the broker's ZooKeeper sessions, its stores read now; undefined unless zookeeper.ssl.client.enable. */
export function zookeeperTlsOf(v: ConfigValues<typeof zookeeperSslSchema>): ConnectTls | undefined {
  if (!v['zookeeper.ssl.client.enable']) return undefined;
  const keystore = v['zookeeper.ssl.keystore.location'];
  const truststore = v['zookeeper.ssl.truststore.location'];
  try {
    const protocols = v['zookeeper.ssl.enabled.protocols'].length > 0 ? v['zookeeper.ssl.enabled.protocols'] : [v['zookeeper.ssl.protocol']];
    const options = loadTlsOptions({
      keystore: keystore === undefined ? undefined : { type: v['zookeeper.ssl.keystore.type'] ?? storeTypeFromName(keystore), location: keystore, password: v['zookeeper.ssl.keystore.password'] },
      truststore:
        truststore === undefined
          ? undefined
          : { type: v['zookeeper.ssl.truststore.type'] ?? storeTypeFromName(truststore), location: truststore, password: v['zookeeper.ssl.truststore.password'] },
      ...protocolRange(protocols, 'zookeeper.ssl.enabled.protocols'),
      ciphers: cipherList(v['zookeeper.ssl.cipher.suites'], 'zookeeper.ssl.cipher.suites'),
      clientAuth: 'none',
      keyNames: {
        keystore: 'zookeeper.ssl.keystore.location',
        truststore: 'zookeeper.ssl.truststore.location',
        protocols: 'zookeeper.ssl.enabled.protocols',
        ciphers: 'zookeeper.ssl.cipher.suites',
      },
    });
    const algorithm = v['zookeeper.ssl.endpoint.identification.algorithm'].trim().toUpperCase();
    if (algorithm !== '' && algorithm !== 'HTTPS') throw new TlsConfigError(`zookeeper.ssl.endpoint.identification.algorithm: expected HTTPS or empty, got "${algorithm}"`);
    return { options, verifyHostname: algorithm === 'HTTPS' };
  } catch (err) {
    if (err instanceof TlsConfigError) throw new ConfigError(err.message);
    throw err;
  }
}
