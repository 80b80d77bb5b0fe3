// This broker as a client of other brokers (replica fetchers, the controller, controlled shutdown,
// transaction markers): it connects as the inter-broker listener asks, as Kafka does. SSL: with that
// listener's keystore (its certificate, for peers that ask for one), truststore, protocols and cipher
// suites. SASL: logged in with sasl.mechanism.inter.broker.protocol and its login module's username and
// password, re-authenticating when the peer's connections.max.reauth.ms ends the session.
import type { ConnectionSecurity } from './client/connection.js';
import type { BrokerConfig } from './broker-config.js';
import { loadTlsOptions } from '../security/tls-material.js';

/**
 * TLS and SASL for a new connection to another broker (neither when the inter-broker listener is
 * PLAINTEXT). The TLS files are read per connection (a handful, reconnecting rarely), so a renewed
 * certificate is used from the next connection on. Throws TlsConfigError when they no longer load.
 */
export function interBrokerSecurity(config: BrokerConfig): ConnectionSecurity {
  const tls = config.listeners.find((l) => l.bind.name === config.listener.name)?.tls;
  return { tls: tls && { options: loadTlsOptions(tls.spec), verifyHostname: tls.verifyHostname }, sasl: config.interBrokerSasl };
}
