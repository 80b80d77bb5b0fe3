import { describe, expect, test } from 'vitest';
import { consensusConfig, ConsensusConfigError } from '../../../src/consensus/config.js';
import { EPOCH_MAX, formatZxid, makeZxid, zxidCounter, zxidEpoch, zxidFollows, ZXID_COUNTER_MAX } from '../../../src/consensus/zxid.js';

describe('zxid', () => {
  test('epoch<<32 | counter stays exact past 2^53', () => {
    const z = makeZxid(EPOCH_MAX, ZXID_COUNTER_MAX);
    expect(z).toBe(0x7fff_ffff_ffff_fffen);
    expect(zxidEpoch(z)).toBe(EPOCH_MAX);
    expect(zxidCounter(z)).toBe(ZXID_COUNTER_MAX);
    expect(formatZxid(makeZxid(3, 0x10))).toBe('0x300000010');
    // From epoch 2^21 on, a JS number would already have lost the low bit.
    const past53 = makeZxid(0x20_0000, 1);
    expect(BigInt(Number(past53))).not.toBe(past53);
    expect(zxidCounter(past53)).toBe(1);
  });

  test('zxids of a later epoch are larger whatever the counters', () => {
    expect(makeZxid(2, 1) > makeZxid(1, ZXID_COUNTER_MAX)).toBe(true);
  });

  test('the last zxid is still positive as the signed long clients compare it as', () => {
    const last = makeZxid(EPOCH_MAX, ZXID_COUNTER_MAX);
    expect(BigInt.asIntN(64, last)).toBe(last);
    expect(BigInt.asIntN(64, last) > BigInt.asIntN(64, makeZxid(1, 1))).toBe(true);
    // One epoch more would wrap negative, below every zxid before it: that epoch does not exist.
    expect(BigInt.asIntN(64, (BigInt(EPOCH_MAX) + 1n) << 32n) < 0n).toBe(true);
    expect(() => makeZxid(EPOCH_MAX + 1, 1)).toThrow(/epoch 2147483648 is not an integer from 0 to 2147483647/);
  });

  test('a log goes on with the next counter, or with counter 1 of any later epoch', () => {
    expect(zxidFollows(makeZxid(1, 7), makeZxid(1, 8))).toBe(true);
    expect(zxidFollows(makeZxid(1, 7), makeZxid(2, 1))).toBe(true);
    expect(zxidFollows(makeZxid(2, 3), makeZxid(5, 1))).toBe(true); // epochs 3 and 4 elected no one
    expect(zxidFollows(0n, makeZxid(1, 1))).toBe(true);
    expect(zxidFollows(0n, 1n)).toBe(true); // standalone
    expect(zxidFollows(0xffff_ffffn, 0x1_0000_0000n)).toBe(true); // standalone counting on past 32 bits
    expect(zxidFollows(makeZxid(1, 7), makeZxid(1, 9))).toBe(false);
    expect(zxidFollows(makeZxid(1, 7), makeZxid(2, 2))).toBe(false);
    expect(zxidFollows(makeZxid(2, 1), makeZxid(1, 8))).toBe(false);
    expect(zxidFollows(makeZxid(1, 7), makeZxid(1, 7))).toBe(false);
  });

  test('out-of-range parts are refused', () => {
    expect(() => makeZxid(2 ** 32, 0)).toThrow(RangeError);
    expect(() => makeZxid(1, -1)).toThrow(RangeError);
    expect(() => makeZxid(1.5, 0)).toThrow(RangeError);
  });
});

describe('consensus config', () => {
  const membership = { voters: [1, 2, 3], learners: [4] };

  test('defaults fill what is not given', () => {
    expect(consensusConfig({ id: 4, membership })).toMatchObject({ electionTicks: 10, heartbeatTicks: 1, zxidCounterMax: ZXID_COUNTER_MAX });
  });

  test.each([
    [{ id: 5, membership }, /server 5 is not a member/],
    [{ id: 1, membership: { voters: [1, 2], learners: [2] } }, /listed twice, or as both/],
    [{ id: 1, membership: { voters: [], learners: [1] } }, /at least one voter/],
    [{ id: 1, membership: { voters: [1, 0], learners: [] } }, /server id 0 is not a positive integer/],
    [{ id: 1, membership, electionTicks: 4, heartbeatTicks: 2 }, /electionTicks \(4\) must exceed twice heartbeatTicks \(2\)/],
    [{ id: 1, membership, inflightMessagesMax: 0 }, /inflightMessagesMax must be an integer from 1/],
    [{ id: 1, membership, entryBytesMax: 2048, messageBytesMax: 1024 }, /entryBytesMax must be an integer from 1 to 1024/],
    [{ id: 1, membership, zxidCounterMax: 1 }, /zxidCounterMax must be an integer from 2/],
    [{ id: 1, membership, zxidCounterMax: 0xffff_ffff }, /zxidCounterMax/],
  ])('refuses %o', (input, message) => {
    expect(() => consensusConfig(input)).toThrow(ConsensusConfigError);
    expect(() => consensusConfig(input)).toThrow(message);
  });
});
