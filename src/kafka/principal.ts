// Who a Kafka connection speaks for, as Kafka's DefaultKafkaPrincipalBuilder names it: on an SSL
// listener with a client certificate, User:<name> mapped from the certificate's distinguished name by
// ssl.principal.mapping.rules; otherwise User:ANONYMOUS. Kept per connection for authorization.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { distinguishedName, type PrincipalMapper } from '../security/principal-mapping.js';

export interface KafkaPrincipal {
  readonly type: 'User';
  readonly name: string;
}

export const ANONYMOUS: KafkaPrincipal = { type: 'User', name: 'ANONYMOUS' };

/** The principal of a connection; throws PrincipalMappingError when no rule maps its certificate. */
export function principalOf(socket: Socket, mapper: PrincipalMapper | undefined): KafkaPrincipal {
  if (!mapper || !(socket instanceof TLSSocket)) return ANONYMOUS;
  const cert = socket.getPeerX509Certificate();
  return cert ? { type: 'User', name: mapper.nameOf(distinguishedName(cert)) } : ANONYMOUS;
}
