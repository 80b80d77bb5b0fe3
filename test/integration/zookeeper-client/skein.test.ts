// Skein's ZooKeeper client against Skein's ZooKeeper server, in-process.
import { startTestServer } from '../zookeeper/harness.js';
import { clientSuite } from './suite.js';

clientSuite(
  "Skein's ZooKeeper client against Skein",
  async () => {
    const server = await startTestServer();
    return { port: server.port, stop: () => server.destroy() };
  },
  { shortSessionMs: 600, standaloneCheck: true },
);
