// One server run as a child process by tests and benchmarks: started (again, after a kill or stop) by the
// same command line, its output kept for failure reports, killed with -9, stopped gracefully, and paused
// and resumed (SIGSTOP/SIGCONT: alive, its sockets open, answering nothing, as a partitioned or hung
// server). Free of vitest, so bench/ scripts use it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';

const ABOVE = resolve(import.meta.dirname, '../..');
/** The repository: two levels up, or three when this runs compiled in dist/ (as bench/ scripts do). */
export const ROOT = basename(ABOVE) === 'dist' ? dirname(ABOVE) : ABOVE;
/** The built CLI, `skein` (vitest's global setup compiles it). */
export const SKEIN_MAIN = join(ROOT, 'dist/src/cli/main.js');

/** Levels that would hide the "listening" line a launch waits for. */
const QUIETER_THAN_INFO = new Set(['warn', 'error', 'fatal', 'silent']);

/** The environment of a Skein child: this run's SKEIN_LOG_LEVEL, but never quieter than info. */
export function skeinEnv(): NodeJS.ProcessEnv {
  const level = process.env.SKEIN_LOG_LEVEL ?? 'info';
  return { ...process.env, SKEIN_LOG_LEVEL: QUIETER_THAN_INFO.has(level) ? 'info' : level };
}

export interface CommandLine {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Children alive now: killed if this process exits first, so a failed or interrupted run leaves no server behind. */
const LIVE = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  LIVE.add(child);
  child.once('exit', () => LIVE.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of LIVE) c.kill('SIGKILL');
  });
}

export abstract class ServerProcess {
  private child: ChildProcess | undefined;
  private output = '';

  /** `readyLine`: printed once the server accepts connections; without one, launch resolves once spawned. */
  protected constructor(private readonly readyLine?: string) {}

  /** What to run; asked at every launch. */
  protected abstract commandLine(): CommandLine;

  /** Everything the process printed, over every launch. */
  get log(): string {
    return this.output;
  }

  /** Whether a launched process has not exited yet (a paused one is running). */
  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts the process (again, after stop or kill); resolves once it printed the ready line, or spawned. */
  async launch(): Promise<void> {
    const { file, args, cwd, env } = this.commandLine();
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    track(child);
    const from = this.output.length;
    const readyLine = this.readyLine;
    await new Promise<void>((resolveReady, reject) => {
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (readyLine !== undefined && this.output.includes(readyLine, from)) resolveReady();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      if (readyLine === undefined) child.once('spawn', () => resolveReady());
      child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready:\n${this.output.slice(from)}`)));
      child.once('error', reject);
    });
  }

  /** Resolves with the exit code once the running process exits by itself (null if killed by a signal). */
  exited(): Promise<number | null> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('the process is not running'));
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** kill -9: nothing is flushed or closed; only what was durable survives. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** SIGTERM: a graceful shutdown. */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  /** SIGSTOP: the process stays, its connections stay open, and nothing it should send is sent. */
  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  /** SIGCONT after pause. */
  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    // A paused process takes SIGTERM only once it runs again (SIGKILL needs no help).
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    await exited;
    // A launch may have started a new process meanwhile.
    if (this.child === child) this.child = undefined;
  }
}
