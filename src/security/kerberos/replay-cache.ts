// RFC 4120 3.2.3: a service remembers the authenticators it accepted for as long as the clock skew would
// still let them through, so a captured AP-REQ cannot be played again. Entries are digests of the sealed
// authenticator; the cache has a hard size, and when it is full of live entries new authentications are
// refused rather than old entries forgotten (forgetting one would reopen its replay window).
import { createHash } from 'node:crypto';

export const DEFAULT_REPLAY_CACHE_ENTRIES = 100_000;

export class ReplayCache {
  /** Digest (hex) → when it may be forgotten, in insertion order (which is roughly expiry order). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries: number = DEFAULT_REPLAY_CACHE_ENTRIES) {}

  get size(): number {
    return this.seen.size;
  }

  /**
   * Records `authenticator` (its ciphertext) until `expiresMs`: 'fresh' the first time, 'replay' when it
   * was seen before, 'full' when the cache holds maxEntries live entries.
   */
  check(authenticator: Buffer, nowMs: number, expiresMs: number): 'fresh' | 'replay' | 'full' {
    const digest = createHash('sha256').update(authenticator).digest('hex');
    const until = this.seen.get(digest);
    if (until !== undefined && until > nowMs) return 'replay';
    if (this.seen.size >= this.maxEntries) this.forgetExpired(nowMs);
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.delete(digest);
    this.seen.set(digest, expiresMs);
    return 'fresh';
  }

  private forgetExpired(nowMs: number): void {
    for (const [digest, until] of this.seen) if (until <= nowMs) this.seen.delete(digest);
  }
}
