// The one place the console decides whether a request may change anything. Today the only rule is the
// `console.read.only` setting; when SASL and ACLs land, this is where the request's principal is asked of
// the authorizer (the console's reads already go through the cluster's own protocol, so the authorizer
// sees them as any client's).
import { forbidden } from './api-error.js';

export interface ConsolePermissions {
  readonly readOnly: boolean;
}

/** Throws 403 unless writes are allowed; `what` says what was refused. */
export function checkWrite(permissions: ConsolePermissions, what: string): void {
  if (permissions.readOnly) throw forbidden(`the console is read-only (console.read.only=true): cannot ${what}`);
}
