// Waiting, after a start, until a broker's cluster is usable: `skein start` and `skein dev-cluster`
// print their start summary only then, so it is the last line of the start and a client that reads it
// finds a controller (librdkafka's admin requests go to it) and a leader for every partition.
import { ApiKey } from '../../protocol/kafka/index.js';
import { KafkaConnection, type ConnectionSecurity } from '../kafka/client/connection.js';

const POLL_MS = 50;

/**
 * Resolves true once the broker at `address` lists `brokers` brokers, a controller and a leader for
 * every partition it knows; false if that has not happened within `timeoutMs`. `security`: how the
 * listener at `address` is reached (TLS, SASL login), none for a PLAINTEXT one.
 */
export async function untilFormed(address: string, brokers: number, timeoutMs: number, security: ConnectionSecurity = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const conn = await KafkaConnection.connect(address, security).catch(() => undefined);
    if (conn) {
      try {
        const m = await conn.send(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
        if (m.brokers.length === brokers && m.controllerId >= 0 && m.topics.every((t) => t.partitions.every((p) => p.leaderId >= 0))) return true;
      } catch {
        // Not answering yet: asked again below.
      } finally {
        conn.close();
      }
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
