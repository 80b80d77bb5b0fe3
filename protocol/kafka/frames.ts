// Whole request and response frames (header + body, without the int32 size prefix the framing layer
// adds): what the broker reads and writes per request, and what a client or test sends and receives.
import { Reader, Writer } from '../bytes.js';
import {
  ApiKey,
  apiSpec,
  decodeRequestBody,
  decodeResponseBody,
  type RequestInputOf,
  type RequestOf,
  type ResponseInputOf,
  type ResponseOf,
} from './apis.js';
import { messageCodec } from './codec.js';
import { ErrorCode } from './errors.js';
import {
  readRequestHeader,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
  type RequestHeader,
} from './headers.js';
import { ApiVersionsResponseSpec } from './messages/18-api-versions.js';

/** A decoded request; switching on `apiKey` narrows `body` to that API's request type. */
export type KafkaRequest = {
  [K in ApiKey]: { apiKey: K; apiVersion: number; correlationId: number; clientId: string | null; body: RequestOf<K> };
}[ApiKey];

/**
 * Decodes a request frame. Throws KafkaProtocolError (INVALID_REQUEST for an unknown API key,
 * UNSUPPORTED_VERSION for a version outside the API's range) or DecodeError for malformed bytes; use
 * peekRequestHeader first to answer those cases.
 */
export function decodeRequestFrame(frame: Buffer): KafkaRequest {
  const r = new Reader(frame);
  const { apiKey, apiVersion, correlationId, clientId } = readRequestHeader(r);
  const body = decodeRequestBody(apiKey as ApiKey, apiVersion, r);
  // One plain literal, not `{ ...header, body }`, which V8 builds through the runtime (about 20 times slower).
  return { apiKey, apiVersion, correlationId, clientId, body } as KafkaRequest;
}

/** Encodes a request frame in the header version its API and version call for. */
export function encodeRequestFrame<K extends ApiKey>(
  header: RequestHeader & { apiKey: K },
  body: RequestInputOf<K>,
): Buffer[] {
  const w = new Writer();
  writeRequestHeader(w, header, requestHeaderVersion(header.apiKey, header.apiVersion));
  messageCodec(apiSpec(header.apiKey).request, header.apiVersion).encode(w, body);
  return w.chunksOut();
}

/**
 * Encodes a response frame: header (v0 or v1 as the API version calls for) then body. Records and large
 * byte fields stay by reference in the returned chunks.
 */
export function encodeResponseFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInputOf<K>,
): Buffer[] {
  const codec = messageCodec(apiSpec(apiKey).response, apiVersion);
  const w = new Writer();
  writeResponseHeader(w, correlationId, responseHeaderVersion(apiKey, apiVersion));
  codec.encode(w, body);
  return w.chunksOut();
}

/** Decodes a response frame to the API and version of the request it answers. */
export function decodeResponseFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseOf<K> } {
  const r = new Reader(frame);
  const { correlationId } = readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
  return { correlationId, body: decodeResponseBody(apiKey, apiVersion, r) };
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * The answer to an ApiVersions request in a version the broker does not support: UNSUPPORTED_VERSION in
 * the v0 response format (which every client can read) with the supported ranges, from which the
 * client picks a version it shares with the broker and asks again.
 */
export function encodeApiVersionsUnsupportedFrame(
  correlationId: number,
  supported: readonly ApiVersionRange[],
): Buffer[] {
  const w = new Writer();
  writeResponseHeader(w, correlationId, 0);
  messageCodec(ApiVersionsResponseSpec, 0).encode(w, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: supported,
  });
  return w.chunksOut();
}
