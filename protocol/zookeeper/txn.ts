// Transactions: what a validated write becomes, what the log stores and what the znode tree applies.
// A transaction is a TxnHeader followed by the record its type names (zookeeper.jute's txn module);
// a multi nests its ops as (type, record bytes) pairs.
import { DecodeError, Reader, Writer } from '../bytes.js';
import { OpCode } from './codes.js';
import type { JuteType } from './jute.js';
import {
  CheckVersionTxn,
  CloseSessionTxn,
  CreateContainerTxn,
  CreateSessionTxn,
  CreateTTLTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetACLTxn,
  SetDataTxn,
  TxnHeader,
} from './records.js';

export type TxnBody =
  | ({ type: typeof OpCode.create | typeof OpCode.create2 } & CreateTxn)
  | ({ type: typeof OpCode.createTTL } & CreateTTLTxn)
  | ({ type: typeof OpCode.createContainer } & CreateContainerTxn)
  | ({ type: typeof OpCode.delete | typeof OpCode.deleteContainer } & DeleteTxn)
  | ({ type: typeof OpCode.setData } & SetDataTxn)
  | ({ type: typeof OpCode.setACL } & SetACLTxn)
  | ({ type: typeof OpCode.check } & CheckVersionTxn)
  | ({ type: typeof OpCode.createSession } & CreateSessionTxn)
  | ({ type: typeof OpCode.closeSession } & CloseSessionTxn)
  | ({ type: typeof OpCode.error } & ErrorTxn)
  | { type: typeof OpCode.multi; txns: readonly TxnBody[] };

/** A transaction's identity: who asked (session, cxid), its zxid and its wall-clock time. */
export interface TxnMeta {
  clientId: bigint;
  cxid: number;
  /** epoch << 32 | counter: exact as a 64-bit value, so a bigint. */
  zxid: bigint;
  time: number;
}

export interface Transaction extends TxnMeta {
  body: TxnBody;
}

const RECORDS = new Map<number, JuteType<any>>([
  [OpCode.create, CreateTxn],
  [OpCode.create2, CreateTxn],
  [OpCode.createTTL, CreateTTLTxn],
  [OpCode.createContainer, CreateContainerTxn],
  [OpCode.delete, DeleteTxn],
  [OpCode.deleteContainer, DeleteTxn],
  [OpCode.setData, SetDataTxn],
  [OpCode.setACL, SetACLTxn],
  [OpCode.check, CheckVersionTxn],
  [OpCode.createSession, CreateSessionTxn],
  [OpCode.closeSession, CloseSessionTxn],
  [OpCode.error, ErrorTxn],
]);

function writeBody(w: Writer, body: TxnBody): void {
  if (body.type === OpCode.multi) {
    const txns = body.txns.map((sub) => {
      const sw = new Writer(64 + sizeHint(sub));
      writeBody(sw, sub);
      return { type: sub.type, data: sw.toBuffer() };
    });
    MultiTxn.write(w, { txns });
    return;
  }
  RECORDS.get(body.type)!.write(w, body);
}

function readBody(type: number, r: Reader, nested: boolean): TxnBody {
  if (type === OpCode.multi && !nested) {
    const { txns } = MultiTxn.read(r);
    return {
      type,
      txns: txns.map((t) => {
        const data = t.data ?? Buffer.alloc(0);
        return readBody(t.type, new Reader(data), true);
      }),
    };
  }
  const rec = RECORDS.get(type);
  if (!rec) throw new DecodeError(`unknown transaction type ${type}`);
  return { type, ...rec.read(r) } as TxnBody;
}

export function writeTransaction(w: Writer, txn: Transaction): void {
  TxnHeader.write(w, { clientId: txn.clientId, cxid: txn.cxid, zxid: txn.zxid, time: txn.time, type: txn.body.type });
  writeBody(w, txn.body);
}

/** Bytes a transaction's variable parts may take: data (below the by-reference size), paths, ACLs. */
function sizeHint(body: TxnBody): number {
  switch (body.type) {
    case OpCode.multi:
      return body.txns.reduce((n, sub) => n + 64 + sizeHint(sub), 0);
    case OpCode.closeSession:
      return body.paths2Delete.reduce((n, p) => n + 4 + 3 * p.length, 0);
    case OpCode.createSession:
    case OpCode.error:
      return 0;
    default: {
      const data = 'data' in body && body.data ? body.data.length : 0;
      const acl = 'acl' in body ? body.acl.reduce((n, a) => n + 12 + 3 * (a.id.scheme.length + a.id.id.length), 0) : 0;
      return 3 * body.path.length + (data < 1024 ? data : 0) + acl;
    }
  }
}

export function encodeTransaction(txn: Transaction): Buffer {
  const w = new Writer(64 + sizeHint(txn.body));
  writeTransaction(w, txn);
  return w.toBuffer();
}

export function readTransaction(r: Reader): Transaction {
  const h = TxnHeader.read(r);
  const body = readBody(h.type, r, false);
  return { clientId: h.clientId, cxid: h.cxid, zxid: h.zxid, time: h.time, body };
}
