import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { ErrorCode, errorInfo, KAFKA_ERRORS, KafkaProtocolError } from '../../../../protocol/kafka/errors.js';

const require = createRequire(import.meta.url);

test('one row per code and per name, from -1 to the newest', () => {
  const codes = KAFKA_ERRORS.map((e) => e.code);
  expect(new Set(codes).size).toBe(codes.length);
  expect(new Set(KAFKA_ERRORS.map((e) => e.name)).size).toBe(codes.length);
  expect(codes).toEqual([...codes].sort((a, b) => a - b));
  expect(codes.length).toBe(135); // -1 through 133, none missing
  expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
  expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
});

test('names and retriable flags agree with kafkajs for every code it knows', () => {
  const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
    errorCodes: Array<{ type: string; code: number; retriable: boolean }>;
  };
  // kafkajs keeps the names these codes had before Kafka renamed them.
  const renamed: Record<number, string> = {
    [-1]: 'UNKNOWN',
    6: 'NOT_LEADER_FOR_PARTITION',
    14: 'GROUP_LOAD_IN_PROGRESS',
    15: 'GROUP_COORDINATOR_NOT_AVAILABLE',
    16: 'NOT_COORDINATOR_FOR_GROUP',
  };
  for (const theirs of errorCodes) {
    const ours = errorInfo(theirs.code);
    expect(renamed[theirs.code] ?? ours.name, `code ${theirs.code}`).toBe(theirs.type);
    expect(ours.retriable, `${ours.name} retriable`).toBe(theirs.retriable);
  }
});

test('KafkaProtocolError carries its wire code, name and retriable flag', () => {
  const err = new KafkaProtocolError(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  expect(err).toBeInstanceOf(Error);
  expect(err).toMatchObject({ code: 6, errorName: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
  expect(err.message).toBe(errorInfo(6).message);
  expect(new KafkaProtocolError(ErrorCode.INVALID_REQUEST, 'bad frame').message).toBe('bad frame');
});

test('a code newer than the table still makes a usable error', () => {
  expect(errorInfo(4242)).toMatchObject({ code: 4242, name: 'UNKNOWN_ERROR_CODE_4242', retriable: false });
  expect(new KafkaProtocolError(4242).code).toBe(4242);
});
