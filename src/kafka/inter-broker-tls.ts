// This broker as a client of other brokers (replica fetchers, the controller, controlled shutdown): when
// the inter-broker listener is SSL it connects with that listener's keystore (its certificate, for peers
// that ask for one), truststore, protocols and cipher suites, as Kafka does.
import type { ConnectTls } from './client/connection.js';
import type { BrokerConfig } from './broker-config.js';
import { loadTlsOptions } from '../security/tls-material.js';

/**
 * TLS for a new connection to another broker, or undefined when the inter-broker listener is PLAINTEXT.
 * The files are read per connection (a handful, reconnecting rarely), so a renewed certificate is used
 * from the next connection on. Throws TlsConfigError when they no longer load.
 */
export function interBrokerTls(config: BrokerConfig): ConnectTls | undefined {
  const tls = config.listeners.find((l) => l.bind.name === config.listener.name)?.tls;
  return tls && { options: loadTlsOptions(tls.spec), verifyHostname: tls.verifyHostname };
}
