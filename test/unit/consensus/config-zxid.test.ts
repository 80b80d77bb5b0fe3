import { describe, expect, test } from 'vitest';
import { consensusConfig, ConsensusConfigError } from '../../../src/consensus/config.js';
import { formatZxid, makeZxid, zxidCounter, zxidEpoch, ZXID_COUNTER_MAX } from '../../../src/consensus/zxid.js';

describe('zxid', () => {
  test('epoch<<32 | counter stays exact past 2^53', () => {
    const z = makeZxid(0xffff_ffff, ZXID_COUNTER_MAX);
    expect(z).toBe(0xffff_ffff_ffff_fffen);
    expect(zxidEpoch(z)).toBe(0xffff_ffff);
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
