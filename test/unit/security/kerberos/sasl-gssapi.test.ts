import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SKEW_MS } from '../../../../src/security/kerberos/acceptor.js';
import type { KeytabEntry } from '../../../../src/security/kerberos/keytab.js';
import { ReplayCache } from '../../../../src/security/kerberos/replay-cache.js';
import { SaslGssapiError, SaslGssapiServer } from '../../../../src/security/kerberos/sasl-gssapi.js';
import { GssapiLogin } from '../../../../src/zookeeper/gssapi-login.js';
import { initialToken, openApRep, randomAesKey, unwrapFromAcceptor, wrapFromInitiator, type InitiatorOptions } from '../../../helpers/kerberos-initiator.js';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const serviceKey = randomAesKey();
const keys: KeytabEntry[] = [{ components: ['kafka', 'host'], realm: 'SKEIN.TEST', kvno: 1, etype: serviceKey.etype, key: serviceKey.key }];

const server = (replayCache = new ReplayCache()) => new SaslGssapiServer({ keys, replayCache }, () => NOW);

/** The whole exchange as an initiator runs it; returns the client the server authenticated. */
function login(options: Partial<InitiatorOptions> = {}, sealed = true, s = server()) {
  const init = initialToken({ serviceKey, nowMs: NOW, ...options });
  const first = s.respond(init.token);
  expect(first.done).toBe(false);
  const mutual = options.mutual ?? true;
  let acceptorSeq: number;
  if (mutual) {
    const apRep = openApRep(first.challenge!, init.sessionKey);
    expect(apRep.ctimeMs).toBe(init.ctimeMs);
    acceptorSeq = apRep.seqNumber;
  } else {
    expect(first.challenge).toEqual(Buffer.alloc(0));
    acceptorSeq = options.seqNumber ?? 1000;
  }
  const offer = s.respond(Buffer.alloc(0));
  expect(offer.done).toBe(false);
  const layers = unwrapFromAcceptor(init.contextKey, offer.challenge!);
  // The acceptor's first Wrap token carries the sequence number the initiator expects of it.
  expect(layers.sequence).toBe(BigInt(acceptorSeq));
  expect(layers.message[0]).toBe(1); // no security layer
  const answer = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('kafka@host')]);
  const last = s.respond(wrapFromInitiator(init.contextKey, answer, sealed, sealed ? 0 : 28));
  expect(last).toMatchObject({ done: true, challenge: null });
  return last.done ? last.client : undefined;
}

const refusal = (options: Partial<InitiatorOptions>, s = server()) => {
  try {
    s.respond(initialToken({ serviceKey, nowMs: NOW, ...options }).token);
  } catch (err) {
    expect(err).toBeInstanceOf(SaslGssapiError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('SASL GSSAPI server over the Kerberos acceptor', () => {
  it('authenticates with mutual authentication, a subkey and a sealed answer (Java, MIT), ignoring the authorization id', () => {
    expect(login({ subkey: randomAesKey() })).toEqual({ components: ['client'], realm: 'SKEIN.TEST' });
  });

  it('authenticates without mutual authentication and with an unsealed, rotated answer (pykerberos, Microsoft RRC)', () => {
    expect(login({ mutual: false, seqNumber: 777 }, false)).toEqual({ components: ['client'], realm: 'SKEIN.TEST' });
  });

  it('refuses a replayed authenticator, while the same client with a new one is fine', () => {
    const cache = new ReplayCache();
    const token = initialToken({ serviceKey, nowMs: NOW }).token;
    server(cache).respond(token);
    expect(() => server(cache).respond(token)).toThrow(/already used \(replay\)/);
    expect(login({}, true, server(cache))).toBeDefined();
  });

  it('refuses clocks out of skew, tickets expired or not yet valid, and mismatched clients', () => {
    expect(refusal({ ctimeMs: NOW - DEFAULT_MAX_SKEW_MS - 5000 })).toMatch(/outside the 300 s clock skew/);
    expect(refusal({ endtimeMs: NOW - DEFAULT_MAX_SKEW_MS - 5000, authtimeMs: NOW - 7_200_000 })).toMatch(/ticket of client@SKEIN.TEST has expired/);
    expect(refusal({ authtimeMs: NOW + DEFAULT_MAX_SKEW_MS + 5000 })).toMatch(/not yet valid/);
    expect(refusal({ authenticatorClient: ['mallory'] })).toMatch(/authenticator's client differs from the ticket's/);
  });

  it('refuses tickets for other services, other key versions or sealed with another key', () => {
    expect(refusal({ service: ['kafka', 'other'] })).toMatch(/no key for kafka\/other@SKEIN.TEST with etype 18/);
    expect(refusal({ realm: 'OTHER.TEST' })).toMatch(/no key for kafka\/host@OTHER.TEST/);
    expect(refusal({ serviceKey: randomAesKey(), kvno: 2 })).toMatch(/does not open with the keytab's key \(kvno 2\)/);
  });

  it('refuses a tampered Wrap answer and tokens after the end', () => {
    const s = server();
    const init = initialToken({ serviceKey, nowMs: NOW });
    s.respond(init.token);
    s.respond(Buffer.alloc(0));
    const answer = wrapFromInitiator(init.contextKey, Buffer.from([1, 0, 0, 0]), false);
    answer[17]! ^= 1;
    expect(() => s.respond(answer)).toThrow(/checksum does not match/);
    expect(() => s.respond(Buffer.alloc(0))).toThrow(/token after the exchange ended/);
  });

  it('refuses a security layer it did not offer', () => {
    const s = server();
    const init = initialToken({ serviceKey, nowMs: NOW });
    s.respond(init.token);
    s.respond(Buffer.alloc(0));
    expect(() => s.respond(wrapFromInitiator(init.contextKey, Buffer.from([4, 0, 16, 0]), true))).toThrow(/only none \(0x01\) is offered/);
  });

  it('refuses malformed and mutated initial tokens cleanly, with nothing but SaslGssapiError', () => {
    for (const bad of [Buffer.alloc(0), Buffer.from([0x60]), Buffer.from('60020601', 'hex'), Buffer.from('not a token at all'), randomBytes(300)]) {
      expect(() => server().respond(bad)).toThrow(SaslGssapiError);
    }
    const good = initialToken({ serviceKey, nowMs: NOW }).token;
    // Seeded mutations: every byte position flipped, and truncations; a failing position is in the message.
    for (let at = 0; at < good.length; at += 3) {
      const mutated = Buffer.from(good);
      mutated[at]! ^= 0x5a;
      for (const token of [mutated, good.subarray(0, at)]) {
        try {
          server().respond(token);
        } catch (err) {
          expect(err, `at byte ${at}`).toBeInstanceOf(SaslGssapiError);
        }
      }
    }
  });
});

describe('ReplayCache', () => {
  it('is bounded: full of live entries it refuses, and expired ones make room', () => {
    const cache = new ReplayCache(2);
    expect(cache.check(Buffer.from('a'), 0, 100)).toBe('fresh');
    expect(cache.check(Buffer.from('b'), 0, 200)).toBe('fresh');
    expect(cache.check(Buffer.from('a'), 50, 300)).toBe('replay');
    expect(cache.check(Buffer.from('c'), 50, 300)).toBe('full');
    expect(cache.check(Buffer.from('c'), 150, 300)).toBe('fresh');
    expect(cache.size).toBe(2);
  });
});

describe('ZooKeeper\'s GSSAPI login', () => {
  it.each([
    [false, false, 'zkclient/app.example@SKEIN.TEST'],
    [true, false, 'zkclient@SKEIN.TEST'],
    [false, true, 'zkclient/app.example'],
    [true, true, 'zkclient'],
  ])('removeHost=%s removeRealm=%s names the client %s, with a null last token', (removeHost, removeRealm, id) => {
    const login = new GssapiLogin({ keys, replayCache: new ReplayCache(), removeHost, removeRealm });
    const init = initialToken({ serviceKey, nowMs: Date.now(), client: ['zkclient', 'app.example'] });
    expect(login.evaluate(init.token)).not.toBeNull();
    login.evaluate(Buffer.alloc(0));
    expect(login.authorizationId).toBeUndefined();
    expect(login.evaluate(wrapFromInitiator(init.contextKey, Buffer.from([1, 0, 0, 0]), true))).toBeNull();
    expect(login.authorizationId).toBe(id);
  });
});
