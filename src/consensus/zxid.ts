// ZooKeeper transaction ids from Raft positions. A zxid is epoch<<32 | counter, where the epoch is the
// Raft term and the counter is the entry's position within its term (the leader's opening no-op is 1).
// Entries of one term are contiguous in a Raft log, so zxids strictly increase along any log.
// Zxids are exact 64-bit values: bigint here, never a JS number (which is exact only below 2^53).

/**
 * The last epoch. On the wire a zxid is a Java long, and clients compare them signed (a server whose
 * zxid is below the client's lastZxidSeen is refused): from epoch 2^31 on a zxid would read as
 * negative, below every earlier one, and lastZxidSeen would lose its meaning. So the epoch's top bit is
 * never used; a server at this term refuses to campaign, and an operator must intervene.
 */
export const EPOCH_MAX = 0x7fff_ffff;
/**
 * ZooKeeper never proposes a zxid whose low 32 bits are all ones: the leader steps down and a new epoch
 * starts (Leader.propose's rollover check). The last usable counter is one below.
 */
export const ZXID_COUNTER_MAX = 0xffff_fffe;

export type Zxid = bigint;

export function makeZxid(epoch: number, counter: number): Zxid {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch} is not an integer from 0 to ${EPOCH_MAX}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffff_ffff) throw new RangeError(`counter ${counter} is not a 32-bit unsigned integer`);
  return (BigInt(epoch) << 32n) | BigInt(counter);
}

export function zxidEpoch(zxid: Zxid): number {
  return Number(BigInt.asUintN(64, zxid) >> 32n);
}

export function zxidCounter(zxid: Zxid): number {
  return Number(zxid & 0xffff_ffffn);
}

/** As ZooKeeper logs it: 0x followed by the hex digits. */
export function formatZxid(zxid: Zxid): string {
  return `0x${BigInt.asUintN(64, zxid).toString(16)}`;
}

/**
 * Whether `next` may directly follow `prev` in a log of transactions: the next counter of the same
 * epoch, or the opening entry (counter 1: the new leader's no-op) of any later epoch, since epochs
 * without a leader leave no entries. Anything else means transactions are missing. `prev` 0 is the
 * empty log. A standalone server counts on past 0xffffffff into the epoch bits, which is also +1.
 */
export function zxidFollows(prev: Zxid, next: Zxid): boolean {
  return next === prev + 1n || (zxidEpoch(next) > zxidEpoch(prev) && zxidCounter(next) === 1);
}
