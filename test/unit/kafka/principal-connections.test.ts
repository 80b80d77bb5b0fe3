// max.connections.per.principal's counter: per principal, with overrides, super.users and ANONYMOUS not
// counted, a release freeing its place once, and no entry kept for a principal with nothing open; and
// the keys' parsing.
import { expect, test } from 'vitest';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import { PrincipalConnections, type PrincipalHold } from '../../../src/kafka/principal-connections.js';
import { ANONYMOUS } from '../../../src/kafka/principal.js';

const user = (name: string) => ({ type: 'User' as const, name });
const held = (taken: PrincipalHold | string): PrincipalHold => {
  if (typeof taken === 'string') throw new Error(taken);
  return taken;
};

test('each principal has its own count, its override, and a released place is free again', () => {
  const connections = new PrincipalConnections({ limit: 3, overrides: new Map([['User:alice', 2]]), exempt: new Set() });
  const a1 = held(connections.acquire(user('alice')));
  held(connections.acquire(user('alice')));
  expect(connections.acquire(user('alice'))).toBe('connection limit of 2 for User:alice reached');
  for (let i = 0; i < 3; i++) held(connections.acquire(user('bob')));
  expect(connections.acquire(user('bob'))).toBe('connection limit of 3 for User:bob reached');
  a1.release();
  a1.release(); // a second release (close after a failed close path) must not free another place
  expect(connections.count('User:alice')).toBe(1);
  held(connections.acquire(user('alice')));
  expect(connections.acquire(user('alice'))).toMatch(/limit of 2/);
});

test('super.users and ANONYMOUS are never counted, and a principal with nothing open has no entry', () => {
  const connections = new PrincipalConnections({ limit: 0, overrides: new Map(), exempt: new Set(['User:broker']) });
  for (let i = 0; i < 5; i++) {
    held(connections.acquire(user('broker')));
    held(connections.acquire(ANONYMOUS));
  }
  expect(connections.count('User:broker')).toBe(0);
  expect(connections.count('User:ANONYMOUS')).toBe(0);
  const open = new PrincipalConnections({ limit: 1, overrides: new Map(), exempt: new Set() });
  held(open.acquire(user('carol'))).release();
  expect((open as unknown as { open: Map<string, number> }).open.size).toBe(0);
});

test('the keys parse as Type:name:count, and reject other forms', () => {
  const cfg = brokerConfigFromText('max.connections.per.principal=10\nmax.connections.per.principal.overrides=User:alice:5, User:bob:100\nsuper.users=User:broker\n');
  expect(cfg.principalLimits).toEqual({ limit: 10, overrides: new Map([['User:alice', 5], ['User:bob', 100]]), exempt: new Set(['User:broker']) });
  expect(brokerConfigFromText('').principalLimits.limit).toBe(2_147_483_647);
  // super.users is read (and checked) without an authorizer too: it names who is exempt.
  expect(() => brokerConfigFromText('super.users=broker')).toThrow(/super.users: "broker" is not a principal/);
  expect(() => brokerConfigFromText('max.connections.per.principal.overrides=alice:5')).toThrow(/alice:5.*Type:name:count/);
  expect(() => brokerConfigFromText('max.connections.per.principal.overrides=User:alice:-1')).toThrow(/Type:name:count/);
  expect(() => brokerConfigFromText('max.connections.per.ip.overrides=:5')).toThrow(/host:count/);
});
