// SCRAM credentials as DescribeUserScramCredentials (50) and AlterUserScramCredentials (51) manage them,
// with Kafka's checks and error codes, and as the SCRAM mechanisms look them up. A credential is stored
// in Kafka's text form under the mechanism's name in the user's config (user-store.ts).
import { ErrorCode } from '../../../protocol/kafka/index.js';
import { credentialFromSalted, formatCredential, MAX_ITERATIONS, MECHANISM_IDS, MIN_ITERATIONS, parseCredential, SCRAM_MECHANISMS, type ScramCredential, type ScramMechanismName } from './scram.js';
import type { UserConfigStore } from './user-store.js';

const mechanismOfId = (id: number): ScramMechanismName | undefined => SCRAM_MECHANISMS.find((m) => MECHANISM_IDS[m] === id);

export interface UserResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribedUser extends UserResult {
  credentialInfos: { mechanism: number; iterations: number }[];
}

export interface Upsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export class ScramCredentials {
  constructor(private readonly store: UserConfigStore) {}

  async lookup(user: string, mechanism: ScramMechanismName): Promise<ScramCredential | undefined> {
    const text = (await this.store.read(user))[mechanism];
    return text === undefined ? undefined : parseCredential(text);
  }

  /** `users` null or empty: every user with a credential. */
  async describe(users: readonly string[] | null): Promise<DescribedUser[]> {
    const all = users === null || users.length === 0;
    const names = all ? await this.store.users() : users;
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    const results: DescribedUser[] = [];
    for (const user of new Set(names)) {
      if (counts.get(user)! > 1) {
        results.push({ user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request', credentialInfos: [] });
        continue;
      }
      const config = await this.store.read(user);
      const credentialInfos = SCRAM_MECHANISMS.flatMap((m) => {
        const c = config[m] === undefined ? undefined : parseCredential(config[m]);
        return c ? [{ mechanism: MECHANISM_IDS[m], iterations: c.iterations }] : [];
      });
      if (credentialInfos.length > 0) results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos });
      else if (!all) results.push({ user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist', credentialInfos: [] });
    }
    return results;
  }

  /** Applies each user's changes all or none; one result per user named. */
  async alter(deletions: readonly { name: string; mechanism: number }[], upsertions: readonly Upsertion[]): Promise<UserResult[]> {
    const byUser = new Map<string, { deletions: { mechanism: number }[]; upsertions: Upsertion[] }>();
    const entry = (name: string) => byUser.get(name) ?? byUser.set(name, { deletions: [], upsertions: [] }).get(name)!;
    for (const d of deletions) entry(d.name).deletions.push(d);
    for (const u of upsertions) entry(u.name).upsertions.push(u);
    const results: UserResult[] = [];
    for (const [user, changes] of byUser) {
      const refusal = await this.refusalOf(user, changes);
      if (refusal) {
        results.push({ user, ...refusal });
        continue;
      }
      const config = await this.store.read(user);
      for (const d of changes.deletions) delete config[mechanismOfId(d.mechanism)!];
      for (const u of changes.upsertions) {
        const mechanism = mechanismOfId(u.mechanism)!;
        config[mechanism] = formatCredential(credentialFromSalted(mechanism, u.saltedPassword, u.salt, u.iterations));
      }
      await this.store.write(user, config);
      results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
    }
    return results;
  }

  /** Kafka's checks, in Kafka's order; undefined when every change of the user is acceptable. */
  private async refusalOf(user: string, changes: { deletions: { mechanism: number }[]; upsertions: Upsertion[] }): Promise<{ errorCode: number; errorMessage: string } | undefined> {
    if (user === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' };
    const all = [...changes.deletions, ...changes.upsertions];
    if (all.some((c) => mechanismOfId(c.mechanism) === undefined)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' };
    if (new Set(all.map((c) => c.mechanism)).size < all.length) {
      return { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' };
    }
    for (const u of changes.upsertions) {
      if (u.iterations < MIN_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' };
      if (u.iterations > MAX_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' };
      if (u.salt.length === 0 || u.saltedPassword.length === 0) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Salt and salted password must not be empty' };
    }
    if (changes.deletions.length > 0) {
      const config = await this.store.read(user);
      if (changes.deletions.some((d) => config[mechanismOfId(d.mechanism)!] === undefined)) {
        return { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' };
      }
    }
    return undefined;
  }
}
