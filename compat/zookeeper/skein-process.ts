// Runs the built Skein (`node dist/src/cli/main.js zookeeper --config zoo.cfg`) as a child process on a
// free port with a temporary data directory, for the real-client compatibility tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/cli/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

export class SkeinZooKeeper {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly cfg: string,
  ) {}

  /** Writes zoo.cfg (extra lines appended) and starts the server. */
  static async start(extra: string[] = []): Promise<SkeinZooKeeper> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npx tsc -p tsconfig.build.json first`);
    const dir = await mkdtemp(join(tmpdir(), 'skein-zk-compat-'));
    const port = await freePort();
    const cfg = join(dir, 'zoo.cfg');
    await writeFile(
      cfg,
      [
        'tickTime=200',
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        'maxSessionTimeout=60000',
        '4lw.commands.whitelist=*',
        ...extra,
      ].join('\n'),
    );
    const zk = new SkeinZooKeeper(dir, port, cfg);
    await zk.launch();
    return zk;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Everything the process printed (pino JSON lines). */
  get log(): string {
    return this.output;
  }

  async launch(): Promise<void> {
    const child = spawn(process.execPath, [MAIN, 'zookeeper', '--config', this.cfg], {
      cwd: ROOT,
      env: { ...process.env, SKEIN_LOG_LEVEL: process.env.SKEIN_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const from = this.output.length;
    await new Promise<void>((resolveReady, reject) => {
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes('ZooKeeper server listening', from)) resolveReady();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`skein exited with ${code} before listening:\n${this.output}`)));
    });
  }

  /** kill -9: no chance to flush or close anything. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM: a graceful shutdown. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    // A launch may have started a new process meanwhile.
    if (this.child === child) this.child = undefined;
  }

  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Runs a command to completion, feeding it `input`; resolves with its exit code and output. */
export function run(
  command: string,
  args: string[],
  input = '',
  timeoutMs = 90_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
