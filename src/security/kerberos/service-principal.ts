// The service's own identity from a JAAS Krb5LoginModule entry, as Kafka brokers and ZooKeeper servers
// configure it: useKeyTab=true keyTab="/path" principal="service/host@REALM" (or principal="*", Java's
// "accept tickets for any principal in the keytab"). Skein never asks a KDC for anything: an acceptor
// needs only the keytab, so a password login (useKeyTab=false) has nothing to serve with.
import { readFileSync } from 'node:fs';
import { JaasError, type LoginModule } from '../jaas.js';
import { KeytabError, parseKeytab, principalText, type KeytabEntry } from './keytab.js';

export const KRB5_LOGIN_MODULE = 'com.sun.security.auth.module.Krb5LoginModule';

export interface ServiceKeys {
  /** The principal's realm; for "*", that of the keytab's first entry. */
  realm: string;
  /** The keytab entries this service accepts tickets for (never empty). */
  keys: KeytabEntry[];
}

/**
 * Reads the entry's keytab; JaasError says what is missing or wrong (never a key). `serviceName`, when
 * given, is what the principal's first component must be (Kafka's sasl.kerberos.service.name).
 */
export function serviceKeysOf(entry: LoginModule, serviceName?: string): ServiceKeys {
  if (entry.className !== KRB5_LOGIN_MODULE) throw new JaasError(`GSSAPI needs ${KRB5_LOGIN_MODULE}, not ${entry.className}`);
  if (entry.options.get('useKeyTab') !== 'true') throw new JaasError(`${KRB5_LOGIN_MODULE} needs useKeyTab=true: the service's keys come from its keytab`);
  const keyTab = entry.options.get('keyTab');
  if (!keyTab) throw new JaasError(`${KRB5_LOGIN_MODULE} needs keyTab="<file>"`);
  const principal = entry.options.get('principal');
  if (!principal) throw new JaasError(`${KRB5_LOGIN_MODULE} needs principal="<service>/<host>@<REALM>"`);
  const at = principal.lastIndexOf('@');
  const service = principal.slice(0, at).split('/')[0];
  if (principal !== '*' && serviceName !== undefined && service !== serviceName) throw new JaasError(`principal ${principal} does not start with the service name ${serviceName}`);
  const entries = readKeytab(keyTab);
  if (principal === '*') {
    if (entries.length === 0) throw new JaasError(`keyTab ${keyTab} holds no keys`);
    return { realm: entries[0]!.realm, keys: entries };
  }
  if (at <= 0 || at === principal.length - 1) throw new JaasError(`principal ${principal} needs its realm (service/host@REALM)`);
  const realm = principal.slice(at + 1);
  const keys = entries.filter((e) => principalText(e.components, e.realm) === principal);
  if (keys.length === 0) throw new JaasError(`keyTab ${keyTab} holds no key for ${principal}`);
  return { realm, keys };
}

function readKeytab(path: string): KeytabEntry[] {
  try {
    return parseKeytab(readFileSync(path));
  } catch (err) {
    if (err instanceof KeytabError) throw new JaasError(`keyTab ${path}: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code !== undefined) throw new JaasError(`keyTab ${path}: ${(err as Error).message}`);
    throw err;
  }
}
