// The identity provider's verification keys, as Kafka's OIDC validator keeps them
// (JwksFileVerificationKeyResolver, RefreshingHttpsJwks): read from sasl.oauthbearer.jwks.endpoint.url at
// start (a start fails without them, as Kafka's), from an http(s) endpoint again every
// sasl.oauthbearer.jwks.endpoint.refresh.ms, each refresh retried with exponential backoff from
// ...retry.backoff.ms for at most ...retry.backoff.max.ms and the old keys kept if it fails. A token naming a
// key id the set does not hold triggers an early refresh (the provider rotated its keys), at most once a
// minute per key id so tokens with made-up ids cannot make the broker hammer the provider. Unlike Kafka,
// the token that triggered it waits for that refresh instead of failing.
import { readFile } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../logger.js';
import { JwksError, keyFits, verificationKeysOf, type VerificationKey } from './jws.js';

/** A key set document larger than this is refused (real ones are a few KiB). */
export const JWKS_BYTES_MAX = 1_048_576;
/** One fetch of the endpoint gives up after this long. */
export const JWKS_FETCH_TIMEOUT_MS = 10_000;
/** Kafka's MISSING_KEY_ID_CACHE_IN_FLIGHT_MS: an unknown key id triggers a refresh at most this often. */
export const MISSING_KID_RECHECK_MS = 60_000;
/** Kafka's MISSING_KEY_ID_CACHE_MAX_ENTRIES: unknown key ids remembered (oldest forgotten first). */
export const MISSING_KIDS_MAX = 16;
/** Kafka's MISSING_KEY_ID_MAX_KEY_LENGTH: a longer key id is taken as garbage and triggers nothing. */
export const KID_CHARS_MAX = 1000;

export interface JwksSettings {
  /** file:, http: or https: (sasl.oauthbearer.jwks.endpoint.url). */
  url: URL;
  refreshMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Certificates to trust for an https endpoint (from the JAAS entry's ssl.truststore.*); the system's without. */
  trust: ConnectionOptions | undefined;
}

export class JwksKeys {
  private keys: VerificationKey[] = [];
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /** Unknown key id -> when it may next trigger a refresh; Map order is age order. */
  private readonly missingKids = new Map<string, number>();
  private readonly closing = new AbortController();
  private log: Logger | undefined;

  constructor(
    private readonly settings: JwksSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get location(): string {
    return this.settings.url.href;
  }

  /** The first read; throws JwksError (naming the URL, which holds no secret) when the keys cannot be had. */
  async open(log: Logger): Promise<void> {
    this.log = log;
    try {
      this.keys = verificationKeysOf(await this.fetchText());
    } catch (err) {
      throw new JwksError(`sasl.oauthbearer.jwks.endpoint.url: could not read the verification keys from ${this.location}: ${(err as Error).message}`);
    }
    log.info({ url: this.location, keys: this.keys.length }, 'OAUTHBEARER verification keys loaded');
    if (this.settings.url.protocol !== 'file:') this.schedule();
  }

  close(): void {
    clearTimeout(this.timer);
    this.closing.abort();
  }

  /**
   * The key to verify a token signed with `alg` under key id `kid`: jose4j's choice (the first key of the
   * right id, type and algorithm). An unknown id may refresh the set first (see the top of the file).
   */
  async keyFor(kid: string | undefined, alg: string): Promise<VerificationKey | undefined> {
    const found = this.select(kid, alg);
    if (found || kid === undefined || !this.mayRefreshFor(kid)) return found;
    await this.refresh();
    return this.select(kid, alg);
  }

  private select(kid: string | undefined, alg: string): VerificationKey | undefined {
    return this.keys.find((k) => (kid === undefined || k.kid === kid) && keyFits(k, alg));
  }

  private mayRefreshFor(kid: string): boolean {
    if (kid.length > KID_CHARS_MAX) return false;
    const now = this.now();
    const next = this.missingKids.get(kid);
    if (next !== undefined && next > now) return false;
    this.missingKids.delete(kid);
    this.missingKids.set(kid, now + MISSING_KID_RECHECK_MS);
    if (this.missingKids.size > MISSING_KIDS_MAX) this.missingKids.delete(this.missingKids.keys().next().value!);
    return true;
  }

  /** One refresh at a time: a caller arriving during one waits for it. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.fetchWithRetry()
      .then((keys) => {
        this.keys = keys;
        for (const k of keys) if (k.kid !== undefined) this.missingKids.delete(k.kid);
        this.log?.info({ url: this.location, keys: keys.length }, 'OAUTHBEARER verification keys refreshed');
      })
      .catch((err: unknown) => {
        if (!this.closing.signal.aborted) this.log?.warn({ url: this.location, err: (err as Error).message }, 'OAUTHBEARER verification key refresh failed; keeping the previous keys');
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.refresh().then(() => {
        if (!this.closing.signal.aborted) this.schedule();
      });
    }, this.settings.refreshMs);
    this.timer.unref();
  }

  /** Kafka's Retry: attempts with doubling waits until retry.backoff.max.ms has passed since the first. */
  private async fetchWithRetry(): Promise<VerificationKey[]> {
    const { retryBackoffMs, retryBackoffMaxMs } = this.settings;
    const end = this.now() + retryBackoffMaxMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return verificationKeysOf(await this.fetchText());
      } catch (err) {
        const left = end - this.now();
        if (left <= 0 || this.closing.signal.aborted) throw err;
        await sleep(Math.min(retryBackoffMs * 2 ** attempt, left), undefined, { signal: this.closing.signal });
      }
    }
  }

  private fetchText(): Promise<string> {
    const { url, trust } = this.settings;
    if (url.protocol === 'file:') return readFile(fileURLToPath(url), 'utf8');
    return new Promise((resolve, reject) => {
      const options = { timeout: JWKS_FETCH_TIMEOUT_MS, signal: this.closing.signal, headers: { accept: 'application/json' } };
      const onResponse = (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new JwksError(`HTTP status ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > JWKS_BYTES_MAX) {
            res.destroy();
            reject(new JwksError(`larger than ${JWKS_BYTES_MAX} bytes`));
          } else chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      };
      const req = url.protocol === 'https:' ? httpsGet(url, { ...options, ...trust }, onResponse) : httpGet(url, options, onResponse);
      req.on('timeout', () => req.destroy(new JwksError(`no answer within ${JWKS_FETCH_TIMEOUT_MS} ms`)));
      req.on('error', reject);
    });
  }
}
