// `skein dev-cluster --nodes 3`: a whole cluster on one machine in one command: a ZooKeeper ensemble
// (3 servers when there are 3 brokers or more, one otherwise; --zookeeper-nodes picks) and N brokers whose
// zookeeper.connect lists every ZooKeeper server. Each server is a child process started from the config
// file written for it (`skein zookeeper --config <zoo.cfg>`, `skein kafka --config <server.properties>`)
// on consecutive ports, so one can be killed and started again alone with the same command line. The
// bootstrap and ZooKeeper connect strings are logged once every broker knows every other one and the
// controller; SIGINT or SIGTERM stops the brokers (each with its controlled shutdown) and then ZooKeeper.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseOverrides } from '../config/schema.js';
import { brokerConfigFrom } from '../kafka/broker-config.js';
import { prettyLine, type Logger } from '../logger.js';
import { InvalidArgumentError, Option } from 'commander';
import { collect, intIn, parsePort, UsageError } from './args.js';
import { untilFormed } from './cluster-formed.js';
import type { ServerCommand } from './command.js';
import { StartupFailure } from './startup-failure.js';

const HOST = '127.0.0.1';
/** Brokers one command starts at most: each is a Node process. */
const MAX_NODES = 9;
/** ZooKeeper ensemble sizes offered: a majority of an odd number survives the loss of the rest. */
const ZOOKEEPER_SIZES = [1, 3, 5, 7];
/** How long a server may take to listen, and to stop before it is killed. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;
/**
 * ZooKeeper's tick, which is also how late a session may expire; sessions from 1 s (to try short
 * timeouts) to 60 s (above Kafka's 18 s default) are granted as asked.
 */
const ZOOKEEPER_TICK_MS = 500;
const ZOOKEEPER_SESSION_BOUNDS = { minSessionTimeout: 1000, maxSessionTimeout: 60_000 };
/** Ticks an ensemble member has to sync with its leader, and may lag it: ZooKeeper's sample zoo.cfg values. */
const ZOOKEEPER_INIT_LIMIT = 10;
const ZOOKEEPER_SYNC_LIMIT = 5;
/** The first quorum port of ensemble members (ZooKeeper's 2888); election ports follow the quorum ports. */
const DEFAULT_QUORUM_PORT = 2888;

/** What a server process logs once it accepts clients. */
const READY = {
  kafka: ['"kafka broker listening"'],
  zookeeper: ['"ZooKeeper server listening"', '"ZooKeeper ensemble member listening"'],
};

interface ServerChild {
  /** `broker 2`, `zookeeper 1`: for messages. */
  name: string;
  id: number;
  port: number;
  configFile: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** The zoo.cfg of ensemble member `id` (no server lines when the ensemble is one server: standalone). */
function zooCfg(id: number, dataDir: string, clientPorts: readonly number[], quorumPort: number): string {
  const size = clientPorts.length;
  const servers =
    size === 1
      ? []
      : [
          `initLimit=${ZOOKEEPER_INIT_LIMIT}`,
          `syncLimit=${ZOOKEEPER_SYNC_LIMIT}`,
          ...clientPorts.map((client, i) => `server.${i + 1}=${HOST}:${quorumPort + i}:${quorumPort + size + i};${HOST}:${client}`),
        ];
  return [
    `tickTime=${ZOOKEEPER_TICK_MS}`,
    `minSessionTimeout=${ZOOKEEPER_SESSION_BOUNDS.minSessionTimeout}`,
    `maxSessionTimeout=${ZOOKEEPER_SESSION_BOUNDS.maxSessionTimeout}`,
    `dataDir=${dataDir}`,
    `clientPort=${clientPorts[id - 1]}`,
    `clientPortAddress=${HOST}`,
    '4lw.commands.whitelist=*',
    ...servers,
    '',
  ].join('\n');
}

/** The server.properties of broker `id`, written where an operator can restart it from. */
function brokerProperties(id: number, port: number, dataDir: string, zookeeperConnect: string, overrides: readonly string[]): string {
  return [`broker.id=${id}`, `listeners=PLAINTEXT://${HOST}:${port}`, `log.dirs=${dataDir}`, `zookeeper.connect=${zookeeperConnect}`, ...overrides, ''].join('\n');
}

/** Starts `skein <command> --config <configFile>` and resolves once it logs that it serves. */
function startServer(command: 'kafka' | 'zookeeper', id: number, port: number, configFile: string, log: Logger, show: (line: string) => string): Promise<ServerChild> {
  const name = `${command === 'kafka' ? 'broker' : 'zookeeper'} ${id}`;
  // The same entry point this process runs: dist's main.js, or whatever script started us.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, command, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(d);
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new StartupFailure(`${name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      process.stdout.write(show(line));
      if (READY[command].some((ready) => line.includes(ready))) {
        clearTimeout(timer);
        resolveStart({ name, id, port, configFile, child, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new StartupFailure(`${name} exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
    log.debug({ server: name, pid: child.pid }, 'server process started');
  });
}

/** Starts every server of one kind at once; if any fails, the ones that started are stopped. */
async function startAll(starting: Promise<ServerChild>[]): Promise<ServerChild[]> {
  const results = await Promise.allSettled(starting);
  const started = results.filter((r): r is PromiseFulfilledResult<ServerChild> => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map(stopServer));
    throw failed.reason;
  }
  return started.sort((a, b) => a.id - b.id);
}

/** Waits until every broker sees the whole cluster, its controller and every partition's leader. */
async function untilAllFormed(started: readonly ServerChild[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (const b of started) {
    if (!(await untilFormed(`${HOST}:${b.port}`, started.length, deadline - Date.now()))) {
      throw new StartupFailure(`${b.name} did not see the whole cluster within ${START_TIMEOUT_MS} ms`);
    }
  }
}

async function stopServer(b: ServerChild): Promise<void> {
  if (b.child.exitCode !== null || b.child.signalCode !== null) return;
  b.child.kill('SIGTERM');
  const timer = setTimeout(() => b.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await b.exited;
  clearTimeout(timer);
}

function ensembleSize(raw: string): number {
  const n = Number(raw);
  if (!ZOOKEEPER_SIZES.includes(n) || !/^\d+$/.test(raw)) throw new InvalidArgumentError(`must be one of ${ZOOKEEPER_SIZES.join(', ')}`);
  return n;
}

/** `count` consecutive ports from `base`, or a usage error naming the flag. */
function portRange(base: number, count: number, name: string): number[] {
  if (base === 0 || base + count - 1 > 65535) throw new UsageError(`--${name} must leave ${count} consecutive ports, got ${base}`);
  return Array.from({ length: count }, (_, i) => base + i);
}

interface DevClusterOptions {
  nodes: number;
  zookeeperNodes?: number;
  dataDir: string;
  kafkaPort: number;
  zookeeperPort: number;
  quorumPort: number;
  override: string[];
}

export const devClusterCommand: ServerCommand<DevClusterOptions> = {
  name: 'dev-cluster',
  summary: 'run a ZooKeeper ensemble and N brokers (default 3 and 3) on consecutive ports, for trying a cluster',
  examples: [
    ['skein dev-cluster', 'ZooKeeper on 127.0.0.1:2181-2183, brokers on 127.0.0.1:9092-9094'],
    ['skein dev-cluster --nodes 5 --zookeeper-nodes 5 --data-dir /tmp/c5', 'a bigger one elsewhere'],
  ],
  declare(command) {
    command
      .addOption(new Option('--nodes <n>', `brokers, 1 to ${MAX_NODES}`).argParser(intIn(1, MAX_NODES)).default(3))
      .addOption(new Option('--zookeeper-nodes <n>', `ZooKeeper servers, ${ZOOKEEPER_SIZES.join(', ')} (default 3 with 3 brokers or more, else 1)`).argParser(ensembleSize))
      .option('--data-dir <dir>', 'where each server gets a directory and its config file', './data/dev-cluster')
      .addOption(new Option('--kafka-port <port>', "the first broker's port").argParser(parsePort).default(9092))
      .addOption(new Option('--zookeeper-port <port>', "the first ZooKeeper server's client port").argParser(parsePort).default(2181))
      .addOption(new Option('--quorum-port <port>', 'the first ensemble quorum port (election ports follow)').argParser(parsePort).default(DEFAULT_QUORUM_PORT))
      .option('--override <key=value>', 'a server.properties setting for every broker (repeatable)', collect, []);
  },
  async run(options, log, logFormat) {
    // Children log JSON lines (their stdout is a pipe); shown as this process logs.
    const show = logFormat === 'pretty' ? prettyLine() : (line: string) => `${line}\n`;
    const nodes = options.nodes;
    const zkNodes = options.zookeeperNodes ?? (nodes >= 3 ? 3 : 1);
    const dataDir = resolve(options.dataDir);
    const kafkaPorts = portRange(options.kafkaPort, nodes, 'kafka-port');
    const zkPorts = portRange(options.zookeeperPort, zkNodes, 'zookeeper-port');
    // Quorum ports, then election ports (unused by Skein, but zoo.cfg names them).
    const quorumPort = portRange(options.quorumPort, zkNodes > 1 ? 2 * zkNodes : 1, 'quorum-port')[0]!;
    const zookeeperConnect = zkPorts.map((p) => `${HOST}:${p}`).join(',');
    const overrides = options.override;
    // Every broker setting is checked here, before anything starts.
    parseOverrides(overrides);
    for (let i = 1; i <= nodes; i++) {
      brokerConfigFrom([
        { key: 'broker.id', value: String(i), line: 0 },
        { key: 'listeners', value: `PLAINTEXT://${HOST}:${kafkaPorts[i - 1]}`, line: 0 },
        { key: 'zookeeper.connect', value: zookeeperConnect, line: 0 },
        ...parseOverrides(overrides),
      ]);
    }
    const zookeeperStarts = [];
    for (let i = 1; i <= zkNodes; i++) {
      const dir = join(dataDir, `zookeeper-${i}`);
      await mkdir(dir, { recursive: true });
      // As an operator sets up each member: its id in dataDir/myid, its zoo.cfg beside it.
      if (zkNodes > 1) await writeFile(join(dir, 'myid'), `${i}\n`);
      const configFile = join(dir, 'zoo.cfg');
      await writeFile(configFile, zooCfg(i, dir, zkPorts, quorumPort));
      zookeeperStarts.push(startServer('zookeeper', i, zkPorts[i - 1]!, configFile, log, show));
    }
    const zookeepers = await startAll(zookeeperStarts);
    let brokers: ServerChild[] = [];
    const stopAll = async () => {
      // Brokers first: their controlled shutdown and session close need ZooKeeper.
      await Promise.all(brokers.map(stopServer));
      await Promise.all(zookeepers.map(stopServer));
    };
    try {
      const brokerStarts = [];
      for (let i = 1; i <= nodes; i++) {
        const dir = join(dataDir, `broker-${i}`);
        await mkdir(dir, { recursive: true });
        const configFile = join(dir, 'server.properties');
        await writeFile(configFile, brokerProperties(i, kafkaPorts[i - 1]!, dir, zookeeperConnect, overrides.map((o) => o.trim())));
        brokerStarts.push(startServer('kafka', i, kafkaPorts[i - 1]!, configFile, log, show));
      }
      brokers = await startAll(brokerStarts);
      await untilAllFormed(brokers);
    } catch (err) {
      await stopAll();
      throw err;
    }
    const bootstrap = brokers.map((b) => `${HOST}:${b.port}`).join(',');
    let stopping = false;
    for (const s of [...zookeepers, ...brokers]) {
      void s.exited.then((code) => {
        const command = s.name.startsWith('broker') ? 'kafka' : 'zookeeper';
        if (!stopping) log.warn({ server: s.name, code, restart: `skein ${command} --config ${s.configFile}` }, 'server process exited');
      });
    }
    const described = (s: ServerChild) => ({ id: s.id, port: s.port, pid: s.child.pid, config: s.configFile });
    log.info({ bootstrap, zookeeper: zookeeperConnect, brokers: brokers.map(described), zookeepers: zookeepers.map(described), dataDir }, 'dev cluster started');
    return {
      async stop() {
        stopping = true;
        await stopAll();
      },
    };
  },
};
