// Runs the built Skein (`node dist/src/cli/main.js <service> --config <file>`) as a child process on a free
// port with a temporary data directory, for the real-client compatibility tests and the crash and
// full-disk tests: SkeinZooKeeper writes a zoo.cfg, SkeinKafka a server.properties; both start, kill -9,
// stop and start again the same way.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './free-port.js';
import { ROOT, SKEIN_MAIN as MAIN, ServerProcess, skeinEnv, type CommandLine } from './server-process.js';

interface Service {
  /** The `skein` subcommand. */
  command: 'zookeeper' | 'kafka';
  /** The config file's name in the temp dir. */
  configName: string;
  /** Logged once the server accepts connections. */
  readyLine: string;
}

/** One Skein server process over a temp dir that outlives restarts. */
class SkeinProcess extends ServerProcess {
  /** `ulimit -n` for the process (through sh), to test behaviour at a low open-file limit. */
  openFileLimit: number | undefined;

  protected constructor(
    private readonly service: Service,
    readonly dir: string,
    readonly port: number,
  ) {
    super(service.readyLine);
  }

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

  protected override commandLine(): CommandLine {
    const { command, configName } = this.service;
    const args = [MAIN, command, '--config', join(this.dir, configName)];
    const env = skeinEnv();
    return this.openFileLimit === undefined
      ? { file: process.execPath, args, cwd: ROOT, env }
      : { file: 'sh', args: ['-c', `ulimit -n ${this.openFileLimit} && exec "$0" "$@"`, process.execPath, ...args], cwd: ROOT, env };
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

const ZOOKEEPER: Service = { command: 'zookeeper', configName: 'zoo.cfg', readyLine: 'ZooKeeper server listening' };
const KAFKA: Service = { command: 'kafka', configName: 'server.properties', readyLine: 'kafka broker listening' };

export class SkeinZooKeeper extends SkeinProcess {
  /**
   * Writes zoo.cfg (`extra` lines appended) in a new dir under `parent` and starts the server. The data
   * is in the new dir unless `extra` names a dataDir (one made beforehand, such as an import's).
   */
  static async start(extra: string[] = [], parent?: string): Promise<SkeinZooKeeper> {
    const ownDataDir = !extra.some((line) => line.startsWith('dataDir='));
    const { dir, port } = await SkeinProcess.prepare(ZOOKEEPER, (d, p) => [
      'tickTime=200',
      ...(ownDataDir ? [`dataDir=${join(d, 'data')}`] : []),
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
