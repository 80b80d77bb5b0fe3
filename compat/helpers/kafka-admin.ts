// Setting up and inspecting a Skein broker from the compat tests on Skein's own client, so that what a
// real client reports can be compared with what the broker says.
import { expect } from 'vitest';
import { ApiKey, type ResponseOf } from '../../protocol/kafka/index.js';
import { COMPRESSION_MASK } from '../../protocol/kafka/records/batch-header.js';
import { KafkaConnection } from '../../src/kafka/client/connection.js';
import { fetchPartition } from '../../src/kafka/client/consumer.js';

export async function withConnection<T>(bootstrap: string, body: (conn: KafkaConnection) => Promise<T>): Promise<T> {
  const conn = await KafkaConnection.connect(bootstrap, { clientId: 'skein-compat' });
  try {
    return await body(conn);
  } finally {
    conn.close();
  }
}

/** Creates a topic and expects it to succeed. */
export async function createTopic(bootstrap: string, name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  await withConnection(bootstrap, async (conn) => {
    const r = await conn.send(ApiKey.CreateTopics, 4, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
      timeoutMs: 10_000,
    });
    expect(r.topics[0]!.errorCode).toBe(0);
  });
}

/** The broker's Metadata answer (the newest version) for every topic. */
export function metadata(bootstrap: string): Promise<ResponseOf<typeof ApiKey.Metadata>> {
  return withConnection(bootstrap, (conn) => conn.send(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false }));
}

/** The codec ids (batch attributes' compression bits) of every batch stored in a topic's partitions. */
/**
 * The stored batches are in `codecId`, apart from batches the client left uncompressed: librdkafka and
 * kafka-python both send a batch uncompressed when compressing would not make it smaller.
 */
export async function storedAs(bootstrap: string, topic: string, partitions: number, codecId: number): Promise<boolean> {
  const codecs = await storedCodecs(bootstrap, topic, partitions);
  return codecs.includes(codecId) && codecs.every((c) => c === codecId || c === 0);
}

export function storedCodecs(bootstrap: string, topic: string, partitions: number): Promise<number[]> {
  return withConnection(bootstrap, async (conn) => {
    const codecs = new Set<number>();
    for (let partition = 0; partition < partitions; partition++) {
      let offset = 0;
      for (;;) {
        const fetched = await fetchPartition(conn, topic, partition, offset);
        for (const h of fetched.headers) codecs.add(h.attributes & COMPRESSION_MASK);
        if (fetched.nextOffset >= fetched.highWatermark) break;
        offset = fetched.nextOffset;
      }
    }
    return [...codecs].sort();
  });
}
