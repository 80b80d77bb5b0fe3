// confluent-kafka-python or kafka-python producing 20 records and consuming them back with the security
// settings a test gives (compat/kafka/secured_roundtrip.py): shared by the TLS and SASL tests.
import { PYTHON, run } from './commands.js';

/** `oauthToken`: confluent-kafka-python hands this OAUTHBEARER token over from its oauth_cb. */
export function roundTrip(client: 'confluent' | 'kafka-python', conf: Record<string, string>, topic: string, prefix: string, oauthToken?: string) {
  const script = new URL('../kafka/secured_roundtrip.py', import.meta.url).pathname;
  return run(PYTHON, [script, JSON.stringify({ client, conf, topic, prefix, oauth_token: oauthToken })], '', 60_000);
}
