// One request, one response, over a fresh connection: for tests that need exact control of what is sent.
import type { ApiKey, RequestInputOf, ResponseOf } from '../../protocol/kafka/index.js';
import { KafkaConnection } from '../../src/kafka/client/connection.js';

export async function kafkaRequest<K extends ApiKey>(
  bootstrap: string,
  apiKey: K,
  apiVersion: number,
  body: RequestInputOf<K>,
): Promise<ResponseOf<K>> {
  const conn = await KafkaConnection.connect(bootstrap, { clientId: 'skein-test' });
  try {
    return await conn.send(apiKey, apiVersion, body);
  } finally {
    conn.close();
  }
}
