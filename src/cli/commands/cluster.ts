// `skein cluster info|health`: the brokers, the controller, and each ZooKeeper server's mode from its
// `srvr` answer (the servers of --server, or of the controller's zookeeper.connect); health checks what an
// operator checks first.
import { Option, type Command } from 'commander';
import { KafkaConnection } from '../../kafka/client/connection.js';
import { KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { ResourceType, type ClusterInfo, type KafkaAdmin } from '../../kafka/client/admin.js';
import { parseConnectString } from '../../zookeeper/client/connect-string.js';
import { fourLetterWord } from '../../zookeeper/client/four-letter-word.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { formatOption, printResult, renderSections, renderTable, type OutputFormat } from '../output.js';
import { withAdmin } from './connect.js';
import type { ConnectionSecurity } from '../../kafka/client/connection.js';
import { commandSecurityOf } from '../command-config.js';

type Options = KafkaConnectOptions & { format: OutputFormat; server?: string };

/** A ZooKeeper server that does not answer `srvr` within this is reported down. */
const PROBE_TIMEOUT_MS = 3000;

interface ZooKeeperServerState {
  server: string;
  /** standalone, leader, follower, observer, read-only; null when it did not answer. */
  mode: string | null;
  zxid: string | null;
  connections: number | null;
  error?: string;
}

/** The fields of a `srvr` answer ("Mode: leader", "Zxid: 0x100000002", "Connections: 3"). */
export function parseSrvr(answer: string): { mode: string | null; zxid: string | null; connections: number | null } {
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(answer)?.[1]?.trim() ?? null;
  const connections = field('Connections');
  return { mode: field('Mode'), zxid: field('Zxid'), connections: connections === null ? null : Number(connections) };
}

async function zooKeeperStates(connectString: string): Promise<ZooKeeperServerState[]> {
  return Promise.all(
    parseConnectString(connectString).servers.map(async (s) => {
      const server = `${s.host}:${s.port}`;
      try {
        const answer = await fourLetterWord(s, 'srvr', { timeoutMs: PROBE_TIMEOUT_MS });
        if (!answer.includes('Mode:')) return { server, mode: null, zxid: null, connections: null, error: answer.trim() || 'not serving' };
        return { server, ...parseSrvr(answer) };
      } catch (err) {
        return { server, mode: null, zxid: null, connections: null, error: (err as Error).message };
      }
    }),
  );
}

/** Whether each broker in the metadata answers ApiVersions on its advertised address. */
async function brokerReachability(info: ClusterInfo, security: ConnectionSecurity): Promise<{ id: number; address: string; reachable: boolean; error?: string }[]> {
  return Promise.all(
    info.brokers.map(async (b) => {
      const address = `${b.host}:${b.port}`;
      try {
        const conn = await KafkaConnection.connect(address, { connectTimeoutMs: PROBE_TIMEOUT_MS, requestTimeoutMs: PROBE_TIMEOUT_MS, ...security });
        try {
          await conn.apiVersions();
        } finally {
          conn.close();
        }
        return { id: b.nodeId, address, reachable: true };
      } catch (err) {
        return { id: b.nodeId, address, reachable: false, error: (err as Error).message };
      }
    }),
  );
}

function zooKeeperOption(): Option {
  return new Option('--server <host:port,...>', "the cluster's ZooKeeper servers (default: the controller's zookeeper.connect)").env('SKEIN_ZOOKEEPER');
}

/**
 * The ZooKeeper servers to report: --server, else the zookeeper.connect the controller (or any broker)
 * was configured with, read through DescribeConfigs; none for a broker that runs without ZooKeeper.
 */
async function zooKeeperServers(admin: KafkaAdmin, cluster: ClusterInfo, server: string | undefined): Promise<string | undefined> {
  if (server !== undefined) return server;
  const id = cluster.controllerId >= 0 ? cluster.controllerId : cluster.brokers[0]?.nodeId;
  if (id === undefined) return undefined;
  try {
    const value = (await admin.describeConfigs(ResourceType.BROKER, String(id))).find((c) => c.name === 'zookeeper.connect')?.value;
    return value || undefined;
  } catch (err) {
    // A broker that does not describe itself (or refuses to): the report goes on without ZooKeeper.
    if (err instanceof KafkaProtocolError) return undefined;
    throw err;
  }
}

async function info(admin: KafkaAdmin, o: Options): Promise<void> {
  const cluster = await admin.metadata(null);
  const servers = await zooKeeperServers(admin, cluster, o.server);
  const zookeeper = servers === undefined ? undefined : await zooKeeperStates(servers);
  const brokers = cluster.brokers.map((b) => ({ ...b, controller: b.nodeId === cluster.controllerId }));
  const result = {
    clusterId: cluster.clusterId,
    controllerId: cluster.controllerId,
    brokers,
    topics: cluster.topics.filter((t) => !t.isInternal).length,
    partitions: cluster.topics.reduce((n, t) => n + t.partitions.length, 0),
    ...(zookeeper && { zookeeper }),
  };
  printResult(o.format, result, () =>
    renderSections([
      {
        title: 'CLUSTER',
        body: renderTable(['cluster-id', 'controller', 'brokers', 'topics', 'partitions'], [[cluster.clusterId, cluster.controllerId, brokers.length, result.topics, result.partitions]]),
      },
      { title: 'BROKERS', body: renderTable(['id', 'host', 'port', 'rack', 'controller'], brokers.map((b) => [b.nodeId, b.host, b.port, b.rack, b.controller ? 'yes' : ''])) },
      ...(zookeeper
        ? [{ title: 'ZOOKEEPER', body: renderTable(['server', 'mode', 'zxid', 'connections'], zookeeper.map((z) => [z.server, z.mode ?? `down (${z.error})`, z.zxid, z.connections])) }]
        : []),
    ]),
  );
}

interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

async function health(admin: KafkaAdmin, o: Options): Promise<void> {
  const cluster = await admin.metadata(null);
  const checks: Check[] = [];
  const reach = await brokerReachability(cluster, commandSecurityOf(o.commandConfig));
  const down = reach.filter((b) => !b.reachable);
  checks.push({ check: 'brokers reachable', ok: down.length === 0, detail: down.length === 0 ? `${reach.length} of ${reach.length}` : down.map((b) => `broker ${b.id} at ${b.address}: ${b.error}`).join('; ') });
  checks.push({ check: 'active controller', ok: cluster.controllerId >= 0, detail: cluster.controllerId >= 0 ? `broker ${cluster.controllerId}` : 'none' });
  const partitions = cluster.topics.flatMap((t) => t.partitions.map((p) => ({ name: `${t.name}-${p.partition}`, ...p })));
  const offline = partitions.filter((p) => p.leader < 0);
  const under = partitions.filter((p) => p.leader >= 0 && p.isr.length < p.replicas.length);
  const names = (ps: { name: string }[]) => (ps.length <= 5 ? ps.map((p) => p.name).join(', ') : `${ps.slice(0, 5).map((p) => p.name).join(', ')} and ${ps.length - 5} more`);
  checks.push({ check: 'offline partitions', ok: offline.length === 0, detail: offline.length === 0 ? `none of ${partitions.length}` : `${offline.length}: ${names(offline)}` });
  checks.push({ check: 'under-replicated partitions', ok: under.length === 0, detail: under.length === 0 ? `none of ${partitions.length}` : `${under.length}: ${names(under)}` });
  const servers = await zooKeeperServers(admin, cluster, o.server);
  if (servers !== undefined) {
    const zk = await zooKeeperStates(servers);
    const serving = zk.filter((z) => z.mode !== null);
    // An ensemble serves while a majority of it does; a standalone server is an ensemble of one.
    checks.push({
      check: 'zookeeper quorum',
      ok: serving.length > zk.length / 2,
      detail: zk.map((z) => `${z.server} ${z.mode ?? 'down'}`).join(', '),
    });
  }
  const healthy = checks.every((c) => c.ok);
  printResult(o.format, { healthy, checks }, () => renderTable(['check', 'status', 'detail'], checks.map((c) => [c.check, c.ok ? 'ok' : 'FAILED', c.detail])) + (healthy ? 'healthy\n' : 'NOT healthy\n'));
  if (!healthy) process.exitCode = 1;
}

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('the brokers, the controller, ZooKeeper, and whether all is well');
  withExamples(withKafkaConnection(cluster.command('info').description("cluster id, controller, brokers and each ZooKeeper server's mode").addOption(zooKeeperOption()).addOption(formatOption())), [
    ['skein cluster info', "brokers, controller, and the ZooKeeper servers of the controller's zookeeper.connect"],
    ['skein cluster info --server 127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183', 'the ensemble named explicitly: leader, followers'],
  ]).action(async (o: Options) => {
    await withAdmin(o, (admin) => info(admin, o));
  });
  withExamples(
    withKafkaConnection(
      cluster.command('health').description('check brokers, controller, offline and under-replicated partitions, ZooKeeper quorum; exit 1 if any fails').addOption(zooKeeperOption()).addOption(formatOption()),
    ),
    [
      ['skein cluster health', 'exit 0 when healthy, 1 when not'],
      ['skein cluster health --format json', 'every check, for monitoring'],
    ],
  ).action(async (o: Options) => {
    await withAdmin(o, (admin) => health(admin, o));
  });
}
