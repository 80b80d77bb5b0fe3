// Session liveness as ZooKeeper's ExpiryQueue keeps it: each session's deadline is rounded up to the
// next tick, sessions sharing a deadline share a bucket, and a touch moves a session to a later
// bucket. A pure state machine: the caller passes the time in and acts on what expires.

export interface TrackedSession {
  readonly id: bigint;
  /** Negotiated timeout in ms. */
  timeout: number;
  /** The bucket time this session expires at. */
  expiresAt: number;
  /** A closeSession is under way; the session takes no more requests. */
  closing: boolean;
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, TrackedSession>();
  private readonly byDeadline = new Map<number, Set<TrackedSession>>();
  private nextBucket = Infinity;

  constructor(private readonly tickMs: number) {}

  private roundUp(time: number): number {
    return (Math.floor(time / this.tickMs) + 1) * this.tickMs;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: bigint): TrackedSession | undefined {
    return this.sessions.get(id);
  }

  /** A session that exists and is not closing. */
  isLive(id: bigint): boolean {
    const s = this.sessions.get(id);
    return s !== undefined && !s.closing;
  }

  values(): IterableIterator<TrackedSession> {
    return this.sessions.values();
  }

  add(id: bigint, timeout: number, now: number): TrackedSession {
    const existing = this.sessions.get(id);
    if (existing) {
      existing.timeout = timeout;
      this.touch(id, now);
      return existing;
    }
    const session: TrackedSession = { id, timeout, expiresAt: 0, closing: false };
    this.sessions.set(id, session);
    this.place(session, this.roundUp(now + timeout));
    return session;
  }

  /** Pushes the session's deadline out by its timeout; false if it is gone or closing. */
  touch(id: bigint, now: number): boolean {
    const s = this.sessions.get(id);
    if (!s || s.closing) return false;
    const at = this.roundUp(now + s.timeout);
    if (at !== s.expiresAt) {
      this.unplace(s);
      this.place(s, at);
    }
    return true;
  }

  setClosing(id: bigint): void {
    const s = this.sessions.get(id);
    if (s) s.closing = true;
  }

  remove(id: bigint): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.unplace(s);
    this.sessions.delete(id);
  }

  /** Sessions whose deadline has passed by `now`; they are marked closing and stay until removed. */
  expire(now: number): TrackedSession[] {
    const out: TrackedSession[] = [];
    if (now < this.nextBucket) return out;
    for (const [at, bucket] of this.byDeadline) {
      if (at > now) continue;
      for (const s of bucket) {
        if (!s.closing) out.push(s);
        s.closing = true;
        s.expiresAt = 0;
      }
      this.byDeadline.delete(at);
    }
    this.nextBucket = Infinity;
    for (const at of this.byDeadline.keys()) if (at < this.nextBucket) this.nextBucket = at;
    return out;
  }

  /** Deadline buckets in time order with their session ids (the dump four-letter word). */
  buckets(): [number, bigint[]][] {
    return [...this.byDeadline.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([at, set]) => [at, [...set].map((s) => s.id)]);
  }

  private place(s: TrackedSession, at: number): void {
    s.expiresAt = at;
    let bucket = this.byDeadline.get(at);
    if (!bucket) this.byDeadline.set(at, (bucket = new Set()));
    bucket.add(s);
    if (at < this.nextBucket) this.nextBucket = at;
  }

  private unplace(s: TrackedSession): void {
    const bucket = this.byDeadline.get(s.expiresAt);
    if (!bucket) return;
    bucket.delete(s);
    if (bucket.size === 0) this.byDeadline.delete(s.expiresAt);
  }
}
