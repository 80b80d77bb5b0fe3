// SASL/GSSAPI (Kerberos) as Kafka's broker serves it: the service's keys come from the keytab of the
// listener's Krb5LoginModule entry (useKeyTab=true keyTab="..." principal="kafka/host@REALM"), the
// authenticated principal is mapped to the user ACLs see by sasl.kerberos.principal.to.local.rules
// (DEFAULT: the first component when the realm is the service principal's). One mechanism per listener,
// so its replay cache covers every connection of the listener.
import { JaasError, type LoginModule } from '../../security/jaas.js';
import type { KeytabEntry } from '../../security/kerberos/keytab.js';
import { ReplayCache } from '../../security/kerberos/replay-cache.js';
import { SaslGssapiError, SaslGssapiServer } from '../../security/kerberos/sasl-gssapi.js';
import { serviceKeysOf } from '../../security/kerberos/service-principal.js';
import { KerberosShortNamer, ShortNameError } from '../../security/kerberos/short-name.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism } from './mechanism.js';

export interface GssapiSettings {
  /** sasl.kerberos.service.name: the first component of the broker's principal (or the entry's serviceName option). */
  serviceName: string | undefined;
  /** sasl.kerberos.principal.to.local.rules. */
  rules: readonly string[];
}

export class GssapiMechanism implements SaslMechanism {
  readonly name = 'GSSAPI';
  private readonly replayCache = new ReplayCache();

  private constructor(
    private readonly keys: readonly KeytabEntry[],
    private readonly shortNamer: KerberosShortNamer,
  ) {}

  /** The mechanism of a Krb5LoginModule entry; JaasError says what is missing or wrong (never a key). */
  static fromJaas(entry: LoginModule, settings: GssapiSettings): GssapiMechanism {
    // As Kafka's SaslChannelBuilder: the service name from the entry's serviceName option or the setting, equal if both.
    const fromJaas = entry.options.get('serviceName');
    if (fromJaas !== undefined && settings.serviceName !== undefined && fromJaas !== settings.serviceName) {
      throw new JaasError(`serviceName ${fromJaas} differs from sasl.kerberos.service.name ${settings.serviceName}`);
    }
    const serviceName = fromJaas ?? settings.serviceName;
    if (serviceName === undefined) throw new JaasError('GSSAPI needs sasl.kerberos.service.name (the first component of the broker principal, usually kafka)');
    const service = serviceKeysOf(entry, serviceName);
    try {
      return new GssapiMechanism(service.keys, KerberosShortNamer.parse(settings.rules, service.realm));
    } catch (err) {
      if (err instanceof ShortNameError) throw new JaasError(`sasl.kerberos.principal.to.local.rules: ${err.message}`);
      throw err;
    }
  }

  start(): SaslExchange {
    const server = new SaslGssapiServer({ keys: this.keys, replayCache: this.replayCache });
    return {
      respond: (token) => {
        try {
          const step = server.respond(token);
          if (!step.done) return step;
          return { done: true, challenge: step.challenge, user: this.shortNamer.shortName(step.client.components, step.client.realm) };
        } catch (err) {
          if (err instanceof SaslGssapiError || err instanceof ShortNameError) throw new SaslAuthenticationError(`Authentication failed: ${err.message}`);
          throw err;
        }
      },
    };
  }
}
