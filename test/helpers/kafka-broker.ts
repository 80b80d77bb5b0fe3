// An in-process broker on a free loopback port with its own temp data dir, for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerConfigFrom } from '../../src/kafka/broker-config.js';
import { startKafka, type RunningKafka } from '../../src/kafka/broker.js';
import { createLogger, type Logger } from '../../src/logger.js';

export interface TestBroker extends RunningKafka {
  bootstrap: string;
  dataDir: string;
  /** Stops the broker (keeping its data dir) and starts it again on the same dir. */
  restart(): Promise<TestBroker>;
  /** Stops the broker and removes its data dir. */
  close(): Promise<void>;
}

/**
 * `settings` are server.properties keys; the listener and log dir are filled in unless given. `log` is
 * silent unless SKEIN_LOG_LEVEL says otherwise.
 */
export async function startTestBroker(
  settings: Record<string, string> = {},
  dataDir?: string,
  log: Logger = createLogger(process.env.SKEIN_LOG_LEVEL ?? 'silent'),
): Promise<TestBroker> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'skein-broker-'));
  const entries = Object.entries({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...settings }).map(([key, value]) => ({
    key,
    value,
    line: 0,
  }));
  const config = brokerConfigFrom(entries);
  const running = await startKafka(config, log);
  const broker: TestBroker = {
    ...running,
    bootstrap: `127.0.0.1:${running.port}`,
    dataDir: dir,
    async restart() {
      await running.stop();
      return startTestBroker({ ...settings, listeners: `PLAINTEXT://127.0.0.1:${running.port}` }, dir, log);
    },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return broker;
}
