// Skein's own ZooKeeper client against Apache ZooKeeper 3.8 (Debian `zookeeper` package): the suite that
// runs against Skein's server in test/integration/zookeeper-client, here proving the client speaks
// ZooKeeper itself rather than only what Skein's server accepts.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/free-port.js';
import { spawnJavaServer } from '../helpers/java-server.js';
import { clientSuite, until } from '../../test/integration/zookeeper-client/suite.js';

const CLASSPATH = '/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar:/etc/zookeeper/conf';
/** Apache's shortest session is two ticks: 200 ms ticks let the expiry test finish quickly. */
const TICK_MS = 200;

function ruok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('ruok'));
    s.setTimeout(1000, () => s.destroy());
    let answer = '';
    s.on('data', (d) => (answer += d.toString()));
    s.on('close', () => resolve(answer === 'imok'));
    s.on('error', () => resolve(false));
  });
}

async function startApache(): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-apache-zk-'));
  const port = await freePort();
  const cfg = join(dir, 'zoo.cfg');
  await writeFile(
    cfg,
    [
      `tickTime=${TICK_MS}`,
      `dataDir=${dir}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'maxClientCnxns=0',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok',
    ].join('\n') + '\n',
  );
  const { stop } = spawnJavaServer(['-Dzookeeper.extendedTypesEnabled=true', '-cp', CLASSPATH, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg], dir);
  try {
    await until(() => ruok(port), 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, stop };
}

clientSuite("Skein's ZooKeeper client against Apache ZooKeeper 3.8", startApache, {
  shortSessionMs: 4 * TICK_MS,
  standaloneCheck: false,
});
