// Shared by the kill -9 tests: a replayable random source, the repository root (dist/ is compiled there
// once by build-dist.ts, vitest's globalSetup), and a runner that SIGKILLs a writer child a while after it
// says its storage is open.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The seed of this run's kill timing; tests put it in their names, SKEIN_CRASH_SEED replays it. */
export const CRASH_SEED = Number(process.env.SKEIN_CRASH_SEED ?? Date.now() % 100_000);

/** A small deterministic generator: `random(n)` is in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % n;
  };
}

export interface KilledRun {
  /** What the child reported on its OPEN line (the log end it opened at). */
  open: number;
  /** Its other lines: kind, then numbers (ACK offset id, FIRST id, ...). */
  lines: { kind: string; values: number[] }[];
}

/**
 * Runs `script args...` with node; once it prints "OPEN n", kills it with SIGKILL after `killAfterMs`.
 * Resolves with what it printed; rejects if it exits any other way.
 */
export function runUntilKilled(script: string, args: string[], killAfterMs: number): Promise<KilledRun> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: KilledRun = { open: -1, lines: [] };
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, ...rest] = line.split(' ');
        const values = rest.map(Number);
        if (kind === 'OPEN') {
          run.open = values[0]!;
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (kind) {
          run.lines.push({ kind, values });
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(run);
      else reject(new Error(`${script} exited with ${code}: ${stderr}`));
    });
  });
}

/** The ACK lines of a run as offset -> id. */
export function acksOf(run: KilledRun): Map<number, number> {
  return new Map(run.lines.filter((l) => l.kind === 'ACK').map((l) => [l.values[0]!, l.values[1]!]));
}
