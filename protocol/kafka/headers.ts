// Request and response headers. Request header v0 is apiKey, apiVersion, correlationId; v1 adds a
// nullable clientId (always a classic int16 string); v2 adds a tagged-fields section. Response header v0
// is the correlationId; v1 adds tagged fields. A flexible API version uses the newer header, except that
// ApiVersions responses keep header v0 so a client can read them before it knows what the broker speaks.
import { DecodeError, type Reader, type Writer } from '../bytes.js';
import { ApiKey, isKnownApiKey, KAFKA_APIS } from './apis.js';
import { readNullableString, skipTaggedFields, writeEmptyTaggedFields, writeNullableString } from './primitives.js';
import { isFlexible } from './codec.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Absent (null) in header v0 and whenever the client sends a null client id. */
  clientId: string | null;
}

/** apiKey, apiVersion and correlationId: the fixed start every request header version shares. */
export const REQUEST_HEADER_PREFIX_BYTES = 8;

export type RequestHeaderVersion = 0 | 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

function isFlexibleRequest(apiKey: number, apiVersion: number): boolean {
  return isKnownApiKey(apiKey) && isFlexible(KAFKA_APIS[apiKey].request, apiVersion);
}

/**
 * The request header version a client uses. Unknown APIs are read as v1, enough to reach the
 * correlationId and answer; the version of a known API need not be one we support, since ApiVersions
 * must be answered whatever version it arrives in. ControlledShutdown v0 alone carries header v0.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): RequestHeaderVersion {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexibleRequest(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): ResponseHeaderVersion {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexibleRequest(apiKey, apiVersion) ? 1 : 0;
}

/**
 * The three fields at the start of every request, read without committing to a header version, so a
 * broker can refuse an unknown API or unsupported version before decoding anything else.
 */
export function peekRequestHeader(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length < REQUEST_HEADER_PREFIX_BYTES) {
    throw new DecodeError(`request of ${frame.length} bytes is too short for a header`);
  }
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

/**
 * Reads a request header; `r` is left at the body. The header version defaults to the one the API and
 * version call for (v0 exists only for ControlledShutdown v0).
 */
export function readRequestHeader(r: Reader, version?: RequestHeaderVersion): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const v = version ?? requestHeaderVersion(apiKey, apiVersion);
  const clientId = v >= 1 ? readNullableString(r) : null;
  if (v === 2) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId };
}

export function writeRequestHeader(w: Writer, header: RequestHeader, version: RequestHeaderVersion): void {
  w.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId);
  if (version === 0) return;
  writeNullableString(w, header.clientId);
  if (version === 2) writeEmptyTaggedFields(w);
}

/** Reads a response header; `r` is left at the body. */
export function readResponseHeader(r: Reader, version: ResponseHeaderVersion): { correlationId: number } {
  const correlationId = r.int32();
  if (version === 1) skipTaggedFields(r);
  return { correlationId };
}

export function writeResponseHeader(w: Writer, correlationId: number, version: ResponseHeaderVersion): void {
  w.int32(correlationId);
  if (version === 1) writeEmptyTaggedFields(w);
}
