// What the console's login checks against, from the broker the node started: the users its SASL
// listeners accept and its authorizer. Here, in the command line, because only it may import broker.ts.
import type { ConsoleSecurity } from '../console/console-auth.js';
import type { Broker } from '../kafka/broker.js';
import type { BrokerConfig } from '../kafka/broker-config.js';

/** Undefined when the broker has neither a SASL listener nor an authorizer: the console then asks no login. */
export function consoleSecurityOf(config: BrokerConfig, broker: Broker): ConsoleSecurity | undefined {
  const sasl = config.listeners.flatMap((l) => (l.sasl ? [l.sasl] : []));
  const authorizer = broker.cluster?.acl?.authorizer;
  if (sasl.length === 0 && authorizer === undefined) return undefined;
  // SCRAM users log in where a listener serves SCRAM, or where no listener speaks SASL (an authorizer over
  // certificates): the credential store is then the only list of users and passwords there is.
  const scram = sasl.length === 0 || sasl.some((s) => s.mechanisms.some((m) => m.startsWith('SCRAM-')));
  return {
    plain: sasl.flatMap((s) => (s.plain ? [s.plain] : [])),
    scram: scram ? (user, mechanism) => broker.scram.lookup(user, mechanism) : undefined,
    authorizer,
    failures: broker.authFailures,
  };
}
