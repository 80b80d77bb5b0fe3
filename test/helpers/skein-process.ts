// Runs the built Skein (`node dist/src/cli/main.js <service> --config <file>`) as a child process on a free
// port with a temporary data directory, for the real-client compatibility tests and the crash and
// full-disk tests: SkeinZooKeeper writes a zoo.cfg, SkeinKafka a server.properties; both start, kill -9,
// stop and start again the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './free-port.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/cli/main.js');

/** Levels that would hide the "listening" line the harness waits for. */
const QUIETER_THAN_INFO = new Set(['warn', 'error', 'fatal', 'silent']);

function childLogLevel(): string {
  const level = process.env.SKEIN_LOG_LEVEL ?? 'info';
  return QUIETER_THAN_INFO.has(level) ? 'info' : level;
}

interface Service {
  /** The `skein` subcommand. */
  command: 'zookeeper' | 'kafka';
  /** The config file's name in the temp dir. */
  configName: string;
  /** Logged once the server accepts connections. */
  readyLine: string;
}

/** One Skein server process over a temp dir that outlives restarts. */
class SkeinProcess {
  private child: ChildProcess | undefined;
  private output = '';
  /** `ulimit -n` for the process (through sh), to test behaviour at a low open-file limit. */
  openFileLimit: number | undefined;

  protected constructor(
    private readonly service: Service,
    readonly dir: string,
    readonly port: number,
  ) {}

  /**
   * Makes a temp dir (under `parent`, the system's temp dir by default) and picks a free port, then
   * writes the config that `linesFor` gives for them.
   */
  protected static async prepare(
    service: Service,
    linesFor: (dir: string, port: number) => string[],
    parent = tmpdir(),
  ): Promise<{ dir: string; port: number }> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx tsc -p tsconfig.build.json first`);
    const dir = await mkdtemp(join(parent, `skein-${service.command}-`));
    const port = await freePort();
    await writeFile(join(dir, service.configName), linesFor(dir, port).join('\n'));
    return { dir, port };
  }

  /** Everything the process printed (pino JSON lines). */
  get log(): string {
    return this.output;
  }

  /** Starts the process (again, after stop or kill) and resolves once it listens. */
  async launch(): Promise<void> {
    const { command, configName, readyLine } = this.service;
    const args = [MAIN, command, '--config', join(this.dir, configName)];
    const [file, argv] =
      this.openFileLimit === undefined
        ? [process.execPath, args]
        : ['sh', ['-c', `ulimit -n ${this.openFileLimit} && exec "$0" "$@"`, process.execPath, ...args]];
    const child = spawn(file, argv, {
      cwd: ROOT,
      env: { ...process.env, SKEIN_LOG_LEVEL: childLogLevel() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const from = this.output.length;
    await new Promise<void>((resolveReady, reject) => {
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes(readyLine, from)) resolveReady();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`skein exited with ${code} before listening:\n${this.output.slice(from)}`)));
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
    // A launch may have started a new process meanwhile.
    if (this.child === child) this.child = undefined;
  }
}

const ZOOKEEPER: Service = { command: 'zookeeper', configName: 'zoo.cfg', readyLine: 'ZooKeeper server listening' };
const KAFKA: Service = { command: 'kafka', configName: 'server.properties', readyLine: 'kafka broker listening' };

export class SkeinZooKeeper extends SkeinProcess {
  /** Writes zoo.cfg (`extra` lines appended) in a new dir under `parent` and starts the server. */
  static async start(extra: string[] = [], parent?: string): Promise<SkeinZooKeeper> {
    const { dir, port } = await SkeinProcess.prepare(ZOOKEEPER, (d, p) => [
      'tickTime=200',
      `dataDir=${join(d, 'data')}`,
      `clientPort=${p}`,
      'clientPortAddress=127.0.0.1',
      'maxSessionTimeout=60000',
      '4lw.commands.whitelist=*',
      ...extra,
    ], parent);
    const zk = new SkeinZooKeeper(ZOOKEEPER, dir, port);
    await zk.launch();
    return zk;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }
}

export class SkeinKafka extends SkeinProcess {
  /**
   * Writes server.properties (`settings` added to the listener and log dir) in a new dir under `parent`
   * and starts the broker, under `ulimit -n openFileLimit` if given.
   */
  static async start(settings: Record<string, string> = {}, parent?: string, openFileLimit?: number): Promise<SkeinKafka> {
    const { dir, port } = await SkeinProcess.prepare(
      KAFKA,
      (d, p) => Object.entries({ listeners: `PLAINTEXT://127.0.0.1:${p}`, 'log.dirs': join(d, 'data'), ...settings }).map(([key, value]) => `${key}=${value}`),
      parent,
    );
    const kafka = new SkeinKafka(KAFKA, dir, port);
    kafka.openFileLimit = openFileLimit;
    await kafka.launch();
    return kafka;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }
}

/** Starts a server before the calling file's tests and destroys it after them; call the result to reach it. */
function forTests<T extends SkeinProcess>(start: () => Promise<T>): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  return () => {
    if (!server) throw new Error('the server is not running: it starts in beforeAll');
    return server;
  };
}

/** A SkeinKafka (server.properties `settings`) for the calling file's tests. */
export function kafkaForTests(settings: Record<string, string> = {}): () => SkeinKafka {
  return forTests(() => SkeinKafka.start(settings));
}

/** A SkeinZooKeeper (zoo.cfg `extra` lines) for the calling file's tests. */
export function zooKeeperForTests(extra: string[] = []): () => SkeinZooKeeper {
  return forTests(() => SkeinZooKeeper.start(extra));
}
