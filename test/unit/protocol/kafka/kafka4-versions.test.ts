// Golden bytes for the versions Kafka 4.x added that no captured client sends (captured-clients.test.ts
// has @platformatic/kafka's Fetch v13-17, ListOffsets v8-9 and ApiVersions v4), written by hand from
// Kafka's message JSON: each next to the version before it, so the difference is the new field.
import { describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../protocol/kafka/index.js';
import { MetadataResponseSpec } from '../../../../protocol/kafka/messages/3-metadata.js';

const hex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');

describe('Metadata response v13 (KIP-1102): a top-level error code after the topics', () => {
  const value = { throttleTimeMs: 0, brokers: [{ nodeId: 1, host: 'a', port: 9092, rack: null }], clusterId: null, controllerId: 1, topics: [], errorCode: 0 };
  // throttle, brokers[1] {id, "a", port, rack null, tags}, cluster id null, controller, topics[0]
  const common = '00000000' + '02' + '00000001' + '0261' + '00002384' + '00' + '00' + '00' + '00000001' + '01';
  test('v12 has no error code', () => {
    expect(hex(encodeMessage(MetadataResponseSpec, 12, value))).toBe(common + '00');
  });
  test('v13 ends with it', () => {
    const bytes = common + '0000' + '00';
    expect(hex(encodeMessage(MetadataResponseSpec, 13, value))).toBe(bytes);
    const rebootstrap = common + '0081' + '00';
    expect(decodeMessage(MetadataResponseSpec, 13, Buffer.from(rebootstrap, 'hex')).errorCode).toBe(129);
  });
});
