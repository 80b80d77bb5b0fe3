// Drives @kafkats/client 0.12's ShareConsumer (KIP-932 share groups, ShareGroupHeartbeat v1, ShareFetch
// and ShareAcknowledge v2) for compat/kafka/share-groups.test.ts. The package lives in compat/clients,
// a package of compat's own. Usage: node kafkats_share.mjs MODE JSON
//
//   produce {bootstrap, topic, from, count, partitions}: records "v<from>".."v<from+count-1>", record i
//           to partition i % partitions, ten records a send -> {"produced": count}
//   member  {bootstrap, topic, groupId, clientId}: a share consumer printing JSON lines:
//           {"event":"assigned","partitions":[...]} when it gets partitions, {"event":"record",...} for each
//           record it processed (acknowledged as accepted when the handler returns). "hold" on stdin makes
//           it keep every later record without acknowledging ({"event":"held",...}): the test then kills
//           it, as a consumer that crashed mid-work. "pause" makes it keep the next records it gets
//           unprocessed (its fetches stop while they wait; prints "paused"), "resume" processes them and goes
//           on (prints "resumed"). "stop" stops it (leaving the group) and prints "closed".
import { createInterface } from 'node:readline';

const [mode, json] = process.argv.slice(2);
const input = JSON.parse(json);
const { KafkaClient } = await import(new URL('../clients/node_modules/@kafkats/client/dist/index.js', import.meta.url).href);
const client = new KafkaClient({ brokers: [input.bootstrap], clientId: input.clientId ?? 'skein-compat' });
await client.connect();
const print = (event) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);

async function produce() {
  const producer = client.producer({ lingerMs: 0 });
  // Ten records a send: several batches per partition, so the work comes in pieces members share.
  for (let i = input.from; i < input.from + input.count; i += 10) {
    const records = [];
    for (let j = i; j < Math.min(i + 10, input.from + input.count); j++) records.push({ key: Buffer.from(`k${j}`), value: Buffer.from(`v${j}`), partition: j % input.partitions });
    await producer.send(input.topic, records);
  }
  await producer.disconnect();
  await client.disconnect();
  return { produced: input.count };
}

async function member() {
  // Few records per fetch and a little time per record: the work spreads over the members, as a queue's should.
  const consumer = client.shareConsumer({ groupId: input.groupId, maxRecords: 5, batchSize: 5, maxWaitMs: 500 });
  let holding = false;
  /** While paused: the promise records wait on, and what resumes them. */
  let paused;
  let resume = () => {};
  consumer.on('partitionsAssigned', (tps) => print({ event: 'assigned', partitions: tps.map((tp) => tp.partition) }));
  consumer.on('error', (err) => print({ event: 'error', message: String(err?.message ?? err) }));
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'hold') {
      holding = true;
      print({ event: 'holding' });
    }
    if (line.trim() === 'pause') {
      paused = new Promise((resolve) => (resume = resolve));
      print({ event: 'paused' });
    }
    if (line.trim() === 'resume') {
      paused = undefined;
      resume();
      print({ event: 'resumed' });
    }
    if (line.trim() === 'stop') {
      void consumer.stop().then(async () => {
        await client.disconnect();
        print({ event: 'closed' });
        process.exit(0);
      });
    }
  });
  await consumer.runEach(input.topic, async (message) => {
    const record = { partition: message.partition, offset: Number(message.offset), value: message.value.toString(), deliveryCount: message.deliveryCount };
    if (holding) {
      print({ event: 'held', ...record });
      await new Promise(() => {});
    }
    if (paused !== undefined) await paused;
    await new Promise((resolve) => setTimeout(resolve, 5));
    print({ event: 'record', ...record });
  });
}

if (mode === 'produce') {
  process.stdout.write(`${JSON.stringify(await produce())}\n`);
  process.exit(0);
} else if (mode === 'member') {
  await member();
} else {
  throw new Error(`unknown mode ${mode}`);
}
