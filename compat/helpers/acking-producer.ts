// The librdkafka (confluent-kafka-python) acks=all producer of compat/kafka/failover_producer.py as a child
// process: keyed records "key:seq", one request in flight, and the acknowledged ones collected from its
// "ACK key seq" lines, for tests that check no acknowledged record is lost while they disturb the cluster.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './commands.js';

const SCRIPT = fileURLToPath(new URL('../kafka/failover_producer.py', import.meta.url));

export interface AckingProducer {
  /** Records the broker acknowledged, in the order of the acknowledgements. */
  readonly acked: { key: string; seq: number }[];
  /** SIGTERM: it flushes what is in flight and exits; resolves with its exit code and stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

export function startAckingProducer(bootstrap: string, topic: string, keys: readonly string[]): AckingProducer {
  const child = spawn(PYTHON, [SCRIPT, bootstrap, topic, keys.join(',')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const acked: { key: string; seq: number }[] = [];
  let out = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      const m = /^ACK (\S+) (\d+)$/.exec(line);
      if (m) acked.push({ key: m[1]!, seq: Number(m[2]) });
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    acked,
    async stop() {
      child.kill('SIGTERM');
      return { code: await exited, stderr };
    },
  };
}
