// __transaction_state records in Kafka's layout: TransactionLogKey v0 and TransactionLogValue v0 written
// byte for byte as TransactionLog.keyToBytes/valueToBytes lay them out, and v1 (flexible, tagged fields)
// read.
import { expect, test } from 'vitest';
import { DecodeError } from '../../../../protocol/bytes.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  type TransactionLogValue,
} from '../../../../protocol/kafka/transaction-state/records.js';

const ONGOING: TransactionLogValue = {
  producerId: 5,
  previousProducerId: -1,
  producerEpoch: 2,
  transactionTimeoutMs: 60_000,
  status: 'Ongoing',
  partitions: [{ topic: 'ab', partitionIds: [0, 3] }],
  lastUpdateTimestampMs: 1000,
  startTimestampMs: 900,
};

test('the key is version 0 and the id as an int16-length string', () => {
  expect(encodeTransactionLogKey('tx').toString('hex')).toBe('0000' + '0002' + '7478');
  expect(decodeTransactionLogKey(Buffer.from('000000027478', 'hex'))).toBe('tx');
  expect(() => decodeTransactionLogKey(Buffer.from('000100027478', 'hex'))).toThrow(DecodeError);
});

test('the value is written as v0, partitions null for Empty', () => {
  const hex = encodeTransactionLogValue(ONGOING).toString('hex');
  expect(hex).toBe(
    '0000' + // version
      '0000000000000005' + // producer id
      '0002' + // epoch
      '0000ea60' + // timeout
      '01' + // Ongoing
      '00000001' + '0002' + '6162' + '00000002' + '00000000' + '00000003' + // [ab: 0, 3]
      '00000000000003e8' + // last update
      '0000000000000384', // start
  );
  expect(decodeTransactionLogValue(Buffer.from(hex, 'hex'))).toEqual(ONGOING);
  const empty = encodeTransactionLogValue({ ...ONGOING, status: 'Empty', partitions: [], startTimestampMs: -1 });
  expect(empty.subarray(17, 21).toString('hex')).toBe('ffffffff');
  expect(decodeTransactionLogValue(empty)).toMatchObject({ status: 'Empty', partitions: [] });
});

test('a v1 value is read with its tagged previous producer id; other tags are skipped', () => {
  const hex =
    '0001' +
    '0000000000000007' +
    '0003' +
    '0000ea60' +
    '04' + // CompleteCommit
    '02' + '03' + '6162' + '02' + '00000001' + '00' + // compact [ab: 1], empty tags
    '00000000000003e8' +
    '0000000000000384' +
    '02' + '00' + '08' + '0000000000000006' + '02' + '02' + '0002'; // tags: 0 previousProducerId=6, 2 clientTransactionVersion
  expect(decodeTransactionLogValue(Buffer.from(hex, 'hex'))).toEqual({
    producerId: 7,
    previousProducerId: 6,
    producerEpoch: 3,
    transactionTimeoutMs: 60_000,
    status: 'CompleteCommit',
    partitions: [{ topic: 'ab', partitionIds: [1] }],
    lastUpdateTimestampMs: 1000,
    startTimestampMs: 900,
  });
});

test('an unknown status or version is a DecodeError', () => {
  const bad = encodeTransactionLogValue(ONGOING);
  bad[16] = 9;
  expect(() => decodeTransactionLogValue(bad)).toThrow(DecodeError);
  const future = encodeTransactionLogValue(ONGOING);
  future.writeInt16BE(2, 0);
  expect(() => decodeTransactionLogValue(future)).toThrow(DecodeError);
});
