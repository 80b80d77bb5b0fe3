// Runs the built Skein broker (`node dist/src/cli/main.js kafka --config server.properties`) as a child
// process on a free port with a temporary data directory, for the real-client compatibility tests. The
// Kafka twin of compat/zookeeper/skein-process.ts, whose port and command helpers it shares.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../zookeeper/skein-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/cli/main.js');

export class SkeinKafka {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly config: string,
  ) {}

  /** Writes server.properties (`settings` added to the listener and log dir) and starts the broker. */
  static async start(settings: Record<string, string> = {}): Promise<SkeinKafka> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx tsc -p tsconfig.build.json first`);
    const dir = await mkdtemp(join(tmpdir(), 'skein-kafka-compat-'));
    const port = await freePort();
    const config = join(dir, 'server.properties');
    const lines = Object.entries({ listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': join(dir, 'data'), ...settings });
    await writeFile(config, lines.map(([key, value]) => `${key}=${value}`).join('\n'));
    const kafka = new SkeinKafka(dir, port, config);
    await kafka.launch();
    return kafka;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Everything the process printed (pino JSON lines). */
  get log(): string {
    return this.output;
  }

  /** Starts the process (again, after stop or kill) and resolves once it listens. */
  async launch(): Promise<void> {
    const child = spawn(process.execPath, [MAIN, 'kafka', '--config', this.config], {
      cwd: ROOT,
      env: { ...process.env, SKEIN_LOG_LEVEL: process.env.SKEIN_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const from = this.output.length;
    await new Promise<void>((resolveReady, reject) => {
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes('kafka broker listening', from)) resolveReady();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`skein exited with ${code} before listening:\n${this.output.slice(from)}`)));
    });
  }

  /** kill -9: nothing is flushed or closed; only what was durable survives. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  /** A clean shutdown. */
  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}
