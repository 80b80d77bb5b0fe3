// `skein dev-cluster --nodes 3`: a whole cluster on one machine in one command. ZooKeeper runs in this
// process; each broker is a child process (`skein kafka --config <its server.properties>`) on consecutive
// ports, so one can be killed and started again alone with the same command line. The bootstrap string
// is logged once every broker knows every other one and the controller; SIGINT or SIGTERM stops the brokers (each with its controlled
// shutdown) and then ZooKeeper.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ApiKey } from '../../protocol/kafka/index.js';
import { parseOverrides } from '../config/schema.js';
import { KafkaConnection } from '../kafka/client/connection.js';
import { brokerConfigFrom } from '../kafka/broker-config.js';
import type { Logger } from '../logger.js';
import { defaultZooKeeperConfig } from '../zookeeper/config.js';
import { startZooKeeper } from '../zookeeper/server.js';
import { flag, parseArgs, portFlag, UsageError } from './args.js';
import type { Command } from './command.js';
import { StartupFailure, startNaming } from './startup-failure.js';

const HOST = '127.0.0.1';
/** Brokers one command starts at most: each is a Node process. */
const MAX_NODES = 9;
/** How long a broker may take to listen, and to stop before it is killed. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;
/**
 * ZooKeeper's tick, which is also how late a session may expire; sessions from 1 s (to try short
 * timeouts) to 60 s (above Kafka's 18 s default) are granted as asked.
 */
const ZOOKEEPER_TICK_MS = 500;
const ZOOKEEPER_SESSION_BOUNDS = { minSessionTimeout: 1000, maxSessionTimeout: 60_000 };

interface BrokerChild {
  id: number;
  port: number;
  configFile: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** The server.properties of broker `id`, written where an operator can restart it from. */
function brokerProperties(id: number, port: number, dataDir: string, zkPort: number, overrides: readonly string[]): string {
  return [
    `broker.id=${id}`,
    `listeners=PLAINTEXT://${HOST}:${port}`,
    `log.dirs=${dataDir}`,
    `zookeeper.connect=${HOST}:${zkPort}`,
    ...overrides,
    '',
  ].join('\n');
}

function startBroker(id: number, port: number, configFile: string, log: Logger): Promise<BrokerChild> {
  // The same entry point this process runs: dist's main.js, or whatever script started us.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'kafka', '--config', configFile], {
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
    const timer = setTimeout(() => reject(new StartupFailure(`broker ${id} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      process.stdout.write(`${line}\n`);
      if (line.includes('"kafka broker listening"')) {
        clearTimeout(timer);
        resolveStart({ id, port, configFile, child, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new StartupFailure(`broker ${id} exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
    log.debug({ id, pid: child.pid }, 'broker process started');
  });
}

/**
 * Waits until every broker's metadata lists all of them and a controller: only then do clients that go
 * to the controller (librdkafka's admin requests) find one.
 */
async function untilFormed(started: readonly BrokerChild[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (const b of started) {
    for (;;) {
      let formed = false;
      const conn = await KafkaConnection.connect(`${HOST}:${b.port}`).catch(() => undefined);
      if (conn) {
        try {
          const m = await conn.send(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false });
          formed = m.brokers.length === started.length && m.controllerId >= 0;
        } catch {
          // Not answering yet: asked again below.
        } finally {
          conn.close();
        }
      }
      if (formed) break;
      if (Date.now() > deadline) throw new StartupFailure(`broker ${b.id} did not see the whole cluster within ${START_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function stopBroker(b: BrokerChild): Promise<void> {
  if (b.child.exitCode !== null || b.child.signalCode !== null) return;
  b.child.kill('SIGTERM');
  const timer = setTimeout(() => b.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await b.exited;
  clearTimeout(timer);
}

export const devClusterCommand: Command = {
  name: 'dev-cluster',
  usage: 'dev-cluster [--nodes N] [--data-dir DIR] [--kafka-port N] [--zookeeper-port N] [--override key=value]...',
  summary: 'run ZooKeeper and N brokers (default 3) on consecutive ports, for trying a cluster',
  async run(argv, log) {
    const args = parseArgs(argv, ['nodes', 'data-dir', 'kafka-port', 'zookeeper-port', 'override']);
    const nodesRaw = flag(args, 'nodes') ?? '3';
    const nodes = Number(nodesRaw);
    if (!/^\d+$/.test(nodesRaw) || nodes < 1 || nodes > MAX_NODES) throw new UsageError(`--nodes must be 1 to ${MAX_NODES}, got "${nodesRaw}"`);
    const dataDir = resolve(flag(args, 'data-dir') ?? './data/dev-cluster');
    const basePort = portFlag(args, 'kafka-port') ?? 9092;
    if (basePort === 0 || basePort + nodes - 1 > 65535) throw new UsageError(`--kafka-port must leave ${nodes} consecutive ports, got ${basePort}`);
    const zkPort = portFlag(args, 'zookeeper-port') ?? 2181;
    const overrides = args.flags.get('override') ?? [];
    // Every broker setting is checked here, before anything starts.
    parseOverrides(overrides);
    for (let i = 1; i <= nodes; i++) {
      brokerConfigFrom([
        { key: 'broker.id', value: String(i), line: 0 },
        { key: 'zookeeper.connect', value: `${HOST}:${zkPort}`, line: 0 },
        ...parseOverrides(overrides),
      ]);
    }
    const zkDir = join(dataDir, 'zookeeper');
    await mkdir(zkDir, { recursive: true });
    const zookeeper = await startNaming({ listener: `--zookeeper-port=${zkPort}`, dirs: [{ setting: `--data-dir=${dataDir}`, dir: dataDir }] }, () =>
      startZooKeeper(
        defaultZooKeeperConfig({ dataDir: zkDir, dataLogDir: zkDir, clientPort: zkPort, clientPortAddress: HOST, tickTime: ZOOKEEPER_TICK_MS, ...ZOOKEEPER_SESSION_BOUNDS }),
        log,
      ),
    );
    const started: BrokerChild[] = [];
    const stopAll = async () => {
      await Promise.all(started.map(stopBroker));
      await zookeeper.stop();
    };
    try {
      const starting = [];
      for (let i = 1; i <= nodes; i++) {
        const dir = join(dataDir, `broker-${i}`);
        await mkdir(dir, { recursive: true });
        const configFile = join(dir, 'server.properties');
        const port = basePort + i - 1;
        await writeFile(configFile, brokerProperties(i, port, dir, zookeeper.clientPort, overrides.map((o) => o.trim())));
        starting.push(startBroker(i, port, configFile, log).then((b) => void started.push(b)));
      }
      const results = await Promise.allSettled(starting);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await untilFormed(started);
    } catch (err) {
      await stopAll();
      throw err;
    }
    started.sort((a, b) => a.id - b.id);
    const bootstrap = started.map((b) => `${HOST}:${b.port}`).join(',');
    let stopping = false;
    for (const b of started) {
      void b.exited.then((code) => {
        if (!stopping) log.warn({ brokerId: b.id, code, restart: `skein kafka --config ${b.configFile}` }, 'broker process exited');
      });
    }
    log.info(
      { bootstrap, zookeeper: `${HOST}:${zookeeper.clientPort}`, brokers: started.map((b) => ({ id: b.id, port: b.port, pid: b.child.pid, config: b.configFile })), dataDir },
      'dev cluster started',
    );
    return {
      async stop() {
        stopping = true;
        await stopAll();
      },
    };
  },
};
