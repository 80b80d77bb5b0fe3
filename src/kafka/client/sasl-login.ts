// A Kafka client's SASL login as its properties name it: `sasl.mechanism` and a `sasl.jaas.config` login
// module entry whose `username` and `password` options are the credentials, as Kafka's
// PlainLoginModule and ScramLoginModule carry them. The broker reads its own inter-broker login this way
// (sasl.mechanism.inter.broker.protocol, listener.name.<l>.<mechanism>.sasl.jaas.config), the CLI its
// --command-config. Errors name the key, never a value (a password).
import { ConfigError } from '../../config/schema.js';
import { JaasError, parseLoginModuleEntry } from '../../security/jaas.js';
import { PLAIN_LOGIN_MODULE } from '../sasl/plain.js';
import { CLIENT_SASL_MECHANISMS, type ClientSasl } from './sasl.js';

export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

/**
 * The login for `mechanism` from the login module entry `jaas`; `keys` are the setting names that errors
 * cite. Kafka's callback handler takes the username/password of either module for either mechanism.
 */
export function clientSaslOf(mechanism: string, jaas: string | undefined, keys: { mechanism: string; jaas: string }): ClientSasl {
  const name = mechanism.toUpperCase();
  const served = CLIENT_SASL_MECHANISMS.find((m) => m === name);
  if (!served) throw new ConfigError(`${keys.mechanism}: SASL mechanism ${mechanism} is not one Skein's client speaks (${CLIENT_SASL_MECHANISMS.join(', ')})`);
  if (jaas === undefined) throw new ConfigError(`${keys.jaas}: ${served} needs a login module entry with username and password`);
  let entry;
  try {
    entry = parseLoginModuleEntry(jaas);
  } catch (err) {
    if (err instanceof JaasError) throw new ConfigError(`${keys.jaas}: ${err.message}`);
    throw err;
  }
  if (entry.className !== PLAIN_LOGIN_MODULE && entry.className !== SCRAM_LOGIN_MODULE) {
    throw new ConfigError(`${keys.jaas}: ${served} logs in with ${PLAIN_LOGIN_MODULE} or ${SCRAM_LOGIN_MODULE}, not ${entry.className}`);
  }
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  if (username === undefined || username === '' || password === undefined) throw new ConfigError(`${keys.jaas}: the login module entry needs username and password options`);
  return { mechanism: served, username, password };
}
