import { describe, expect, test } from 'vitest';
import { DecodeError } from '../../../../protocol/bytes.js';
import { isControl, isTransactional } from '../../../../protocol/kafka/records/batch-attributes.js';
import { readBatchHeader } from '../../../../protocol/kafka/records/batch-header.js';
import { checkProduceBatch, validateBatchRecords } from '../../../../protocol/kafka/records/batch-validation.js';
import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTxnMarker,
  encodeControlRecordKey,
  encodeEndTxnMarker,
} from '../../../../protocol/kafka/records/control-record.js';
import { commitMarkerBatch } from '../../../fixtures/records/commit-marker.js';

describe('control record key and end transaction marker', () => {
  test('wire bytes: ABORT is type 0, COMMIT type 1, version 0 everywhere', () => {
    expect(encodeControlRecordKey(ControlRecordType.Abort).toString('hex')).toBe('00000000');
    expect(encodeControlRecordKey(ControlRecordType.Commit).toString('hex')).toBe('00000001');
    expect(encodeEndTxnMarker(5).toString('hex')).toBe('000000000005');
  });

  test('decode, including newer versions and unknown (KRaft) types', () => {
    expect(decodeControlRecordKey(Buffer.from('00000001', 'hex'))).toEqual({ version: 0, type: 1 });
    expect(decodeControlRecordKey(Buffer.from('00010003ff', 'hex'))).toEqual({ version: 1, type: 3 });
    expect(decodeEndTxnMarker(Buffer.from('0000ffffffff', 'hex'))).toEqual({ version: 0, coordinatorEpoch: -1 });
    expect(decodeEndTxnMarker(Buffer.from('000200000007aa', 'hex'))).toEqual({ version: 2, coordinatorEpoch: 7 });
  });

  test('short, null or negative-version keys and values are DecodeErrors', () => {
    for (const bad of [null, Buffer.from('000000', 'hex'), Buffer.from('ffff0000', 'hex')]) {
      expect(() => decodeControlRecordKey(bad)).toThrow(DecodeError);
    }
    for (const bad of [null, Buffer.from('0000000000', 'hex'), Buffer.from('ffff00000000', 'hex')]) {
      expect(() => decodeEndTxnMarker(bad)).toThrow(DecodeError);
    }
  });
});

describe('end transaction marker batch', () => {
  const batch = commitMarkerBatch();

  test('is transactional and control, with no sequence, and decodes back', () => {
    const header = readBatchHeader(batch);
    expect(isControl(header.attributes)).toBe(true);
    expect(isTransactional(header.attributes)).toBe(true);
    expect(header).toMatchObject({ baseOffset: 42, partitionLeaderEpoch: 2, producerId: 1234, producerEpoch: 5 });
    expect(header.baseSequence).toBe(-1);
    const [rec] = validateBatchRecords(batch);
    expect(rec!.offset).toBe(42);
    expect(rec!.timestamp).toBe(1_700_000_000_000);
    expect(decodeControlRecordKey(rec!.key)).toEqual({ version: 0, type: ControlRecordType.Commit });
    expect(decodeEndTxnMarker(rec!.value)).toEqual({ version: 0, coordinatorEpoch: 3 });
  });

  test('a producer may not send one', () => {
    expect(() => checkProduceBatch(batch, { maxBatchBytes: 1 << 20, produceVersion: 9 })).toThrow(/control/);
  });
});
