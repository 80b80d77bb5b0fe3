import { expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import { applyConfigOps, checkOperations, ConfigOperation } from '../../../src/kafka/metadata/config-ops.js';

const cfg = brokerConfigFromText('');
const { SET, DELETE, APPEND, SUBTRACT } = ConfigOperation;

test('SET and DELETE change single keys; deleting an absent key is no change', () => {
  const next = applyConfigOps(cfg, { 'retention.ms': '1' }, [
    { name: 'segment.ms', operation: SET, value: '5' },
    { name: 'retention.ms', operation: DELETE, value: null },
    { name: 'never.set', operation: DELETE, value: null },
  ]);
  expect(next).toEqual({ 'segment.ms': '5' });
});

test('APPEND and SUBTRACT work on list items, starting from the default when the topic has no override', () => {
  expect(applyConfigOps(cfg, {}, [{ name: 'cleanup.policy', operation: APPEND, value: 'compact' }])).toEqual({ 'cleanup.policy': 'delete,compact' });
  expect(applyConfigOps(cfg, {}, [{ name: 'cleanup.policy', operation: APPEND, value: 'delete' }])).toEqual({ 'cleanup.policy': 'delete' });
  expect(applyConfigOps(cfg, { 'cleanup.policy': 'delete,compact' }, [{ name: 'cleanup.policy', operation: SUBTRACT, value: 'delete' }])).toEqual({
    'cleanup.policy': 'compact',
  });
});

test('list operations on other configs, unknown configs and unknown operations are refused', () => {
  expect(() => applyConfigOps(cfg, {}, [{ name: 'retention.ms', operation: APPEND, value: '1' }])).toThrow(
    expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, message: 'Config value append is not allowed for config key: retention.ms' }),
  );
  expect(() => applyConfigOps(cfg, {}, [{ name: 'made.up', operation: SUBTRACT, value: '1' }])).toThrow(
    expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, message: 'Unknown config name: made.up' }),
  );
  expect(() => checkOperations([{ name: 'retention.ms', operation: 4, value: '1' }])).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
  expect(() => applyConfigOps(cfg, {}, [{ name: 'retention.ms', operation: -1, value: '1' }])).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }));
});
