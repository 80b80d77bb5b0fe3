// Our end transaction marker batch, decoded by kafka-python (a real client) in a subprocess.
import { expect, test } from 'vitest';
import { commitMarkerBatch } from '../../test/fixtures/records/commit-marker.js';
import { decodeWithKafkaPython } from './python-clients.js';

test('kafka-python reads our end transaction marker as a control batch with the marker record', () => {
  const [decoded] = decodeWithKafkaPython([commitMarkerBatch()]);
  expect(decoded).toMatchObject({ crcValid: true, control: true, transactional: true, producerId: 1234 });
  expect(decoded!.records).toEqual([
    { offset: 42, timestamp: 1_700_000_000_000, key: { hex: '00000001' }, value: { hex: '000000000003' }, headers: [] },
  ]);
});
