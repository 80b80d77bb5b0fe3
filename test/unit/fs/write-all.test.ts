// writeAll, the one way bytes reach a file: short counts are continued, a refusal is a DiskFullError
// saying how much landed, a write that makes no progress is not mistaken for success.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskFullError, writeAll, type WritableFile } from '../../../src/fs/write-all.js';
import { errnoError, FaultyFiles } from '../../helpers/faulty-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-write-all-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const pieces = (): Buffer[] => Array.from({ length: 40 }, (_, i) => Buffer.alloc(1 + i * 3, i));

describe('writeAll', () => {
  it('keeps writing after short counts until every byte of every buffer is in place', async () => {
    const files = new FaultyFiles();
    files.halveWrites = true;
    const path = join(dir, 'f');
    const file = await files.open(path, 'w+');
    await writeAll(file, pieces(), 5);
    await file.close();
    expect(files.shortWrites).toBeGreaterThan(5);
    expect(await readFile(path)).toEqual(Buffer.concat([Buffer.alloc(5), ...pieces()]));
  });

  it('reports a full disk as DiskFullError, with the bytes that did land', async () => {
    const files = new FaultyFiles();
    files.room = 100;
    const file = await files.open(join(dir, 'f'), 'w+');
    const err = await writeAll(file, pieces(), 0).catch((e: unknown) => e);
    await file.close();
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err).toMatchObject({ code: 'ENOSPC', written: 100 });
  });

  it('does not take a write that made no progress for a success', async () => {
    const stuck: WritableFile = { writev: async (buffers) => ({ bytesWritten: 0, buffers }) };
    await expect(writeAll(stuck, [Buffer.from('x')], 0)).rejects.toMatchObject({ name: 'DiskFullError', written: 0 });
  });

  it('passes other errors through unchanged', async () => {
    const eio = errnoError('EIO');
    const failing: WritableFile = {
      writev: () => Promise.reject(eio),
    };
    await expect(writeAll(failing, [Buffer.from('x')], 0)).rejects.toBe(eio);
  });
});
