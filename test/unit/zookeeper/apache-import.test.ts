// The Apache ZooKeeper file decoders and `skein zk import`'s reader and writer on files built byte by byte
// (test/helpers/apache-zk-files.ts): every field lands, every damage is refused with the file and offset,
// and a refused import writes nothing.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adler32 } from '../../../protocol/checksum/adler32.js';
import { ApacheFormatError, decodeSnapshot, ttlOf } from '../../../protocol/zookeeper/apache-snapshot.js';
import { nextLogRecord } from '../../../protocol/zookeeper/apache-txn-log.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import type { ACL } from '../../../protocol/zookeeper/records.js';
import type { Transaction, TxnBody } from '../../../protocol/zookeeper/txn.js';
import { ImportError, readApacheDataDir } from '../../../src/zookeeper/import/apache-data-dir.js';
import { importApacheZooKeeper } from '../../../src/zookeeper/import/import.js';
import { readSnapshot } from '../../../src/zookeeper/persistence/snapshot.js';
import { apacheLog, apacheLogEntry, apacheSnapshot, type SnapshotContents } from '../../helpers/apache-zk-files.js';

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const DIGEST: ACL[] = [{ perms: 31, id: { scheme: 'digest', id: 'alice:hash=' } }];
const SESSION = 0x0100_0000_0000_0007n;
const TTL_OWNER = BigInt.asIntN(64, (0xffn << 56n) | 5000n);

const CONTENTS: SnapshotContents = {
  sessions: [[SESSION, 30_000]],
  acls: [
    [1n, OPEN],
    [2n, DIGEST],
  ],
  nodes: [
    { path: '', data: Buffer.alloc(0), aclKey: -1n, stat: { cversion: 3, pzxid: 5n } },
    { path: '/zookeeper', data: Buffer.alloc(0), aclKey: 1n, stat: {} },
    { path: '/a', data: Buffer.from('hello'), aclKey: 2n, stat: { czxid: 2n, mzxid: 4n, ctime: 1000, mtime: 2000, version: 3, cversion: 2, aversion: 1, pzxid: 5n } },
    { path: '/a/eph', data: null, aclKey: 1n, stat: { czxid: 3n, mzxid: 3n, ephemeralOwner: SESSION, pzxid: 3n } },
    { path: '/a/ttl', data: Buffer.from('t'), aclKey: 1n, stat: { czxid: 5n, mzxid: 5n, ephemeralOwner: TTL_OWNER, pzxid: 5n } },
  ],
};

describe('adler32', () => {
  it('matches the RFC 1950 value and continues a running checksum', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
    const long = Buffer.alloc(20_000, 0xff);
    expect(adler32(long.subarray(7_000), adler32(long.subarray(0, 7_000)))).toBe(adler32(long));
  });
});

describe('decodeSnapshot', () => {
  it('reads the sessions, the ACL cache and every node with its stat, with or without the trailers', () => {
    for (const trailers of [{}, { digest: true }, { lastZxid: 9n }, { digest: true, lastZxid: 9n }]) {
      const snap = decodeSnapshot(apacheSnapshot({ ...CONTENTS, ...trailers }));
      expect(snap.sessions).toEqual(new Map([[SESSION, 30_000]]));
      expect(snap.lastZxid).toBe('lastZxid' in trailers ? 9n : undefined);
      expect(snap.nodes.map((n) => n.path)).toEqual(['/', '/zookeeper', '/a', '/a/eph', '/a/ttl']);
      expect(snap.nodes[0]!.acl).toEqual(OPEN);
      expect(snap.nodes[2]).toEqual({
        path: '/a',
        data: Buffer.from('hello'),
        acl: DIGEST,
        stat: { czxid: 2n, mzxid: 4n, ctime: 1000, mtime: 2000, version: 3, cversion: 2, aversion: 1, ephemeralOwner: 0n, pzxid: 5n },
      });
      expect(snap.nodes[3]!.data).toBeNull();
    }
  });

  it('tells TTL owners from sessions', () => {
    expect(ttlOf(TTL_OWNER)).toBe(5000);
    expect(ttlOf(SESSION)).toBeUndefined();
    expect(ttlOf(-(2n ** 63n))).toBeUndefined();
  });

  it('refuses a wrong checksum at the seal, an unknown ACL key, a foreign file', () => {
    const bytes = apacheSnapshot(CONTENTS);
    const sealAt = bytes.length - 13;
    const bad = Buffer.from(bytes);
    bad[bytes.indexOf('hello')]! ^= 1; // data: only the checksum can tell
    expect(() => decodeSnapshot(bad)).toThrow(expect.objectContaining({ offset: sealAt, message: expect.stringMatching(/checksum/) }));
    const unknownAcl = apacheSnapshot({ ...CONTENTS, acls: [[1n, OPEN]] });
    expect(() => decodeSnapshot(unknownAcl)).toThrow(/ACL key 2 is not in the ACL cache/);
    expect(() => decodeSnapshot(Buffer.from('PK\u0003\u0004 not a snapshot at all'))).toThrow(/not a ZooKeeper snapshot/);
  });

  it('refuses every truncation with an ApacheFormatError at an offset inside the data', () => {
    const bytes = apacheSnapshot({ ...CONTENTS, digest: true });
    for (let cut = 0; cut < bytes.length; cut++) {
      let thrown: unknown;
      try {
        decodeSnapshot(bytes.subarray(0, cut));
      } catch (err) {
        thrown = err;
      }
      // Cutting the digest trailer exactly off leaves a valid snapshot without it, as Apache writes with digests off.
      if (cut === bytes.length - 33) continue;
      expect(thrown, `cut at ${cut}`).toBeInstanceOf(ApacheFormatError);
      expect((thrown as ApacheFormatError).offset).toBeLessThanOrEqual(cut);
    }
  });
});

function txn(zxid: bigint, body: TxnBody, clientId = SESSION): Transaction {
  return { clientId, cxid: 1, zxid, time: Number(zxid) * 1000, body };
}

const create = (zxid: bigint, path: string, parentCVersion: number, ephemeral = false) =>
  txn(zxid, { type: OpCode.create, path, data: Buffer.from(path), acl: OPEN, ephemeral, parentCVersion });

describe('nextLogRecord', () => {
  const log = apacheLog([apacheLogEntry(create(1n, '/x', 1))], 64);

  it('reads a record, then the zero length ends the records', () => {
    const first = nextLogRecord(log, 16, true, 1 << 20);
    expect(first.kind).toBe('record');
    if (first.kind !== 'record') return;
    expect(nextLogRecord(log, first.next, true, 1 << 20)).toEqual({ kind: 'end' });
  });

  it('asks for more bytes before the end of the file, and refuses a file that ends inside a record', () => {
    expect(nextLogRecord(log.subarray(0, 30), 16, false, 1 << 20)).toMatchObject({ kind: 'more' });
    expect(() => nextLogRecord(log.subarray(0, 30), 16, true, 1 << 20)).toThrow(/ends inside a record/);
  });

  it('reports a record without its end byte as partial, and refuses a checksum mismatch or a huge length', () => {
    const partial = Buffer.from(log);
    const eor = 16 + 12 + partial.readInt32BE(16 + 8);
    partial[eor] = 0;
    expect(nextLogRecord(partial, 16, true, 1 << 20)).toEqual({ kind: 'partial' });
    const flipped = Buffer.from(log);
    flipped[16 + 12 + 2]! ^= 1;
    expect(() => nextLogRecord(flipped, 16, true, 1 << 20)).toThrow(expect.objectContaining({ offset: 16 }));
    expect(() => nextLogRecord(log, 16, true, 10)).toThrow(/record length .* out of range/);
  });
});

describe('import of a data directory', () => {
  let dir: string;
  let from: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-zk-import-'));
    from = join(dir, 'apache');
    await mkdir(join(from, 'version-2'), { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const put = (name: string, bytes: Buffer) => writeFile(join(from, 'version-2', name), bytes);
  const logTxns = [
    create(5n, '/a/old', 1), // before the snapshot's zxid 6: skipped
    create(6n, '/a/old2', 2),
    create(7n, '/a/new', 3),
    txn(8n, { type: OpCode.setData, path: '/a', data: Buffer.from('changed'), version: 4 }),
    txn(9n, { type: OpCode.createSession, timeOut: 20_000 }, 0x0100_0000_0000_0008n),
    txn(0xan, { type: OpCode.multi, txns: [{ type: OpCode.create, path: '/a/m', data: null, acl: DIGEST, ephemeral: false, parentCVersion: 4 }, { type: OpCode.delete, path: '/a/new' }] }),
  ];

  it('loads the newest snapshot (gzip), replays the log after it and writes a Skein snapshot', async () => {
    await put('snapshot.2', apacheSnapshot({ nodes: [] }).subarray(0, 10)); // an older, damaged one is not read
    await put('snapshot.6.gz', gzipSync(apacheSnapshot(CONTENTS)));
    await put('log.5', apacheLog(logTxns.map(apacheLogEntry)));
    const target = join(dir, 'skein', 'data');
    const summary = await importApacheZooKeeper({ from, dataDir: target });
    expect(summary).toMatchObject({ replayed: 4, lastZxid: 0xan, sessions: 2, deadSessions: 0, logs: [join(from, 'version-2', 'log.5')] });
    const [file] = await readdir(target);
    const tree = await readSnapshot(join(target, file!));
    expect(tree.lastProcessedZxid).toBe(0xan);
    expect(tree.get('/a/old')).toBeUndefined();
    expect(tree.get('/a/new')).toBeUndefined();
    expect(tree.get('/a/m')?.acl.entries).toEqual(DIGEST);
    const a = tree.get('/a')!;
    expect([a.data?.toString(), a.version, a.mzxid, a.childCreates, a.pzxid, a.aversion]).toEqual(['changed', 4, 8n, 4, 0xan, 1]);
    expect(tree.get('/a/eph')?.owner).toBe(SESSION);
    expect([tree.get('/a/ttl')?.ttl, tree.get('/a/ttl')?.owner]).toEqual([5000, 0n]);
    expect(tree.sessions.get(0x0100_0000_0000_0008n)).toBe(20_000);
  });

  it('refuses a newest snapshot cut short, saying how to import from the one before it', async () => {
    await put('snapshot.4', apacheSnapshot(CONTENTS));
    await put('snapshot.6', apacheSnapshot(CONTENTS).subarray(0, 100));
    await put('log.5', apacheLog(logTxns.map(apacheLogEntry)));
    await expect(readApacheDataDir(from)).rejects.toThrow(/snapshot\.6 at byte \d+: .*move it out of the directory and import again/);
    await rm(join(from, 'version-2', 'snapshot.6'));
    const read = await readApacheDataDir(from);
    expect([read.replayed, read.tree.get('/a/old')?.czxid, read.tree.lastProcessedZxid]).toEqual([6, 5n, 0xan]);
  });

  it("applies an ensemble's reconfig as the setData of /zookeeper/config it is", async () => {
    await put('snapshot.6', apacheSnapshot({ ...CONTENTS, nodes: [...CONTENTS.nodes, { path: '/zookeeper/config', data: Buffer.alloc(0), aclKey: 1n, stat: {} }] }));
    const reconfig = apacheLogEntry(txn(7n, { type: OpCode.setData, path: '/zookeeper/config', data: Buffer.from('server.1=a:1:2\nversion=7'), version: 1 }));
    reconfig.writeInt32BE(OpCode.reconfig, 28);
    await put('log.7', apacheLog([reconfig]));
    const { tree } = await readApacheDataDir(from);
    expect([tree.get('/zookeeper/config')?.data?.toString(), tree.get('/zookeeper/config')?.version]).toEqual(['server.1=a:1:2\nversion=7', 1]);
  });

  it("reads the logs from zoo.cfg's dataLogDir when they live apart", async () => {
    await put('snapshot.6', apacheSnapshot(CONTENTS));
    const logDir = join(dir, 'apache-logs');
    await mkdir(join(logDir, 'version-2'), { recursive: true });
    await writeFile(join(logDir, 'version-2', 'log.5'), apacheLog(logTxns.map(apacheLogEntry)));
    const read = await readApacheDataDir(from, logDir);
    expect([read.replayed, read.tree.lastProcessedZxid, read.logs]).toEqual([4, 0xan, [join(logDir, 'version-2', 'log.5')]]);
  });

  it("deletes ephemerals of sessions that are gone, as Apache's loadData does", async () => {
    await put('snapshot.6', apacheSnapshot({ ...CONTENTS, sessions: [] }));
    const { tree, deadSessions } = await readApacheDataDir(from);
    expect(deadSessions).toBe(1);
    expect(tree.get('/a/eph')).toBeUndefined();
  });

  it('drops a crash-cut last record of the last log, and refuses one in an earlier log', async () => {
    await put('snapshot.6', apacheSnapshot(CONTENTS));
    const torn = apacheLog(logTxns.slice(2, 4).map(apacheLogEntry));
    const second = 16 + 12 + torn.readInt32BE(24) + 1;
    torn[second + 12 + torn.readInt32BE(second + 8)] = 0;
    await put('log.7', torn);
    const read = await readApacheDataDir(from);
    expect(read.tree.lastProcessedZxid).toBe(7n);
    expect(read.tornTail).toEqual({ file: join(from, 'version-2', 'log.7'), offset: second });
    await put('log.9', apacheLog(logTxns.slice(4).map(apacheLogEntry)));
    await expect(readApacheDataDir(from)).rejects.toThrow(`${join(from, 'version-2', 'log.7')} at byte ${second}: a record without its end marker`);
  });

  it('answers any flipped byte with a clean import or an ImportError, never another failure (seeded)', async () => {
    const snapshot = apacheSnapshot({ ...CONTENTS, digest: true });
    const log = apacheLog(logTxns.map(apacheLogEntry), 64);
    let seed = Number(process.env.ZK_IMPORT_FUZZ_SEED ?? 7);
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let refused = 0;
    for (let round = 0; round < 200; round++) {
      const [snap, lg] = [Buffer.from(snapshot), Buffer.from(log)];
      const target = round % 2 === 0 ? snap : lg;
      target[random(target.length)]! ^= 1 + random(255);
      await put('snapshot.6', snap);
      await put('log.5', lg);
      try {
        await readApacheDataDir(from);
      } catch (err) {
        if (!(err instanceof ImportError)) throw new Error(`round ${round}: ${String(err)}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(150);
  });

  it('refuses missing transactions, a damaged snapshot and a non-empty target, writing nothing', async () => {
    await put('snapshot.6', apacheSnapshot(CONTENTS));
    await put('log.7', apacheLog([apacheLogEntry(logTxns[2]!), apacheLogEntry(logTxns[4]!)]));
    const gapAt = 16 + 12 + apacheLogEntry(logTxns[2]!).length + 1;
    const target = join(dir, 'out');
    await expect(importApacheZooKeeper({ from, dataDir: target })).rejects.toThrow(new ImportError(join(from, 'version-2', 'log.7'), gapAt, 'transaction 0x9 does not follow 0x7: transactions are missing'));

    // A transaction type Skein has no record for (99), with a valid checksum: refused at its record.
    const unknown = apacheLogEntry(logTxns[2]!);
    unknown.writeInt32BE(99, 28); // TxnHeader: clientId, cxid, zxid, time, then type
    await put('log.7', apacheLog([unknown]));
    await expect(importApacheZooKeeper({ from, dataDir: target })).rejects.toThrow(`log.7 at byte 16: transaction record: unknown transaction type 99`);

    const snap = apacheSnapshot(CONTENTS);
    snap[snap.length - 20]! ^= 1;
    await put('snapshot.6', snap);
    await expect(importApacheZooKeeper({ from, dataDir: target })).rejects.toThrow(/snapshot\.6 at byte \d+: snapshot checksum/);
    expect(await readdir(dir)).toEqual(['apache']);

    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x');
    await expect(importApacheZooKeeper({ from, dataDir: target })).rejects.toThrow(/not empty/);
    expect(await readdir(target)).toEqual(['keep']);
  });
});
