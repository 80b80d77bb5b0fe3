// A fault-injecting file layer for tests (installed with useFileLayer, the seam the storage code opens
// its files through): writes come up short and then fail with ENOSPC once a chosen number of bytes has
// been written, as a filling disk makes them; a chosen error (EIO) can stand in for a failing device.
// Deterministic: what fails depends only on byte counts, never on timing.
import { open, type FileHandle } from 'node:fs/promises';
import type { FileLayer } from '../../src/fs/file-layer.js';

/** Methods that would write around writeAll (which uses writev only): calling one fails the test. */
const BYPASSES = new Set<PropertyKey>(['write', 'writeFile', 'appendFile']);

export function errnoError(code: string, syscall = 'write'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by the test, ${syscall}`), { code, syscall });
}

export class FaultyFiles implements FileLayer {
  /** Bytes the disk still takes; the write that reaches it is cut short, the next fails with ENOSPC. */
  room = Number.POSITIVE_INFINITY;
  /** Every write takes only the first half of its bytes (as pwritev past IOV_MAX buffers, or a signal). */
  halveWrites = false;
  /** Thrown by every write while set (a failing device, not a full one). */
  failWith: NodeJS.ErrnoException | undefined;
  /** Bytes written and writes that came up short or failed, for assertions. */
  written = 0;
  shortWrites = 0;
  refusedWrites = 0;

  /** Only writes to files whose path `affects` accepts meet the faults; tests may change it as they go. */
  constructor(public affects: (path: string) => boolean = () => true) {}

  /** The disk is full from now on. */
  fill(): void {
    this.room = 0;
  }

  /** Space is back. */
  free(): void {
    this.room = Number.POSITIVE_INFINITY;
  }

  async open(path: string, flags: string | number): Promise<FileHandle> {
    const handle = await open(path, flags);
    return new Proxy(handle, {
      get: (target, prop) => {
        if (prop === 'writev') {
          return (buffers: Buffer[], position: number) => (this.affects(path) ? this.writev(target, buffers, position) : target.writev(buffers, position));
        }
        if (BYPASSES.has(prop)) throw new Error(`${path}: ${String(prop)} bypasses writeAll`);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private async writev(file: FileHandle, buffers: Buffer[], position: number): Promise<{ bytesWritten: number; buffers: Buffer[] }> {
    if (this.failWith) {
      this.refusedWrites++;
      throw this.failWith;
    }
    const total = buffers.reduce((n, b) => n + b.length, 0);
    const allowed = Math.min(total, this.room, this.halveWrites ? Math.ceil(total / 2) : total);
    if (allowed === 0 && total > 0) {
      this.refusedWrites++;
      throw errnoError('ENOSPC');
    }
    if (allowed < total) this.shortWrites++;
    const { bytesWritten } = await file.writev(take(buffers, allowed), position);
    this.room -= bytesWritten;
    this.written += bytesWritten;
    return { bytesWritten, buffers };
  }
}

/** The first `n` bytes of `buffers`, as views. */
function take(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let left = n;
  for (const b of buffers) {
    if (left <= 0) break;
    out.push(left >= b.length ? b : b.subarray(0, left));
    left -= b.length;
  }
  return out;
}
