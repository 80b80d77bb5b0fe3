// What the Python record drivers beside the Kafka tests (confluent_records.py, kafka_python_records.py)
// share: mode "produce" sends records with a codec and prints each one's delivery report.
import { expect } from 'vitest';
import { runPythonJson } from './commands.js';
import { type Delivery, expectedReads, type TestRecord, toWire, toWireRead, type WireReadRecord } from './records.js';

/**
 * Has `driver` produce `records` to a fresh `topic` with `codec`, checks that each delivery report gives
 * the record's CreateTime and the next offset of its partition, and returns the records as a consumer
 * should read them, ordered by partition and offset.
 */
export async function produceWith(driver: URL, bootstrap: string, topic: string, codec: string, records: TestRecord[]): Promise<WireReadRecord[]> {
  const deliveries = await runPythonJson<Array<Delivery & { timestamp: number }>>(driver, { mode: 'produce', bootstrap, topic, codec, records: records.map(toWire) });
  expect(deliveries.map((d) => d.timestamp)).toEqual(records.map((r) => r.timestamp));
  return expectedReads(records, deliveries).map(toWireRead);
}
