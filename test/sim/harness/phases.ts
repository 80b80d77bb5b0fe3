// The shape of every simulation run: faults until `chaosMs`; then everything heals and clients keep
// going until `settleMs` later, which is where a core must show it recovers; then clients stop and
// outstanding requests get `drainMs` to finish. Invariants are checked after every event throughout.
import type { Scheduler } from './scheduler.js';

export interface Phases {
  chaosMs: number;
  settleMs: number;
  drainMs: number;
}

export interface PhaseHooks {
  startChaos(): void;
  heal(): void;
  stopClients(): void;
  check(): void;
}

export function runPhases(sched: Scheduler, p: Phases, h: PhaseHooks): void {
  h.startChaos();
  sched.runUntil(p.chaosMs, h.check);
  h.heal();
  sched.runUntil(p.chaosMs + p.settleMs, h.check);
  h.stopClients();
  sched.runUntil(p.chaosMs + p.settleMs + p.drainMs, h.check);
}
