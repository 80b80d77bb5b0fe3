// Shape checks on a peer's message before the core acts on it. A decoder in the shell checks bytes;
// this checks what no decoder can: numbers in range and an append whose entries form a log suffix.
// A message that fails is dropped with the reason, as if garbled on the wire.
import type { Entry, Message } from './types.js';
import { EPOCH_MAX } from './zxid.js';

const index = (n: number) => Number.isSafeInteger(n) && n >= 0;
const term = (n: number) => Number.isInteger(n) && n >= 0 && n <= EPOCH_MAX;

/** Why `m` cannot be a message a correct peer sent, or null. */
export function malformed(m: Message): string | null {
  if (!term(m.term)) return `term ${m.term} out of range`;
  switch (m.type) {
    case 'preVote':
    case 'vote':
      return index(m.lastIndex) && term(m.lastTerm) ? null : 'last entry out of range';
    case 'appendResponse':
      return index(m.index) && index(m.hintIndex) && term(m.hintTerm) ? null : 'index out of range';
    case 'heartbeat':
      return !index(m.commit) ? 'commit out of range' : index(m.round) ? null : 'read round out of range';
    case 'heartbeatResponse':
      return index(m.round) ? null : 'read round out of range';
    case 'snapshot':
      return index(m.snapshot.index) && m.snapshot.index > 0 && term(m.snapshot.term) && m.snapshot.term <= m.term ? null : 'snapshot position out of range';
    case 'append':
      if (!index(m.prevIndex) || !term(m.prevTerm) || !index(m.commit) || m.prevTerm > m.term) return 'previous entry out of range';
      return entriesMalformed(m.prevIndex, m.prevTerm, m.term, m.entries);
    default:
      return null;
  }
}

function entriesMalformed(prevIndex: number, prevTerm: number, leaderTerm: number, entries: readonly Entry[]): string | null {
  let last = { index: prevIndex, term: prevTerm, counter: 0 };
  for (const e of entries) {
    if (e.index !== last.index + 1) return `entry ${e.index} does not follow ${last.index}`;
    if (!term(e.term) || e.term < last.term || e.term > leaderTerm) return `entry ${e.index} has term ${e.term} after ${last.term}, from a leader of ${leaderTerm}`;
    // A term's entries count 1, 2, 3, ...; the first entry's predecessor counter is not in the message.
    const counter = e.term !== last.term ? 1 : last.counter > 0 ? last.counter + 1 : null;
    if (!Number.isInteger(e.counter) || e.counter < 1 || e.counter > 0xffff_ffff || (counter !== null && e.counter !== counter)) return `entry ${e.index} has counter ${e.counter}`;
    last = e;
  }
  return null;
}
