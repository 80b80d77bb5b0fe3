// --command-config <file>: a Kafka client properties file, as kafka-topics.sh, kafka-acls.sh and
// kafka-configs.sh take it, so the file an administrator already has works unchanged. Read from it:
// security.protocol, sasl.mechanism with sasl.jaas.config (PlainLoginModule/ScramLoginModule username and
// password), and the ssl.* client keys (truststore and keystore as PKCS12 or PEM, files or inline PEM,
// protocols, cipher suites, ssl.endpoint.identification.algorithm). Other client settings in the file
// (client.id, timeouts, ...) do not apply to Skein's client and are ignored, as a tool ignores what it
// does not use. Errors name the key and the file, never a value.
import { readFileSync } from 'node:fs';
import { parseProperties } from '../config/properties.js';
import { ConfigError, oneOf, parseConfig, password, str } from '../config/schema.js';
import type { ConnectionSecurity } from '../kafka/client/connection.js';
import { clientSaslOf } from '../kafka/client/sasl-login.js';
import { sslSchema, tlsSpecOf, verifyHostnameOf } from '../kafka/ssl-config.js';
import { loadTlsOptions, TlsConfigError } from '../security/tls-material.js';

const commandConfigSchema = {
  'security.protocol': oneOf('How the client connects: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.', 'PLAINTEXT', ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']),
  'sasl.mechanism': str('SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (Kafka\'s default GSSAPI is not spoken).', 'GSSAPI'),
  'sasl.jaas.config': password('The login module entry whose username and password the client logs in with.'),
  ...sslSchema,
};

/** The security settings of a client properties file's text; `file` is for messages. Throws ConfigError. */
export function clientSecurityOf(text: string, file: string): ConnectionSecurity {
  const known = parseProperties(text).filter((line) => Object.hasOwn(commandConfigSchema, line.key));
  const fail = (err: Error): never => {
    throw new ConfigError(`${file}: ${err.message}`);
  };
  try {
    const { values } = parseConfig(commandConfigSchema, known.map((line) => (line.key === 'security.protocol' ? { ...line, value: line.value.toUpperCase() } : line)));
    const protocol = values['security.protocol'];
    const security: ConnectionSecurity = {};
    if (protocol === 'SSL' || protocol === 'SASL_SSL') {
      const spec = tlsSpecOf(values, (key) => key);
      security.tls = { options: loadTlsOptions(spec), verifyHostname: verifyHostnameOf(values, (key) => key) };
    }
    if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
      security.sasl = clientSaslOf(values['sasl.mechanism'], values['sasl.jaas.config'], { mechanism: 'sasl.mechanism', jaas: 'sasl.jaas.config' });
    }
    return security;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof TlsConfigError) return fail(err);
    throw err;
  }
}

/** The security of --command-config's file (none without one). Throws ConfigError (a usage mistake) naming the file. */
export function commandSecurityOf(file: string | undefined): ConnectionSecurity {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--command-config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return clientSecurityOf(text, `--command-config ${file}`);
}
