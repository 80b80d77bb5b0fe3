import { describe, expect, test } from 'vitest';
import { DecodeError, Reader, Writer } from '../../../../protocol/bytes.js';
import {
  ApiKey,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeApiVersionsUnsupportedFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  ErrorCode,
  KafkaProtocolError,
  peekRequestHeader,
  readRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
} from '../../../../protocol/kafka/index.js';

const hex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');

describe('header versions', () => {
  test('request header v2 and response header v1 exactly when the API version is flexible', () => {
    expect(requestHeaderVersion(ApiKey.Produce, 8)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Produce, 9)).toBe(2);
    expect(responseHeaderVersion(ApiKey.Produce, 8)).toBe(0);
    expect(responseHeaderVersion(ApiKey.Produce, 9)).toBe(1);
    expect(requestHeaderVersion(ApiKey.OffsetDelete, 0)).toBe(1);
  });

  test('ApiVersions responses keep header v0 even when the request is flexible', () => {
    expect(requestHeaderVersion(ApiKey.ApiVersions, 3)).toBe(2);
    expect(responseHeaderVersion(ApiKey.ApiVersions, 3)).toBe(0);
    const frame = encodeResponseFrame(ApiKey.ApiVersions, 3, 5, { errorCode: 0, apiKeys: [] });
    expect(hex(frame)).toBe('00000005' + '0000' + '01' + '00000000' + '00');
  });

  test('unknown APIs and versions beyond the spec are still readable up to the client id', () => {
    expect(requestHeaderVersion(1000, 0)).toBe(1);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 9)).toBe(2);
  });
});

describe('request headers', () => {
  test('peek reads the fixed fields of any request', () => {
    const frame = Buffer.from('03e8' + '0007' + '0000002a' + 'ffff', 'hex');
    expect(peekRequestHeader(frame)).toEqual({ apiKey: 1000, apiVersion: 7, correlationId: 42 });
    expect(() => peekRequestHeader(frame.subarray(0, 7))).toThrow(DecodeError);
  });

  test('v1 and v2 carry a classic nullable client id; v2 skips tagged fields, known or not', () => {
    const w = new Writer();
    writeRequestHeader(w, { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'c' }, 2);
    expect(w.toBuffer().toString('hex')).toBe('0012' + '0003' + '00000001' + '0001' + '63' + '00');
    const withTags = Buffer.from('0012' + '0003' + '00000001' + 'ffff' + '02' + '0001aa' + '0502bbbb' + 'ee', 'hex');
    const r = new Reader(withTags);
    expect(readRequestHeader(r)).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: null });
    expect(r.remaining).toBe(1);
  });

  test('v0 has no client id', () => {
    const w = new Writer();
    writeRequestHeader(w, { apiKey: 7, apiVersion: 0, correlationId: 3, clientId: 'ignored' }, 0);
    const buf = w.toBuffer();
    expect(buf.toString('hex')).toBe('0007' + '0000' + '00000003');
    expect(readRequestHeader(new Reader(buf), 0)).toEqual({
      apiKey: 7,
      apiVersion: 0,
      correlationId: 3,
      clientId: null,
    });
  });
});

describe('frames', () => {
  test('a request frame round-trips with its header', () => {
    const header = { apiKey: ApiKey.Metadata, apiVersion: 9, correlationId: 12, clientId: 'me' } as const;
    const frame = Buffer.concat(encodeRequestFrame(header, { topics: null, allowAutoTopicCreation: false }));
    const req = decodeRequestFrame(frame);
    expect(req).toMatchObject({ ...header, body: { topics: null, allowAutoTopicCreation: false } });
    if (req.apiKey !== ApiKey.Metadata) throw new Error('narrowing');
    expect(req.body.includeTopicAuthorizedOperations).toBe(false);
  });

  test('a response frame round-trips with its header', () => {
    const body = { throttleTimeMs: 1, errorCode: 0, producerId: 1234567890123, producerEpoch: 3 };
    const chunks = encodeResponseFrame(ApiKey.InitProducerId, 4, 99, body);
    expect(hex(chunks).slice(0, 10)).toBe('00000063' + '00');
    expect(decodeResponseFrame(ApiKey.InitProducerId, 4, Buffer.concat(chunks))).toEqual({ correlationId: 99, body });
  });

  test('an unknown API key is INVALID_REQUEST, an unsupported version UNSUPPORTED_VERSION', () => {
    const code = (frame: Buffer) => {
      try {
        decodeRequestFrame(frame);
      } catch (err) {
        if (err instanceof KafkaProtocolError) return err.code;
        throw err;
      }
      return 0;
    };
    expect(code(Buffer.from('03e8' + '0000' + '00000001' + 'ffff', 'hex'))).toBe(ErrorCode.INVALID_REQUEST);
    expect(code(Buffer.from('0012' + '0063' + '00000001' + 'ffff' + '00', 'hex'))).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  test('ApiVersions in an unsupported version is answered in the v0 format with error 35', () => {
    const supported = [
      { apiKey: 0, minVersion: 3, maxVersion: 9 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ];
    const frame = Buffer.concat(encodeApiVersionsUnsupportedFrame(77, supported));
    expect(frame.toString('hex')).toBe('0000004d' + '0023' + '00000002' + '000000030009' + '001200000003');
    expect(decodeResponseFrame(ApiKey.ApiVersions, 0, frame).body).toEqual({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: supported,
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });
});
