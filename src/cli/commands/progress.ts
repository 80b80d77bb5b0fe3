// A one-line progress display on a terminal: a bar when the total is known (a file), then records,
// records/s and MB/s, redrawn in place a few times a second and erased when done.
import type { WriteStream } from 'node:tty';

/** Redraws at most this often: more is flicker and wasted writes. */
const REDRAW_MS = 200;
const BAR_WIDTH = 30;

/** The progress line for `records` and `bytes` after `seconds`, of `totalBytes` if known. */
export function progressLine(records: number, bytes: number, seconds: number, totalBytes?: number): string {
  const rate = seconds > 0 ? `${Math.round(records / seconds).toLocaleString('en-US')} records/s  ${(bytes / 1e6 / seconds).toFixed(1)} MB/s` : '';
  const count = `${records.toLocaleString('en-US')} records`;
  if (totalBytes === undefined || totalBytes === 0) return `${count}  ${rate}`.trimEnd();
  const fraction = Math.min(1, bytes / totalBytes);
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${count}  ${rate}`.trimEnd();
}

export class Progress {
  private readonly started = performance.now();
  /** Nothing is drawn in the first REDRAW_MS: a small input is done before a bar would be worth showing. */
  private lastDraw = performance.now();
  private drawn = false;

  constructor(
    private readonly out: WriteStream,
    private readonly totalBytes?: number,
  ) {}

  update(records: number, bytes: number): void {
    this.show((seconds) => progressLine(records, bytes, seconds, this.totalBytes));
  }

  /** Draws the line `render` makes from the seconds since the start, unless one was drawn too recently. */
  show(render: (seconds: number) => string): void {
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.out.write(`\r${render((now - this.started) / 1000)}\x1b[K`);
  }

  /** Erases the line, so what is printed next starts clean. */
  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
  }
}
