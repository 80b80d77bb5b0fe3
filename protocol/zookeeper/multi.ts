// multi (14) and multiRead (22): a run of MultiHeader + op record pairs closed by a header with
// done=true, both in the request and in the response.
import { DecodeError, type Reader, type Writer } from '../bytes.js';
import { OpCode } from './codes.js';
import {
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  ErrorResponse,
  GetChildrenResponse,
  GetDataResponse,
  MultiHeader,
  PathWatchRequest,
  SetDataRequest,
  Stat,
  Create2Response,
  CreateResponse,
  StatResponse,
} from './records.js';

export type MultiOp =
  | { type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer; req: CreateRequest }
  | { type: typeof OpCode.createTTL; req: CreateTTLRequest }
  | { type: typeof OpCode.delete; req: DeleteRequest }
  | { type: typeof OpCode.setData; req: SetDataRequest }
  | { type: typeof OpCode.check; req: CheckVersionRequest }
  | { type: typeof OpCode.getChildren | typeof OpCode.getData; req: PathWatchRequest };

export type MultiResult =
  | { type: typeof OpCode.create; path: string }
  | { type: typeof OpCode.create2; path: string; stat: Stat }
  | { type: typeof OpCode.delete | typeof OpCode.check }
  | { type: typeof OpCode.setData; stat: Stat }
  | { type: typeof OpCode.getChildren; children: readonly string[] }
  | { type: typeof OpCode.getData; data: Buffer | null; stat: Stat }
  | { type: typeof OpCode.error; err: number };

const END: MultiHeader = { type: -1, done: true, err: -1 };

/** The ops of a multi or multiRead request, in order. */
export function readMultiRequest(r: Reader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (;;) {
    const h = MultiHeader.read(r);
    if (h.done) return ops;
    ops.push(readOp(h.type, r));
  }
}

function readOp(type: number, r: Reader): MultiOp {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, req: CreateRequest.read(r) };
    case OpCode.createTTL:
      return { type, req: CreateTTLRequest.read(r) };
    case OpCode.delete:
      return { type, req: DeleteRequest.read(r) };
    case OpCode.setData:
      return { type, req: SetDataRequest.read(r) };
    case OpCode.check:
      return { type, req: CheckVersionRequest.read(r) };
    case OpCode.getChildren:
    case OpCode.getData:
      return { type, req: PathWatchRequest.read(r) };
    default:
      throw new DecodeError(`invalid op type ${type} in multi`);
  }
}

export function writeMultiRequest(w: Writer, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    MultiHeader.write(w, { type: op.type, done: false, err: -1 });
    switch (op.type) {
      case OpCode.createTTL:
        CreateTTLRequest.write(w, op.req);
        break;
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        CreateRequest.write(w, op.req);
        break;
      case OpCode.delete:
        DeleteRequest.write(w, op.req);
        break;
      case OpCode.setData:
        SetDataRequest.write(w, op.req);
        break;
      case OpCode.check:
        CheckVersionRequest.write(w, op.req);
        break;
      default:
        PathWatchRequest.write(w, op.req);
    }
  }
  MultiHeader.write(w, END);
}

export function writeMultiResponse(w: Writer, results: readonly MultiResult[]): void {
  for (const res of results) {
    MultiHeader.write(w, { type: res.type, done: false, err: res.type === OpCode.error ? res.err : 0 });
    switch (res.type) {
      case OpCode.create:
        CreateResponse.write(w, res);
        break;
      case OpCode.create2:
        Create2Response.write(w, res);
        break;
      case OpCode.setData:
        StatResponse.write(w, res);
        break;
      case OpCode.getChildren:
        GetChildrenResponse.write(w, res);
        break;
      case OpCode.getData:
        GetDataResponse.write(w, res);
        break;
      case OpCode.error:
        ErrorResponse.write(w, res);
        break;
      default:
        break;
    }
  }
  MultiHeader.write(w, END);
}

export function readMultiResponse(r: Reader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const h = MultiHeader.read(r);
    if (h.done) return results;
    switch (h.type) {
      case OpCode.create:
        results.push({ type: h.type, path: CreateResponse.read(r).path });
        break;
      case OpCode.create2:
        results.push({ type: h.type, ...Create2Response.read(r) });
        break;
      case OpCode.delete:
      case OpCode.check:
        results.push({ type: h.type });
        break;
      case OpCode.setData:
        results.push({ type: h.type, stat: StatResponse.read(r).stat });
        break;
      case OpCode.getChildren:
        results.push({ type: h.type, children: GetChildrenResponse.read(r).children });
        break;
      case OpCode.getData:
        results.push({ type: h.type, ...GetDataResponse.read(r) });
        break;
      case OpCode.error:
        results.push({ type: h.type, err: ErrorResponse.read(r).err });
        break;
      default:
        throw new DecodeError(`invalid result type ${h.type} in multi response`);
    }
  }
}
