// One line per consensus message for simulation traces, shared by every simulation that runs the Raft core.
import type { Message } from '../../../src/consensus/types.js';

export function describeMessage(m: Message): string {
  switch (m.type) {
    case 'append':
      return `append t${m.term} prev=${m.prevIndex}@${m.prevTerm} n=${m.entries.length} commit=${m.commit}`;
    case 'appendResponse':
      return `appendResponse t${m.term} index=${m.index}${m.reject ? ` reject hint=${m.hintIndex}@${m.hintTerm}` : ''}`;
    case 'snapshot':
      return `snapshot t${m.term} at ${m.snapshot.index}`;
    case 'heartbeat':
      return `heartbeat t${m.term} commit=${m.commit}`;
    case 'preVote':
    case 'vote':
      return `${m.type} t${m.term} last=${m.lastIndex}@${m.lastTerm}`;
    default:
      return `${m.type} t${m.term}${'reject' in m && m.reject ? ' reject' : ''}`;
  }
}
