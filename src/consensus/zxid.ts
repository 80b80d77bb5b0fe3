// ZooKeeper transaction ids from Raft positions. A zxid is epoch<<32 | counter, where the epoch is the
// Raft term and the counter is the entry's position within its term (the leader's opening no-op is 1).
// Entries of one term are contiguous in a Raft log, so zxids strictly increase along any log.
// Zxids are exact 64-bit values: bigint here, never a JS number (which is exact only below 2^53).

/** The epoch is the high 32 bits of a zxid, so a term past this cannot be expressed. */
export const EPOCH_MAX = 0xffff_ffff;
/**
 * ZooKeeper never proposes a zxid whose low 32 bits are all ones: the leader steps down and a new epoch
 * starts (Leader.propose's rollover check). The last usable counter is one below.
 */
export const ZXID_COUNTER_MAX = 0xffff_fffe;

export type Zxid = bigint;

export function makeZxid(epoch: number, counter: number): Zxid {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) throw new RangeError(`epoch ${epoch} is not a 32-bit unsigned integer`);
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
