// Golden bytes for DescribeClientQuotas (48) and AlterClientQuotas (49): the v1 requests as
// @platformatic/kafka 1.35's encoders write them (its createRequest, run once and printed as hex), the v0
// forms and the responses written by hand from Kafka's message JSON.
import { describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../protocol/kafka/index.js';
import { AlterClientQuotasRequestSpec, AlterClientQuotasResponseSpec } from '../../../../protocol/kafka/messages/49-alter-client-quotas.js';
import { DescribeClientQuotasRequestSpec, DescribeClientQuotasResponseSpec } from '../../../../protocol/kafka/messages/48-describe-client-quotas.js';

const hex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');
const str = (s: string) => Buffer.from(s).toString('hex');

describe('DescribeClientQuotas', () => {
  const request = {
    components: [
      { entityType: 'user', matchType: 0, match: 'alice' },
      { entityType: 'client-id', matchType: 1, match: null },
    ],
    strict: true,
  };
  test("v1 request: @platformatic/kafka's bytes", () => {
    const bytes = '0305757365720006616c696365000a636c69656e742d69640100000100';
    expect(decodeMessage(DescribeClientQuotasRequestSpec, 1, Buffer.from(bytes, 'hex'))).toEqual(request);
    expect(hex(encodeMessage(DescribeClientQuotasRequestSpec, 1, request))).toBe(bytes);
  });
  test('v0 request: int16-length strings, int32 array length, nullable match as -1', () => {
    const bytes = '00000002' + '0004' + str('user') + '00' + '0005' + str('alice') + '0009' + str('client-id') + '01' + 'ffff' + '01';
    expect(hex(encodeMessage(DescribeClientQuotasRequestSpec, 0, request))).toBe(bytes);
  });
  test('v1 response: throttle, error, message null, entries[1] {entity[1] {user, null}, values[1] {key, float64}}', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries: [{ entity: [{ entityType: 'user', entityName: null }], values: [{ key: 'request_percentage', value: 12.5 }] }] };
    const bytes = '00000000' + '0000' + '00' + '02' + '02' + '05' + str('user') + '00' + '00' + '02' + '13' + str('request_percentage') + '4029000000000000' + '00' + '00' + '00';
    expect(hex(encodeMessage(DescribeClientQuotasResponseSpec, 1, value))).toBe(bytes);
  });
});

describe('AlterClientQuotas', () => {
  test("v1 request: @platformatic/kafka's bytes", () => {
    const bytes =
      '0203057573657206616c696365000a636c69656e742d69640000031370726f64756365725f627974655f726174654130000000000000000013726571756573745f70657263656e7461676500000000000000000100000100';
    expect(decodeMessage(AlterClientQuotasRequestSpec, 1, Buffer.from(bytes, 'hex'))).toEqual({
      entries: [
        {
          entity: [
            { entityType: 'user', entityName: 'alice' },
            { entityType: 'client-id', entityName: null },
          ],
          ops: [
            { key: 'producer_byte_rate', value: 1048576, remove: false },
            { key: 'request_percentage', value: 0, remove: true },
          ],
        },
      ],
      validateOnly: true,
    });
  });
  test('v0 response: throttle, entries[1] {error 42, message, entity[1] {ip, 10.0.0.1}}', () => {
    const value = { throttleTimeMs: 5, entries: [{ errorCode: 42, errorMessage: 'no', entity: [{ entityType: 'ip', entityName: '10.0.0.1' }] }] };
    const bytes = '00000005' + '00000001' + '002a' + '0002' + str('no') + '00000001' + '0002' + str('ip') + '0008' + str('10.0.0.1');
    expect(hex(encodeMessage(AlterClientQuotasResponseSpec, 0, value))).toBe(bytes);
  });
});
