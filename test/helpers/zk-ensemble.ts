// A ZooKeeper ensemble of N server processes on loopback, for the failover tests and the failover
// benchmark. Skein (`skein zookeeper --config zooN.cfg`) by default; Apache ZooKeeper 3.8.0 from Debian's
// `zookeeper` package with ZK_ENSEMBLE_IMPL=apache, which proves a test against the reference and gives
// numbers to compare. Both get the same Apache-style zoo.cfg and myid file per server in a temp dir, on
// free ports. Servers are told apart by their id (server.N), 1..N.
//
// Every wait is bounded and says, when it gives up, what each server's `srvr` answered and what it last
// logged. destroy() kills every process and removes the temp dir; a test process that dies first still
// takes its servers with it (server-process.ts).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fourLetterWord } from './four-letter-word.js';
import { freePort } from './free-port.js';
import { ROOT, SKEIN_MAIN, ServerProcess, skeinEnv, type CommandLine } from './server-process.js';

export type EnsembleImpl = 'skein' | 'apache';

/** The implementation ZK_ENSEMBLE_IMPL names: skein (the default) or apache. */
export function ensembleImpl(): EnsembleImpl {
  const impl = process.env.ZK_ENSEMBLE_IMPL ?? 'skein';
  if (impl !== 'skein' && impl !== 'apache') throw new Error(`ZK_ENSEMBLE_IMPL=${impl}: expected skein or apache`);
  return impl;
}

export const APACHE_ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
export const APACHE_SLF4J_BINDING = '/usr/share/java/slf4j-simple.jar';

/** `Mode:` in srvr, as ZooKeeper prints it. */
export type Mode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only';

export interface EnsembleOptions {
  /** Servers: 3, 5 or 7. */
  size: number;
  impl?: EnsembleImpl;
  /** zoo.cfg tickTime (ms): initLimit, syncLimit and the session timeout bounds count in it. */
  tickTime?: number;
  /** More zoo.cfg lines for every server. */
  extra?: string[];
  /** Where the temp dir goes (the system's temp dir by default). */
  parent?: string;
  /**
   * Servers 1..initial form the ensemble and start (all `size` by default); the others are configured
   * as ZooKeeper's servers joining by reconfig are (every server, themselves included) and wait for start().
   */
  initial?: number;
}

/** How long a whole ensemble may take to elect its first leader: JVMs start slowly on a busy machine. */
const FORM_MS = 90_000;
/** How long a (re)started server may take to join and serve. */
const JOIN_MS = 60_000;
/** How long a leader election after a failure may take. */
const ELECT_MS = 60_000;
/** A `srvr` to a live server answers within milliseconds; a paused or dead one never does. */
const PROBE_MS = 1_500;
const POLL_MS = 50;
/** Log lines of each server a failure report shows. */
const REPORT_LOG_LINES = 15;

/** One member: its own dir (zoo.cfg, data/myid, data) and client port; launched again after a kill. */
export class EnsembleServer extends ServerProcess {
  /** SIGSTOPped and not yet continued. */
  paused = false;

  constructor(
    readonly id: number,
    readonly dir: string,
    readonly clientPort: number,
    private readonly impl: EnsembleImpl,
    /** `host:quorumPort:electionPort` of its server.N line. */
    readonly peerAddress: string,
  ) {
    super();
  }

  /** Its line for a reconfig: `server.N=host:quorumPort:electionPort:role;host:clientPort`. */
  line(role: 'participant' | 'observer' = 'participant'): string {
    return `server.${this.id}=${this.peerAddress}:${role};${this.address}`;
  }

  get address(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  /** Running and not paused: a server expected to answer. */
  get live(): boolean {
    return this.running && !this.paused;
  }

  protected override commandLine(): CommandLine {
    const config = join(this.dir, 'zoo.cfg');
    if (this.impl === 'skein') return { file: process.execPath, args: [SKEIN_MAIN, 'zookeeper', '--config', config], cwd: ROOT, env: skeinEnv() };
    return {
      file: 'java',
      args: [
        // A small heap and the client compiler: five JVMs share two cores with the clients under test.
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        // Debian's zookeeper.jar names no SLF4J binding: slf4j-simple prints warnings to stderr.
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        '-cp',
        `${APACHE_ZOOKEEPER_JAR}:${APACHE_SLF4J_BINDING}`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        config,
      ],
      cwd: this.dir,
      env: process.env,
    };
  }

  override pause(): void {
    super.pause();
    this.paused = this.running;
  }

  override resume(): void {
    super.resume();
    this.paused = false;
  }

  override async kill(): Promise<void> {
    await super.kill();
    this.paused = false;
  }

  /** The server's `srvr` Mode, or null if it does not answer in time or is not serving. */
  async mode(): Promise<Mode | null> {
    if (!this.live) return null;
    try {
      const answer = await fourLetterWord(this.clientPort, 'srvr', false, PROBE_MS);
      return (/^Mode: (\S+)$/m.exec(answer)?.[1] as Mode | undefined) ?? null;
    } catch {
      return null;
    }
  }

  /** The last zxid the server reports in srvr (null if it does not answer). */
  async zxid(): Promise<bigint | null> {
    if (!this.live) return null;
    try {
      const answer = await fourLetterWord(this.clientPort, 'srvr', false, PROBE_MS);
      const hex = /^Zxid: (0x[0-9a-f]+)$/m.exec(answer)?.[1];
      return hex === undefined ? null : BigInt(hex);
    } catch {
      return null;
    }
  }

  /** Session ids of the connections the server holds now (`cons`), empty if it does not answer. */
  async sessions(): Promise<bigint[]> {
    if (!this.live) return [];
    try {
      const answer = await fourLetterWord(this.clientPort, 'cons', false, PROBE_MS);
      return [...answer.matchAll(/sid=(0x[0-9a-f]+)/g)].map((m) => BigInt(m[1]!));
    } catch {
      return [];
    }
  }
}

/** n distinct free ports (freePort alone may hand out a port twice once it was released). */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export class ZkEnsemble {
  private constructor(
    readonly impl: EnsembleImpl,
    readonly dir: string,
    readonly servers: readonly EnsembleServer[],
  ) {}

  /** Writes N configs and myid files, starts every server and waits for a leader. */
  static async start(options: EnsembleOptions): Promise<ZkEnsemble> {
    const { size, impl = ensembleImpl(), tickTime = 500, extra = [], parent = tmpdir(), initial = size } = options;
    if (impl === 'skein' && !existsSync(SKEIN_MAIN)) throw new Error(`${SKEIN_MAIN} is missing: run npx tsc -p tsconfig.build.json first`);
    if (impl === 'apache' && !existsSync(APACHE_ZOOKEEPER_JAR)) throw new Error(`${APACHE_ZOOKEEPER_JAR} is missing: apt-get install zookeeper`);
    const dir = await mkdtemp(join(parent, `zk-ensemble-${impl}-`));
    const ports = await distinctFreePorts(3 * size);
    const ids = Array.from({ length: size }, (_, k) => k + 1);
    const peerAddress = (id: number) => `127.0.0.1:${ports[size + id - 1]}:${ports[2 * size + id - 1]}`;
    const serverLines = ids.map((id) => `server.${id}=${peerAddress(id)}`);
    const servers = await Promise.all(
      ids.map(async (id) => {
        const serverDir = join(dir, `zk${id}`);
        const dataDir = join(serverDir, 'data');
        await mkdir(dataDir, { recursive: true });
        await writeFile(join(dataDir, 'myid'), `${id}\n`);
        const clientPort = ports[id - 1]!;
        const config = [
          `tickTime=${tickTime}`,
          'initLimit=10',
          'syncLimit=5',
          `dataDir=${dataDir}`,
          `clientPort=${clientPort}`,
          'clientPortAddress=127.0.0.1',
          'maxClientCnxns=0',
          // Clients here ask for up to 30 s; ZooKeeper's default cap is 20 ticks.
          'maxSessionTimeout=60000',
          '4lw.commands.whitelist=*',
          // Apache's admin server would listen on port 8080, shared by every server on the machine.
          'admin.enableServer=false',
          ...(id <= initial ? serverLines.slice(0, initial) : serverLines),
          ...extra,
        ];
        await writeFile(join(serverDir, 'zoo.cfg'), `${config.join('\n')}\n`);
        return new EnsembleServer(id, serverDir, clientPort, impl, peerAddress(id));
      }),
    );
    const ensemble = new ZkEnsemble(impl, dir, servers);
    try {
      await Promise.all(servers.slice(0, initial).map((s) => s.launch()));
      await ensemble.leader(FORM_MS);
    } catch (err) {
      await ensemble.destroy();
      throw err;
    }
    return ensemble;
  }

  get size(): number {
    return this.servers.length;
  }

  get ids(): number[] {
    return this.servers.map((s) => s.id);
  }

  /** Every server, as clients are given it: "127.0.0.1:p1,127.0.0.1:p2,...". */
  get connectString(): string {
    return this.servers.map((s) => s.address).join(',');
  }

  server(id: number): EnsembleServer {
    const server = this.servers[id - 1];
    if (!server) throw new Error(`no server ${id} in an ensemble of ${this.size}`);
    return server;
  }

  /**
   * The id of the leader: waits until exactly one live server says leader and, with it, a majority of
   * the ensemble serves (leader or follower).
   */
  async leader(timeoutMs = ELECT_MS): Promise<number> {
    return this.waitFor(`a leader with a serving majority`, timeoutMs, async () => {
      const modes = await this.modes();
      const leaders = [...modes].filter(([, m]) => m === 'leader').map(([id]) => id);
      const serving = [...modes.values()].filter((m) => m === 'leader' || m === 'follower').length;
      return leaders.length === 1 && serving > this.size / 2 ? leaders[0] : undefined;
    });
  }

  /** Waits until server `id` serves as leader or follower (after a start or a resume). */
  async waitServing(id: number, timeoutMs = JOIN_MS): Promise<Mode> {
    const server = this.server(id);
    return this.waitFor(`server ${id} serving`, timeoutMs, async () => {
      if (!server.running) throw new Error(`server ${id} exited:\n${tail(server.log, REPORT_LOG_LINES)}`);
      const mode = await server.mode();
      return mode === 'leader' || mode === 'follower' ? mode : undefined;
    });
  }

  /** Every server's Mode (null for one that is down, paused, or not serving). */
  async modes(): Promise<Map<number, Mode | null>> {
    const modes = await Promise.all(this.servers.map((s) => s.mode()));
    return new Map(this.servers.map((s, k) => [s.id, modes[k]!]));
  }

  /** kill -9 of server `id`. */
  kill(id: number): Promise<void> {
    return this.server(id).kill();
  }

  /** SIGSTOP: server `id` keeps its sockets and answers nothing, as if cut off. */
  pause(id: number): void {
    this.server(id).pause();
  }

  resume(id: number): void {
    this.server(id).resume();
  }

  /** Starts server `id` (after a kill: the restart) and waits until it serves. */
  async start(id: number, timeoutMs = JOIN_MS): Promise<void> {
    await this.server(id).launch();
    await this.waitServing(id, timeoutMs);
  }

  /** Resumes paused servers and starts stopped ones, then waits until every server serves. */
  async heal(): Promise<void> {
    for (const s of this.servers) if (s.paused) s.resume();
    await Promise.all(this.servers.filter((s) => !s.running).map((s) => s.launch()));
    await Promise.all(this.ids.map((id) => this.waitServing(id)));
  }

  /** kill -9 of every server at once, then all start again; resolves with the new leader's id. */
  async restartAll(): Promise<number> {
    await Promise.all(this.servers.map((s) => s.kill()));
    await Promise.all(this.servers.map((s) => s.launch()));
    const leader = await this.leader(FORM_MS);
    await Promise.all(this.ids.map((id) => this.waitServing(id)));
    return leader;
  }

  /** The id of the live server holding the connection of `sessionId`, if any. */
  async serverOf(sessionId: bigint): Promise<number | undefined> {
    const held = await Promise.all(this.servers.map((s) => s.sessions()));
    const k = held.findIndex((ids) => ids.includes(sessionId));
    return k < 0 ? undefined : this.servers[k]!.id;
  }

  /**
   * Waits until every live server has applied `zxid` (srvr's Zxid is at least it). Idle servers need
   * not agree on their last zxid: a new leader reports its new epoch before any follower sees a write in it.
   */
  async caughtUp(zxid: bigint, timeoutMs = JOIN_MS): Promise<void> {
    await this.waitFor(`every live server at zxid 0x${zxid.toString(16)}`, timeoutMs, async () => {
      const zxids = await Promise.all(this.servers.filter((s) => s.live).map((s) => s.zxid()));
      return zxids.every((z) => z !== null && z >= zxid) ? true : undefined;
    });
  }

  /** What each server answers and last logged, for failure messages. */
  async report(): Promise<string> {
    const modes = await this.modes();
    return this.servers
      .map((s) => {
        const state = !s.running ? 'down' : s.paused ? 'paused' : (modes.get(s.id) ?? 'not serving');
        return `server ${s.id} (${s.address}, ${s.dir}): ${state}\n${tail(s.log, REPORT_LOG_LINES)}`;
      })
      .join('\n');
  }

  /** Kills every server (paused ones included) and removes the temp dir. */
  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.kill()));
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Polls `probe` until it gives a value; past `timeoutMs` throws with the ensemble's report. */
  private async waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${this.impl} ensemble: no ${what} within ${timeoutMs} ms\n${await this.report()}`);
      await sleep(POLL_MS);
    }
  }
}

/** The last lines of a log, without Java stack frames. */
function tail(log: string, lines: number): string {
  return log
    .trimEnd()
    .split('\n')
    .filter((l) => !/^\s+at |^\s+\.\.\. \d+ more/.test(l))
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}
