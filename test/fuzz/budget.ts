// How much a fuzz run does and which run it is: FUZZ_FRAMES frames per protocol (CI's default is tens of
// thousands; millions on request), drawn from FUZZ_SEED. A failure names the seed, so
// `FUZZ_SEED=<seed> npx vitest run test/fuzz` replays it frame for frame.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc, { type Parameters } from 'fast-check';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** Frames each protocol's fuzz test sends. */
export const FUZZ_FRAMES = envInt('FUZZ_FRAMES', 20_000);
/**
 * CI's seed: CI must pass or fail the same way on every run of one commit, so it replays one fixed slice;
 * elsewhere each run draws a new seed and so explores further.
 */
const CI_SEED = 7_2026;
/** The seed every draw of this run comes from. */
export const FUZZ_SEED = envInt('FUZZ_SEED', process.env.CI ? CI_SEED : Date.now() % 1_000_000_007);
/** Frames in one property run, pipelined on one connection. */
export const FRAMES_PER_RUN = 100;

/**
 * fast-check settings for `frames` frames at FRAMES_PER_RUN frames a run. No shrinking: the pipeline
 * already names the one frame that failed, and replaying hundreds of frames per shrink step (each a
 * possible stall) would take longer than it helps.
 */
export function fuzzParameters(frames: number): Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.ceil(frames / FRAMES_PER_RUN)), endOnFailure: true };
}

/** Test timeout for `frames` frames at a rate no slower than `minFramesPerSecond`, plus setup. */
export function fuzzTimeoutMs(frames: number, minFramesPerSecond: number): number {
  return 60_000 + Math.ceil((frames / minFramesPerSecond) * 1000);
}

/**
 * `run` printed as `label` in fast-check's failure report, which would otherwise list every frame of the
 * run; the failure itself names the one frame that broke the property.
 */
export function briefly<T extends object>(run: T, label: string): T {
  return Object.defineProperty(run, fc.toStringMethod, { value: () => label });
}

/** gc() without --expose-gc on the command line (each test file runs in a process of its own). */
const collectGarbage = (() => {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Bytes the process holds after a full garbage collection: the JS heap and buffers outside it. */
export function retainedBytes(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/** Growth of the process's resident memory a run may cause (the server and the fuzzer share it). */
export const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;
/** Growth of what the process still holds after a full GC: state fuzzed requests legitimately leave. */
export const RETAINED_GROWTH_LIMIT = 64 * 1024 * 1024;

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
