import { describe, expect, it } from 'vitest';
import { DecodeError, Reader } from '../../../protocol/bytes.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import { encodeTransaction, readTransaction, type Transaction } from '../../../protocol/zookeeper/txn.js';

const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

describe('transaction records', () => {
  it('round-trips every transaction type, multis nested', () => {
    const txns: Transaction[] = [
      { clientId: 5n, cxid: 1, zxid: 2n, time: 1700000000000, body: { type: OpCode.createSession, timeOut: 30000 } },
      {
        clientId: 5n,
        cxid: 2,
        zxid: 3n,
        time: 1,
        body: { type: OpCode.create, path: '/a', data: Buffer.from('x'), acl, ephemeral: true, parentCVersion: 1 },
      },
      {
        clientId: 5n,
        cxid: 3,
        zxid: 4n,
        time: 1,
        body: { type: OpCode.createTTL, path: '/t', data: null, acl, parentCVersion: 2, ttl: 1000 },
      },
      {
        clientId: 5n,
        cxid: 4,
        zxid: 5n,
        time: 1,
        body: {
          type: OpCode.multi,
          txns: [
            { type: OpCode.createContainer, path: '/c', data: Buffer.alloc(0), acl, parentCVersion: 3 },
            { type: OpCode.setData, path: '/a', data: Buffer.from('y'), version: 1 },
            { type: OpCode.setACL, path: '/a', acl, version: 1 },
            { type: OpCode.check, path: '/a', version: 1 },
            { type: OpCode.delete, path: '/t' },
          ],
        },
      },
      { clientId: 5n, cxid: 5, zxid: 6n, time: 1, body: { type: OpCode.closeSession, paths2Delete: ['/a'] } },
    ];
    for (const t of txns) expect(readTransaction(new Reader(encodeTransaction(t)))).toEqual(t);
  });

  it('refuses unknown transaction types', () => {
    const bytes = encodeTransaction({ clientId: 0n, cxid: 0, zxid: 1n, time: 0, body: { type: OpCode.delete, path: '/x' } });
    bytes.writeInt32BE(77, 28);
    expect(() => readTransaction(new Reader(bytes))).toThrow(DecodeError);
  });
});
