// Drives @platformatic/kafka (a pure JavaScript client that speaks Kafka 3.5-4.1's newest versions: Fetch
// by topic id, Metadata v12, flexible group APIs) for compat/kafka/platformatic.test.ts. The package lives
// in compat/clients, a package of compat's own. Usage: node platformatic_kafka.mjs MODE JSON
//
// One-shot modes print one JSON document:
//   admin    {bootstrap, topic, partitions}: create, metadata, list, delete -> what the client reported
//   produce  {bootstrap, sends: [{topic, compression, records: [{key, value, partition}]}]}: an idempotent
//            acks=all producer per send -> the offsets of each
//   logDirs  {bootstrap, topics: [{name, partitions}]}: Admin.describeLogDirs (DescribeLogDirs v4 to every
//            broker) -> what the client reported per broker
//   quotas   {bootstrap, steps: [{alter: [{entities, ops}], validateOnly, describe: {components, strict}}]}:
//            per step Admin.alterClientQuotas then Admin.describeClientQuotas -> [{altered} or
//            {refused: [{id, message}]}, and {described}]
//   mutations {bootstrap, clientId, steps: [{create: topic, partitions} | {grow: topic, count} | {delete: topic}]}:
//            Admin.createTopics / createPartitions / deleteTopics one after the other, retrying what the
//            client retries -> {refusals: [{id, throttleTimeMs}] the retries were for, elapsedMs, partitions: {topic: count}}
//   clientMetrics {bootstrap, subscriptions: [{name, configs: {key: value}}]}: KIP-714 client-metrics
//            subscriptions (config resource type 16) set with Admin.incrementalAlterConfigs, read back with
//            Admin.describeConfigs, and listed with the client's ListClientMetricsResources v0 (API 74)
//            -> {described: [{name, configs: {key: value}}], listed: [names]}
// member   {bootstrap, topic, groupId, clientId}: a group consumer's stream from the committed offsets,
//          printing JSON lines: {"event":"joined","partitions":[...]} at each assignment, and
//          {"event":"record",...} for each record once its offset is committed. "stop" on stdin closes
//          it (leaving the group) and prints {"event":"closed"}.
import { createInterface } from 'node:readline';

const [mode, json] = process.argv.slice(2);
const input = JSON.parse(json);
const kafka = await import(new URL('../clients/node_modules/@platformatic/kafka/dist/index.js', import.meta.url).href);
const { Admin, Connection, ConfigResourceTypes, Consumer, IncrementalAlterConfigOperationTypes, listClientMetricsResourcesV0, Producer, ProduceAcks, stringDeserializers, stringSerializers } = kafka;
const common = { clientId: input.clientId ?? 'skein-compat', bootstrapBrokers: [input.bootstrap], retries: 10, retryDelay: 200 };

async function admin() {
  const client = new Admin(common);
  try {
    const created = await client.createTopics({ topics: [input.topic], partitions: input.partitions, replicas: 1 });
    const metadata = await client.metadata({ topics: [input.topic] });
    const topic = metadata.topics.get(input.topic);
    const listed = await client.listTopics();
    await client.deleteTopics({ topics: [input.topic] });
    const after = await client.listTopics();
    return {
      created: created.map((t) => ({ name: t.name, id: t.id, partitions: t.partitions })),
      metadataId: topic?.id,
      metadataPartitions: topic?.partitionsCount,
      listed: listed.includes(input.topic),
      listedAfterDelete: after.includes(input.topic),
    };
  } finally {
    await client.close();
  }
}

async function produce() {
  // One idempotent acks=all producer per codec asked for, each sending its records in one call.
  const results = [];
  for (const send of input.sends) {
    const client = new Producer({ ...common, serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL, compression: send.compression });
    try {
      const result = await client.send({ messages: send.records.map((r) => ({ topic: send.topic, ...r })) });
      results.push({ offsets: result.offsets ?? [] });
    } finally {
      await client.close();
    }
  }
  return results;
}

async function logDirs() {
  const client = new Admin(common);
  try {
    return await client.describeLogDirs({ topics: input.topics });
  } finally {
    await client.close();
  }
}

const print = (event) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);

async function member() {
  const client = new Consumer({ ...common, groupId: input.groupId, deserializers: stringDeserializers, sessionTimeout: 10_000, heartbeatInterval: 500 });
  client.on('consumer:group:join', () => {
    const partitions = (client.assignments ?? []).filter((a) => a.topic === input.topic).flatMap((a) => [...a.partitions]);
    print({ event: 'joined', partitions: partitions.sort((a, b) => a - b) });
  });
  // Resume from the group's committed offsets; the earliest where none is committed yet.
  const stream = await client.consume({ topics: [input.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 200 });
  stream.on('error', (error) => print({ event: 'error', message: String(error) }));
  // Records are handled one at a time: each is reported only once its offset is committed.
  const reading = (async () => {
    for await (const m of stream) {
      await m.commit();
      print({ event: 'record', partition: m.partition, offset: Number(m.offset), key: m.key, value: m.value });
    }
  })();
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'stop') break;
  // Closing the stream ends the loop above; closing the consumer sends LeaveGroup.
  await stream.close();
  await reading;
  await client.close();
  print({ event: 'closed' });
  // stdin, still open to the test, would keep the process alive.
  process.stdin.destroy();
}

/** The protocol errors (name and the broker's message) in an error the client threw, however nested. */
function protocolErrors(error) {
  const found = [];
  const walk = (e) => {
    if (e?.apiId) found.push({ id: e.apiId, message: e.serverErrorMessage });
    for (const inner of e?.errors ?? []) walk(inner);
  };
  walk(error);
  return found;
}

async function mutations() {
  const refusals = [];
  // The client retries a retriable error (THROTTLING_QUOTA_EXCEEDED is one) after retryDelay; this one notes what it retried.
  const retryDelay = (_client, _operation, _attempt, _retries, error) => {
    for (const { id } of protocolErrors(error)) refusals.push({ id, throttleTimeMs: error.response?.throttleTimeMs });
    return 100;
  };
  const client = new Admin({ ...common, retries: 20, retryDelay });
  const started = Date.now();
  try {
    for (const step of input.steps) {
      if (step.create) await client.createTopics({ topics: [step.create], partitions: step.partitions, replicas: 1 });
      else if (step.grow) await client.createPartitions({ topics: [{ name: step.grow, count: step.count }] });
      else await client.deleteTopics({ topics: [step.delete] });
    }
    const elapsedMs = Date.now() - started;
    const metadata = await client.metadata({ topics: await client.listTopics() });
    const partitions = Object.fromEntries([...metadata.topics].map(([name, t]) => [name, t.partitionsCount]));
    return { refusals, elapsedMs, partitions };
  } finally {
    await client.close();
  }
}

async function quotas() {
  const client = new Admin(common);
  const results = [];
  try {
    for (const step of input.steps) {
      let altered = {};
      if (step.alter) {
        try {
          altered = { altered: await client.alterClientQuotas({ entries: step.alter, validateOnly: step.validateOnly }) };
        } catch (error) {
          // The client throws for any entity refused: report each protocol error's name and the broker's message.
          altered = { refused: protocolErrors(error) };
        }
      }
      results.push({ ...altered, described: step.describe ? await client.describeClientQuotas(step.describe) : undefined });
    }
    return results;
  } finally {
    await client.close();
  }
}

async function clientMetrics() {
  const client = new Admin(common);
  const resources = (configs) =>
    input.subscriptions.map((s) => ({ resourceType: ConfigResourceTypes.CLIENT_METRICS, resourceName: s.name, ...configs(s) }));
  let described;
  try {
    await client.incrementalAlterConfigs({
      resources: resources((s) => ({ configs: Object.entries(s.configs).map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET })) })),
    });
    const results = await client.describeConfigs({ resources: resources(() => ({ configurationKeys: [] })) });
    described = results.map((r) => ({ name: r.resourceName, configs: Object.fromEntries(r.configs.map((c) => [c.name, c.value])) }));
  } finally {
    await client.close();
  }
  // The Admin has no call for API 74: the client's own request, on a connection of its own.
  const [host, port] = input.bootstrap.split(':');
  const connection = new Connection(common.clientId);
  try {
    await connection.connect(host, Number(port));
    const listed = await listClientMetricsResourcesV0.api.async(connection);
    return { described, listed: listed.clientMetricsResources.map((r) => r.name).sort() };
  } finally {
    await connection.close();
  }
}

if (mode === 'member') await member();
// Offsets come back as BigInt, which JSON cannot hold; they fit a double here.
else process.stdout.write(JSON.stringify(await { admin, produce, logDirs, quotas, mutations, clientMetrics }[mode](), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
