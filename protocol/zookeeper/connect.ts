// The session handshake: the client's first frame is a ConnectRequest without a request header, and
// the server's first frame a ConnectResponse. Clients older than 3.4 omit the trailing readOnly byte
// and some of them (node-zookeeper-client) choke on a reply that has it, so the reply mirrors the
// request's shape.
import type { Reader, Writer } from '../bytes.js';
import { bigLong, buffer, int, record, zxid, type JuteValue } from './jute.js';

const ConnectRequestBase = record({
  protocolVersion: int,
  lastZxidSeen: zxid,
  timeOut: int,
  /** Exact: the top byte is the id of the server that minted it. */
  sessionId: bigLong,
  passwd: buffer,
});

export interface ConnectRequest extends JuteValue<typeof ConnectRequestBase> {
  /** Absent when the client is too old to send it. */
  readOnly: boolean | undefined;
}

export function readConnectRequest(r: Reader): ConnectRequest {
  const base = ConnectRequestBase.read(r);
  const readOnly = r.remaining > 0 ? r.uint8() !== 0 : undefined;
  return { ...base, readOnly };
}

export function writeConnectRequest(w: Writer, req: ConnectRequest): void {
  ConnectRequestBase.write(w, req);
  if (req.readOnly !== undefined) w.uint8(req.readOnly ? 1 : 0);
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** Written only when defined: undefined for clients that did not send the byte themselves. */
  readOnly: boolean | undefined;
}

const ConnectResponseBase = record({ protocolVersion: int, timeOut: int, sessionId: bigLong, passwd: buffer });

export function writeConnectResponse(w: Writer, rsp: ConnectResponse): void {
  ConnectResponseBase.write(w, rsp);
  if (rsp.readOnly !== undefined) w.uint8(rsp.readOnly ? 1 : 0);
}

export function readConnectResponse(r: Reader): ConnectResponse {
  const base = ConnectResponseBase.read(r);
  const readOnly = r.remaining > 0 ? r.uint8() !== 0 : undefined;
  return { ...base, passwd: base.passwd ?? Buffer.alloc(0), readOnly };
}
