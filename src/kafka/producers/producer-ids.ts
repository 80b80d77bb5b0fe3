// Producer ids for InitProducerId: unique across the cluster and never handed out twice, even after a
// crash. Ids come in blocks of PRODUCER_ID_BLOCK_SIZE claimed durably from a BlockSource before any id of
// the block is given out (Kafka's ProducerIdManager); ids of a block left unused when the broker stops are
// skipped, never reused. Alone the claims live in a file in the data directory; in a cluster in
// ZooKeeper's /latest_producer_id_block, claimed by a conditional setData as Kafka 2.8 does
// (zk-producer-id-blocks.ts).
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import { readFileHead } from '../../log/checkpoint.js';

/** Kafka's PidBlockSize. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** Producer ids are int64 on the wire; past this a JS number loses integers. */
const MAX_PRODUCER_ID = Number.MAX_SAFE_INTEGER;

/** Both ends inclusive, as Kafka's block_start / block_end. */
export interface ProducerIdBlock {
  first: number;
  last: number;
}

/** Hands out the next block; it must be durably claimed (no one else can get it) before it resolves. */
export interface BlockSource {
  claim(): Promise<ProducerIdBlock>;
}

/** The block after the one that ended at `lastEnd` (-1: none yet), or an Error when ids are exhausted. */
export function blockAfter(lastEnd: number): ProducerIdBlock {
  const first = lastEnd + 1;
  const last = first + PRODUCER_ID_BLOCK_SIZE - 1;
  if (last > MAX_PRODUCER_ID) throw new Error(`producer ids are exhausted: the last block ended at ${lastEnd}`);
  return { first, last };
}

export class ProducerIdAllocator {
  private block: ProducerIdBlock | undefined;
  private nextId = 0;
  /** One claim at a time: concurrent InitProducerIds wait for the same new block. */
  private claiming: Promise<void> | undefined;

  constructor(private readonly source: BlockSource) {}

  async next(): Promise<number> {
    for (;;) {
      if (this.block && this.nextId <= this.block.last) return this.nextId++;
      this.claiming ??= this.source.claim().then(
        (block) => {
          this.block = block;
          this.nextId = block.first;
          this.claiming = undefined;
        },
        (err: unknown) => {
          this.claiming = undefined;
          throw err;
        },
      );
      await this.claiming;
    }
  }
}

/** The file a broker without a cluster claims blocks in. */
export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block.json';
const FILE_VERSION = 1;
/** A claim file is a few dozen bytes; a larger read is a foreign file. */
const MAX_FILE_BYTES = 4096;

/**
 * Blocks claimed in `<dataDir>/producer-id-block.json` ({"version":1,"block_start":"…","block_end":"…"},
 * Kafka's znode layout), replaced atomically and fsynced before a block is used. A file that does not
 * parse stops the claim: guessing could hand out ids already given.
 */
export class FileBlockSource implements BlockSource {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, PRODUCER_ID_BLOCK_FILE);
  }

  async claim(): Promise<ProducerIdBlock> {
    const bytes = await readFileHead(this.path, MAX_FILE_BYTES + 1);
    const lastEnd = bytes === undefined ? -1 : parseBlockJson(bytes, this.path).last;
    const block = blockAfter(lastEnd);
    await writeFileAtomic(this.path, encodeBlockJson(block, undefined));
    return block;
  }
}

/** Kafka's JSON for a claimed block; ids are strings there, as Kafka writes them. */
export function encodeBlockJson(block: ProducerIdBlock, brokerId: number | undefined): Buffer {
  const fields: Record<string, unknown> = { version: FILE_VERSION };
  if (brokerId !== undefined) fields.broker = brokerId;
  fields.block_start = String(block.first);
  fields.block_end = String(block.last);
  return Buffer.from(JSON.stringify(fields));
}

/** Reads Kafka's block JSON; throws naming `where` when it is not one. */
export function parseBlockJson(bytes: Buffer, where: string): ProducerIdBlock {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${where} does not hold producer id block JSON`);
  }
  const { block_start: start, block_end: end } = (parsed ?? {}) as Record<string, unknown>;
  const first = Number(start);
  const last = Number(end);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first < 0 || last < first) {
    throw new Error(`${where} holds no valid block_start / block_end`);
  }
  return { first, last };
}
