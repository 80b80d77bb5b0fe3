// A Kerberos V5 GSS-API acceptor (RFC 4121 over RFC 4120's AP exchange): opens the client's ticket with
// the service's keytab key, opens the authenticator with the ticket's session key, checks that both name
// the same client, that the ticket is valid now and the authenticator is fresh (clock skew, replay cache),
// and answers with an AP-REP when the client asked for mutual authentication. The context it returns
// wraps and unwraps the messages that follow under the client's subkey (or the session key). No clock or
// randomness of its own: the caller passes both in. Refusals name what failed, never key material.
import { CONFOUNDER_BYTES, KerberosCryptoError, type KerberosKey } from './aes-cts-hmac-sha1.js';
import { kerberosKey, SERVED_ETYPES } from './enctypes.js';
import { apRepToken, apReqOfInitialToken, GSS_MUTUAL_FLAG, gssFlagsOf, GssTokenError, unwrapFromInitiator, wrapFromAcceptor } from './gss-tokens.js';
import { principalText, type KeytabEntry } from './keytab.js';
import { decodeApReq, decodeAuthenticator, decodeEncTicketPart, encodeApRep, encodeEncApRepPart, KerberosMessageError, KeyUsage, type PrincipalName } from './messages.js';
import type { ReplayCache } from './replay-cache.js';

/** RFC 4120 / krb5.conf's default clockskew: 5 minutes. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

export class KerberosAuthError extends Error {
  override readonly name = 'KerberosAuthError';
}

export interface AcceptorOptions {
  /** The keytab entries of the principals this service accepts tickets for. */
  keys: readonly KeytabEntry[];
  replayCache: ReplayCache;
  maxSkewMs?: number;
}

/** The authenticated client of an established context. */
export interface KerberosClient {
  components: readonly string[];
  realm: string;
}

export interface Accepted {
  client: KerberosClient;
  /** The AP-REP token for the client, or undefined when it did not ask for mutual authentication. */
  replyToken: Buffer | undefined;
  context: GssContext;
}

/** An established context's per-message protection (the SASL GSSAPI negotiation's two Wrap tokens). */
export class GssContext {
  constructor(
    private readonly key: KerberosKey,
    private sequence: bigint,
  ) {}

  wrap(message: Buffer): Buffer {
    const token = wrapFromAcceptor(this.key, message, this.sequence);
    this.sequence = (this.sequence + 1n) & 0xffff_ffff_ffff_ffffn;
    return token;
  }

  unwrap(token: Buffer): Buffer {
    return unwrapFromInitiator(this.key, token);
  }
}

const sameName = (a: Pick<PrincipalName, 'components'>, b: Pick<PrincipalName, 'components'>) => a.components.length === b.components.length && a.components.every((c, i) => c === b.components[i]);

/**
 * Accepts the client's initial context token. `nowMs` is the current time, `random(n)` fresh random bytes
 * (the AP-REP's confounder and the acceptor's first sequence number).
 */
export function acceptSecContext(options: AcceptorOptions, token: Buffer, nowMs: number, random: (bytes: number) => Buffer): Accepted {
  try {
    return accept(options, token, nowMs, random);
  } catch (err) {
    if (err instanceof GssTokenError || err instanceof KerberosMessageError) throw new KerberosAuthError(err.message);
    throw err;
  }
}

function accept(options: AcceptorOptions, token: Buffer, nowMs: number, random: (bytes: number) => Buffer): Accepted {
  const skew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const apReq = decodeApReq(apReqOfInitialToken(token));
  const { ticket } = apReq;
  const server = principalText(ticket.sname.components, ticket.realm);
  const candidates = options.keys.filter((k) => k.realm === ticket.realm && sameName(k, ticket.sname) && k.etype === ticket.encPart.etype);
  if (candidates.length === 0) throw new KerberosAuthError(`no key for ${server} with etype ${ticket.encPart.etype} in the keytab`);
  // The ticket names its key version; use that one when the keytab has it, else try them all (newest first).
  const byVersion = candidates.filter((k) => k.kvno === ticket.encPart.kvno);
  const tries = (byVersion.length > 0 ? byVersion : candidates).toSorted((a, b) => b.kvno - a.kvno);
  let encTicket: Buffer | undefined;
  for (const entry of tries) {
    try {
      encTicket = keyOf(entry.etype, entry.key, `keytab key of ${server}`).decrypt(KeyUsage.TICKET, ticket.encPart.cipher);
      break;
    } catch (err) {
      if (!(err instanceof KerberosCryptoError)) throw err;
    }
  }
  if (!encTicket) throw new KerberosAuthError(`ticket for ${server} does not open with the keytab's key (kvno ${ticket.encPart.kvno ?? 'unset'}); is the keytab current?`);
  const part = decodeEncTicketPart(encTicket);
  const sessionKey = keyOf(part.key.etype, part.key.key, 'ticket session key');
  let plainAuthenticator: Buffer;
  try {
    plainAuthenticator = sessionKey.decrypt(KeyUsage.AP_REQ_AUTHENTICATOR, apReq.authenticator.cipher);
  } catch (err) {
    if (err instanceof KerberosCryptoError) throw new KerberosAuthError('authenticator does not open with the ticket\'s session key');
    throw err;
  }
  const auth = decodeAuthenticator(plainAuthenticator);
  const client = principalText(part.cname.components, part.crealm);
  if (auth.crealm !== part.crealm || !sameName(auth.cname, part.cname)) throw new KerberosAuthError(`authenticator's client differs from the ticket's (${client})`);
  if (Math.abs(auth.ctimeMs - nowMs) > skew) throw new KerberosAuthError(`authenticator of ${client} is outside the ${skew / 1000} s clock skew (clocks out of sync?)`);
  if ((part.starttimeMs ?? part.authtimeMs) - skew > nowMs) throw new KerberosAuthError(`ticket of ${client} is not yet valid`);
  if (part.endtimeMs + skew < nowMs) throw new KerberosAuthError(`ticket of ${client} has expired`);
  const flags = gssFlagsOf(auth.checksum);
  const replay = options.replayCache.check(apReq.authenticator.cipher, nowMs, auth.ctimeMs + skew);
  if (replay === 'replay') throw new KerberosAuthError(`authenticator of ${client} was already used (replay)`);
  if (replay === 'full') throw new KerberosAuthError('replay cache is full; try again later');
  const contextKey = auth.subkey ? keyOf(auth.subkey.etype, auth.subkey.key, 'authenticator subkey') : sessionKey;
  const mutual = apReq.mutualRequired || (flags & GSS_MUTUAL_FLAG) !== 0;
  // The acceptor's first sequence number travels in the AP-REP; without one the initiator assumes its
  // own (RFC 1964 1.2.1.2, as MIT and Java do), so the acceptor must start from that.
  const sequence = mutual ? random(4).readUInt32BE(0) & 0x3fff_ffff : (auth.seqNumber ?? 0);
  let replyToken: Buffer | undefined;
  if (mutual) {
    const encPart = encodeEncApRepPart({ ctimeMs: auth.ctimeMs, cusec: auth.cusec, seqNumber: sequence });
    replyToken = apRepToken(encodeApRep(sessionKey.etype, sessionKey.encrypt(KeyUsage.AP_REP_ENC_PART, encPart, random(CONFOUNDER_BYTES))));
  }
  return { client: { components: part.cname.components, realm: part.crealm }, replyToken, context: new GssContext(contextKey, BigInt(sequence)) };
}

function keyOf(etype: number, key: Buffer, what: string): KerberosKey {
  const k = kerberosKey(etype, key);
  if (!k) throw new KerberosAuthError(`${what} has etype ${etype} (${key.length} bytes); Skein serves ${SERVED_ETYPES}`);
  return k;
}
