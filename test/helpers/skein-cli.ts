// The `skein` command as a user types it, for the CLI tests: `skein(...)` runs one client command to its
// exit; SkeinNode runs `skein start` (ZooKeeper and a broker, on free ports, in a temp dir) and reads
// where it listens from its start summary.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { run, type RunResult } from './run-command.js';
import { SKEIN_MAIN, skeinEnv } from './server-process.js';

/** A client command gets this long; the slowest waits 20 s for a group coordinator. */
const COMMAND_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 60_000;

export interface CliTarget {
  kafka: string;
  zookeeper: string;
}

/** Runs `skein args...` against `target` (through SKEIN_BROKERS and SKEIN_ZOOKEEPER), `input` on stdin. */
export function skein(target: CliTarget | undefined, args: string[], input: string | Buffer = '', env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const targetEnv = target ? { SKEIN_BROKERS: target.kafka, SKEIN_ZOOKEEPER: target.zookeeper } : {};
  return run(process.execPath, [SKEIN_MAIN, ...args], input, COMMAND_TIMEOUT_MS, { ...process.env, ...targetEnv, ...env });
}

/** Expects a failure as a user should see it: exit `code`, one line on stderr matching `pattern`, no stack trace. */
export function expectOneLine(r: { code: number | null; stderr: string }, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Runs a command that must succeed and parses its JSON output. */
export async function skeinJson<T>(target: CliTarget, args: string[], input: string | Buffer = ''): Promise<T> {
  const r = await skein(target, [...args, '--format', 'json'], input);
  if (r.code !== 0) throw new Error(`skein ${args.join(' ')} exited with ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** `skein start` on free ports in a temp dir. */
export class SkeinNode implements CliTarget {
  private constructor(
    private readonly child: ChildProcess,
    /** Its data directory; tests may put files there too. */
    readonly dataDir: string,
    readonly kafka: string,
    readonly zookeeper: string,
    /** Everything it printed up to its start summary, the summary last. */
    readonly startOutput: string,
    private readonly overrides: Record<string, string>,
  ) {}

  /** Starts a node; `overrides` are server.properties settings for its broker. */
  static async start(overrides: Record<string, string> = {}): Promise<SkeinNode> {
    const dir = await mkdtemp(join(tmpdir(), 'skein-cli-node-'));
    try {
      return await SkeinNode.spawn(dir, { kafka: '0', zookeeper: '0', http: '0' }, overrides);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private static async spawn(dir: string, ports: { kafka: string; zookeeper: string; http: string }, overrides: Record<string, string>): Promise<SkeinNode> {
    const settings = Object.entries(overrides).flatMap(([key, value]) => ['--override', `${key}=${value}`]);
    const child = spawn(process.execPath, [SKEIN_MAIN, 'start', '--data-dir', dir, '--kafka-port', ports.kafka, '--zookeeper-port', ports.zookeeper, '--http-port', ports.http, ...settings], {
      env: skeinEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    try {
      const started = await new Promise<{ kafka: string; zookeeper: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`skein start did not start within ${START_TIMEOUT_MS} ms: ${out}`)), START_TIMEOUT_MS);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.includes('"skein node started"'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line) as { kafka: string; zookeeper: string });
          }
        });
        child.once('exit', (code) => reject(new Error(`skein start exited with ${code}: ${out}`)));
      });
      return new SkeinNode(child, dir, started.kafka, started.zookeeper, out, overrides);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** The node's `name` address from its start summary (kafka, zookeeper, http). */
  address(name: 'kafka' | 'zookeeper' | 'http'): string {
    const summary = this.startOutput.split('\n').find((l) => l.includes('"skein node started"'))!;
    return (JSON.parse(summary) as Record<string, string>)[name]!;
  }

  /** Stops the node (its data kept) and starts it again on the same ports; resolves with the new process once it serves. */
  async restart(): Promise<SkeinNode> {
    await this.exit();
    const port = (name: 'kafka' | 'zookeeper' | 'http') => this.address(name).slice(this.address(name).lastIndexOf(':') + 1);
    return SkeinNode.spawn(this.dataDir, { kafka: port('kafka'), zookeeper: port('zookeeper'), http: port('http') }, this.overrides);
  }

  /** SIGTERM, and waits for the process to end. */
  async exit(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
  }

  async stop(): Promise<void> {
    await this.exit();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
