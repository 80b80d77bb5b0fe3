// A real `skein kafka` process on a small tmpfs that fills up: acks=all produces (Produce v9, 128 KiB
// records) until the broker answers KAFKA_STORAGE_ERROR; every record it acknowledged can be fetched
// while the disk is full; once a filler file is deleted produces succeed again without a restart; after
// the disk fills once more and the broker is killed with SIGKILL, a restart still holds every
// acknowledged record at its offset. Needs root to mount the tmpfs; skipped with a note otherwise.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { connectWhenReady } from '../../helpers/kafka-ready.js';
import { SkeinKafka } from '../../helpers/skein-process.js';
import { CAN_MOUNT, noteSkippedWithoutRoot, removeFiller, tmpfsForTests, writeFiller } from '../../helpers/tmpfs.js';

const TOPIC = 'full';
const RECORD_BYTES = 128 * 1024;
/** Produces that may be refused in a row before the disk counts as full (the first is enough). */
const REFUSALS_WHEN_FULL = 3;
/** How long produces may still be refused after space is freed (the broker takes back the last refusal). */
const RESUME_DEADLINE_MS = 30_000;

noteSkippedWithoutRoot('the Kafka full-disk test');

/** Offset -> id of each acknowledged record. */
type Acks = Map<number, number>;

function recordValue(id: number): Buffer {
  const value = Buffer.alloc(RECORD_BYTES, id % 251);
  value.write(`id:${id}:`);
  return value;
}

function idOf(value: Buffer): number {
  return Number(/^id:(\d+):/.exec(value.subarray(0, 32).toString('latin1'))![1]);
}

/** One acks=all produce of record `id`: its offset, or the error code the broker answered. */
async function produceOne(conn: KafkaConnection, id: number): Promise<{ offset: number } | { errorCode: number }> {
  try {
    const { baseOffset } = await produceRecords(conn, TOPIC, 0, [{ value: recordValue(id) }], { acks: -1 });
    return { offset: baseOffset };
  } catch (err) {
    if (err instanceof KafkaProtocolError) return { errorCode: err.code };
    throw err;
  }
}

/** Produces until the broker refuses REFUSALS_WHEN_FULL in a row; every refusal must be a storage error. */
async function produceUntilFull(conn: KafkaConnection, nextId: () => number, acks: Acks): Promise<number> {
  let refusedInARow = 0;
  let accepted = 0;
  while (refusedInARow < REFUSALS_WHEN_FULL) {
    const id = nextId();
    const result = await produceOne(conn, id);
    if ('offset' in result) {
      acks.set(result.offset, id);
      accepted++;
      refusedInARow = 0;
    } else {
      expect(result.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      refusedInARow++;
    }
  }
  return accepted;
}

/** Every record of the partition, offset -> id, fetched batch by batch. */
async function fetchAll(conn: KafkaConnection): Promise<Map<number, number>> {
  const stored = new Map<number, number>();
  let offset = 0;
  for (;;) {
    const fetched = await fetchPartition(conn, TOPIC, 0, offset, { partitionMaxBytes: 4 << 20, maxBytes: 4 << 20 });
    for (const r of recordsOf(fetched, offset)) stored.set(r.offset, idOf(r.value!));
    if (fetched.nextOffset >= fetched.highWatermark) return stored;
    offset = fetched.nextOffset;
  }
}

function expectAllAcknowledged(stored: Map<number, number>, acks: Acks): void {
  const missing = [...acks].filter(([offset, id]) => stored.get(offset) !== id);
  expect(missing, 'acknowledged records missing or moved (offset, id)').toEqual([]);
}

describe.skipIf(!CAN_MOUNT)('kafka broker on a disk that fills up (tmpfs)', () => {
  const tmpfs = tmpfsForTests(16);
  let kafka: SkeinKafka | undefined;
  afterAll(() => kafka?.kill());

  it('loses nothing acknowledged, serves fetches while full and takes produces again once space is freed', { timeout: 120_000 }, async () => {
    kafka = await SkeinKafka.start({ 'num.partitions': '1', 'log.segment.bytes': String(4 << 20) }, tmpfs().dir);
    const filler = join(tmpfs().dir, 'filler');
    await writeFiller(filler, 8);
    let conn = await connectWhenReady(kafka.bootstrap, TOPIC);
    const acks: Acks = new Map();
    let id = 0;
    const nextId = (): number => ++id;

    // Fill the disk: acknowledged records, then KAFKA_STORAGE_ERROR.
    expect(await produceUntilFull(conn, nextId, acks)).toBeGreaterThan(5);
    // While full: fetches see every acknowledged record.
    expectAllAcknowledged(await fetchAll(conn), acks);

    // Space comes back: produces succeed again, no restart.
    await removeFiller(filler);
    let resumed: { offset: number } | undefined;
    const deadline = Date.now() + RESUME_DEADLINE_MS;
    while (!resumed && Date.now() < deadline) {
      const recordId = nextId();
      const result = await produceOne(conn, recordId);
      if ('offset' in result) {
        resumed = result;
        acks.set(result.offset, recordId);
      } else {
        expect(result.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
      }
    }
    expect(resumed, 'a produce succeeded after space was freed').toBeDefined();

    // Full again, then kill -9 (a refused write may have left a torn piece in the file).
    await writeFiller(filler, 4);
    expect(await produceUntilFull(conn, nextId, acks)).toBeGreaterThan(0);
    conn.close();
    await kafka.kill();

    // Restart (with room for the broker's own files) and check every acknowledged record.
    await removeFiller(filler);
    await kafka.launch();
    conn = await connectWhenReady(kafka.bootstrap, TOPIC);
    try {
      const stored = await fetchAll(conn);
      expectAllAcknowledged(stored, acks);
      expect(kafka.log).not.toMatch(/"level":50.*partition log failed/);
    } finally {
      conn.close();
    }
  });
});
