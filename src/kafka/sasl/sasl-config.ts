// Kafka's sasl.* broker settings with Kafka's names and defaults. A SASL_PLAINTEXT or SASL_SSL listener
// serves the mechanisms of sasl.enabled.mechanisms (or listener.name.<l>.sasl.enabled.mechanisms), each
// with the login module entry of listener.name.<l>.<mechanism>.sasl.jaas.config, falling back to the
// plain sasl.jaas.config (PLAIN's users live there; SCRAM's in ZooKeeper, see user-store.ts; GSSAPI's
// keytab and principal in a Krb5LoginModule entry).
import type { PropertyLine } from '../../config/properties.js';
import { ConfigError, int, list, long, password, str } from '../../config/schema.js';
import { JaasError, parseLoginModuleEntry } from '../../security/jaas.js';
import { GssapiMechanism, type GssapiSettings } from './gssapi.js';
import type { ClientSasl } from '../client/sasl.js';
import { clientSaslOf } from '../client/sasl-login.js';
import { PlainMechanism } from './plain.js';
import type { SaslMechanism } from './mechanism.js';
import type { OAuthBearerMechanism } from './oauthbearer.js';
import { listenerOAuthBearerOf, listenerOAuthBearerSettings, oauthBearerSchema, type OAuthBearerValues } from './oauthbearer-config.js';
import type { JwksKeys } from './jwks-keys.js';
import { SCRAM_MECHANISMS, ScramMechanism, type CredentialLookup } from './scram.js';

/** What Skein serves, in Kafka's names. */
export const SERVED_MECHANISMS = ['PLAIN', ...SCRAM_MECHANISMS, 'OAUTHBEARER', 'GSSAPI'] as const;
export type ServedMechanism = (typeof SERVED_MECHANISMS)[number];

export const saslSchema = {
  'sasl.enabled.mechanisms': list('SASL mechanisms SASL listeners serve (GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER with unsecured or signed tokens).', ['GSSAPI']),
  'sasl.kerberos.service.name': str('GSSAPI: the first component of the broker\'s Kerberos principal (usually kafka).', undefined),
  'sasl.kerberos.principal.to.local.rules': list('GSSAPI: rules mapping Kerberos principals to user names (DEFAULT: the first component when the realm is the broker principal\'s).', ['DEFAULT']),
  'sasl.mechanism.inter.broker.protocol': str('SASL mechanism brokers log in to each other with when the inter-broker listener is SASL (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, one of the listener\'s; brokers do not log in to each other with GSSAPI), with the username and password of its login module entry.', 'GSSAPI'),
  'sasl.jaas.config': password('JAAS login module entry for every SASL listener and mechanism without a listener.name.<l>.<mechanism>.sasl.jaas.config.'),
  'sasl.server.max.receive.size': int('Largest frame a client may send before it is authenticated.', 524_288, { min: 1 }),
  'connections.max.reauth.ms': long('Session lifetime told to SASL clients (KIP-368): they re-authenticate before it ends, other connections are closed at their next request after it; 0 never expires a session.', 0, { min: 0 }),
  'connection.failed.authentication.delay.ms': int('Delay before a failed authentication\'s answer and close, which slows password guessing.', 100, { min: 0 }),
  ...oauthBearerSchema,
};

/** GSSAPI settings of a Kerberos client login (kinit, ticket renewal): a broker only accepts tickets, from its keytab. */
export const KERBEROS_LOGIN_NOT_APPLICABLE = [
  'sasl.kerberos.kinit.cmd',
  'sasl.kerberos.ticket.renew.window.factor',
  'sasl.kerberos.ticket.renew.jitter',
  'sasl.kerberos.min.time.before.relogin',
];

/** A SASL listener's mechanisms, in sasl.enabled.mechanisms order; SCRAM's credentials come from the broker's user store. */
export interface ListenerSasl {
  mechanisms: readonly ServedMechanism[];
  /** PLAIN's users, when PLAIN is enabled. */
  plain: PlainMechanism | undefined;
  /** OAUTHBEARER's, when it is enabled. */
  oauthbearer: OAuthBearerMechanism | undefined;
  /** The identity provider's keys OAUTHBEARER checks signed tokens with: opened before the listener serves, closed with it. */
  jwks: JwksKeys | undefined;
  /** GSSAPI's (with the listener's keytab keys and replay cache), when it is enabled. */
  gssapi: GssapiMechanism | undefined;
}

const LISTENER_SASL_KEY =
  /^listener\.name\.([^.]+)\.(?:(sasl\.enabled\.mechanisms|(?:oauthbearer\.)?sasl\.oauthbearer\.[a-z.]+)|([^.]+)\.(sasl\.jaas\.config|sasl\.server\.callback\.handler\.class))$/;

/** Per-listener SASL entries, keyed by listener (upper case); entries that are not SASL ones are returned as `rest`. */
export function splitListenerSasl(entries: readonly PropertyLine[]): { byListener: Map<string, PropertyLine[]>; rest: PropertyLine[] } {
  const byListener = new Map<string, PropertyLine[]>();
  const rest: PropertyLine[] = [];
  for (const e of entries) {
    const m = LISTENER_SASL_KEY.exec(e.key);
    if (!m) {
      rest.push(e);
      continue;
    }
    const listener = m[1]!.toUpperCase();
    const key = m[2] ?? `${m[3]!.toLowerCase()}.${m[4]!}`;
    byListener.set(listener, [...(byListener.get(listener) ?? []), { ...e, key }]);
  }
  return { byListener, rest };
}

/**
 * A SASL listener's mechanisms from the global settings and its own (listener.name.<l>.*, key without the
 * prefix). Errors name the key but never its value, which may hold passwords.
 */
export function listenerSaslOf(global: { mechanisms: string[]; jaas: string | undefined; kerberos: GssapiSettings; oauthbearer: OAuthBearerValues }, own: readonly PropertyLine[], listener: string): ListenerSasl {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  const ownValue = (key: string) => own.findLast((e) => e.key === key)?.value;
  const ownMechanisms = ownValue('sasl.enabled.mechanisms');
  const enabled = (ownMechanisms === undefined ? global.mechanisms : ownMechanisms.split(',').map((m) => m.trim()).filter((m) => m !== '')).map((m) => m.toUpperCase());
  const mechanismsKey = ownMechanisms === undefined ? 'sasl.enabled.mechanisms' : `${prefix}sasl.enabled.mechanisms`;
  if (enabled.length === 0) throw new ConfigError(`${mechanismsKey}: listener ${listener} speaks SASL and needs at least one mechanism`);
  const mechanisms: ServedMechanism[] = [];
  let plain: PlainMechanism | undefined;
  let oauthbearer: OAuthBearerMechanism | undefined;
  let jwks: JwksKeys | undefined;
  let gssapi: GssapiMechanism | undefined;
  for (const name of enabled) {
    const served = SERVED_MECHANISMS.find((m) => m === name);
    if (!served) throw new ConfigError(`${mechanismsKey}: unknown or unserved SASL mechanism ${name} (${SERVED_MECHANISMS.join(', ')})`);
    mechanisms.push(served);
    const jaasKey = `${prefix}${name.toLowerCase()}.sasl.jaas.config`;
    const ownJaas = ownValue(`${name.toLowerCase()}.sasl.jaas.config`);
    const handlerKey = `${name.toLowerCase()}.sasl.server.callback.handler.class`;
    if (served === 'OAUTHBEARER') {
      // The mechanism's own entry, or the plain one when it is an OAuthBearerLoginModule; without either,
      // the unsecured validator's defaults (sub, no required scope).
      const text = ownJaas ?? (global.jaas?.includes('OAuthBearerLoginModule') ? global.jaas : undefined);
      ({ mechanism: oauthbearer, jwks } = listenerOAuthBearerOf(
        listenerOAuthBearerSettings(global.oauthbearer, own, prefix),
        { text, key: ownJaas === undefined ? 'sasl.jaas.config' : jaasKey },
        { className: ownValue(handlerKey), key: `${prefix}${handlerKey}` },
      ));
      continue;
    }
    if (served === 'GSSAPI') {
      const text = ownJaas ?? (global.jaas?.includes('Krb5LoginModule') ? global.jaas : undefined);
      if (text === undefined) throw new ConfigError(`${jaasKey} (or sasl.jaas.config): listener ${listener} serves GSSAPI and needs a Krb5LoginModule entry with its keytab and principal`);
      try {
        gssapi = GssapiMechanism.fromJaas(parseLoginModuleEntry(text), global.kerberos);
      } catch (err) {
        if (err instanceof JaasError) throw new ConfigError(`${ownJaas === undefined ? 'sasl.jaas.config' : jaasKey}: ${err.message}`);
        throw err;
      }
      continue;
    }
    if (ownValue(handlerKey) !== undefined) {
      throw new ConfigError(`${prefix}${handlerKey}: custom callback handlers are Java classes; ${name} uses Skein's built-in one`);
    }
    // SCRAM's users are in ZooKeeper; its login module entry is only the broker's own client login.
    if (served !== 'PLAIN') continue;
    const text = ownJaas ?? global.jaas;
    if (text === undefined) throw new ConfigError(`${jaasKey} (or sasl.jaas.config): listener ${listener} serves ${name} and needs its login module entry`);
    try {
      plain = PlainMechanism.fromJaas(parseLoginModuleEntry(text));
    } catch (err) {
      if (err instanceof JaasError) throw new ConfigError(`${ownJaas === undefined ? 'sasl.jaas.config' : jaasKey}: ${err.message}`);
      throw err;
    }
  }
  return { mechanisms, plain, oauthbearer, jwks, gssapi };
}

/** The listener's mechanisms as its connections use them, SCRAM's reading credentials from `scram`. */
export function mechanismsOf(sasl: ListenerSasl, scram: CredentialLookup): Map<string, SaslMechanism> {
  return new Map(
    sasl.mechanisms.map((name): [string, SaslMechanism] => [
      name,
      name === 'PLAIN' ? sasl.plain! : name === 'OAUTHBEARER' ? sasl.oauthbearer! : name === 'GSSAPI' ? sasl.gssapi! : new ScramMechanism(name, scram),
    ]),
  );
}

/**
 * The broker's own login on the SASL inter-broker listener `listener` of other brokers: the mechanism of
 * sasl.mechanism.inter.broker.protocol, which the listener must enable (Kafka's check), with the username
 * and password of its login module entry (listener.name.<l>.<mechanism>.sasl.jaas.config, else
 * sasl.jaas.config), as Kafka's inter-broker client reads them.
 */
export function interBrokerSaslOf(mechanism: string, sasl: ListenerSasl, global: { jaas: string | undefined }, own: readonly PropertyLine[], listener: string): ClientSasl {
  const name = mechanism.toUpperCase();
  const key = 'sasl.mechanism.inter.broker.protocol';
  if (name === 'GSSAPI') throw new ConfigError(`${key}: brokers do not log in to each other with GSSAPI (Kafka's default); name the mechanism brokers log in to each other with (one of ${sasl.mechanisms.join(', ')})`);
  if (!sasl.mechanisms.some((m) => m === name)) throw new ConfigError(`${key}: ${name} must be one of the inter-broker listener ${listener}'s enabled mechanisms (${sasl.mechanisms.join(', ')})`);
  const ownKey = `${name.toLowerCase()}.sasl.jaas.config`;
  const text = own.findLast((e) => e.key === ownKey)?.value;
  return clientSaslOf(name, text ?? global.jaas, { mechanism: key, jaas: text === undefined ? 'sasl.jaas.config' : `listener.name.${listener.toLowerCase()}.${ownKey}` });
}
