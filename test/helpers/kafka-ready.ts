// Waiting for a freshly started broker: connect once it listens, and return only once `topic` exists
// (auto-created through Metadata) with every partition ready, so a test's first produce is not refused.
import { ApiKey } from '../../protocol/kafka/index.js';
import { KafkaConnection } from '../../src/kafka/client/connection.js';

const RETRY_MS = 25;

/**
 * Connects to `bootstrap` and waits for `topic`, retrying for up to `attempts` tries. `gone` is asked
 * before each try: a reason there means the broker died and waiting is pointless.
 */
export async function connectWhenReady(
  bootstrap: string,
  topic: string,
  { attempts = 400, gone = () => undefined }: { attempts?: number; gone?: () => string | undefined } = {},
): Promise<KafkaConnection> {
  for (let attempt = 0; ; attempt++) {
    const dead = gone();
    if (dead !== undefined) throw new Error(`broker exited before serving: ${dead}`);
    try {
      const conn = await KafkaConnection.connect(bootstrap);
      const metadata = await conn.send(ApiKey.Metadata, 9, { topics: [{ name: topic }], allowAutoTopicCreation: true });
      if (metadata.topics[0]?.errorCode === 0 && metadata.topics[0].partitions.every((p) => p.errorCode === 0)) return conn;
      conn.close();
    } catch (err) {
      if (attempt > attempts) throw err;
    }
    if (attempt > attempts) throw new Error(`topic ${topic} never became ready at ${bootstrap}`);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
