// A ZooKeeper SASL login with GSSAPI (Kerberos), as ZooKeeper's server runs Java's GSSAPI SaslServer and
// its SaslServerCallbackHandler names the client: the sasl id is the client principal, service/host@REALM,
// without the host part when kerberos.removeHostFromPrincipal and without the realm when
// kerberos.removeRealmFromPrincipal. The last answer is a null token, as Java's server gives it: the
// Java client counts a GSSAPI login as finished only on a null token.
import { SaslGssapiServer } from '../security/kerberos/sasl-gssapi.js';
import type { ZooKerberos } from './auth-config.js';

export class GssapiLogin {
  private readonly server: SaslGssapiServer;
  private id: string | undefined;

  constructor(private readonly kerberos: ZooKerberos) {
    this.server = new SaslGssapiServer({ keys: kerberos.keys, replayCache: kerberos.replayCache });
  }

  /** The sasl id, once the login succeeded. */
  get authorizationId(): string | undefined {
    return this.id;
  }

  /** The answer to the client's token; SaslGssapiError when the login fails. */
  evaluate(token: Buffer): Buffer | null {
    const step = this.server.respond(token);
    if (!step.done) return step.challenge;
    const [user, ...rest] = step.client.components;
    const host = rest.length > 0 && !this.kerberos.removeHost ? `/${rest.join('/')}` : '';
    this.id = `${user}${host}${this.kerberos.removeRealm ? '' : `@${step.client.realm}`}`;
    return step.challenge;
  }
}
