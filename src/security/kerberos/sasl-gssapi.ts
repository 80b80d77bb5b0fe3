// The server side of SASL GSSAPI (RFC 4752) over the Kerberos acceptor, as Java's GssKrb5Server runs it
// for Kafka and ZooKeeper: the client's initial context token is answered with the AP-REP token (or an
// empty token); the client's next token (empty) with a Wrap token of the security layers offered (only
// "no security layer": Kafka and ZooKeeper protect the connection with TLS, not SASL) and the largest
// message accepted; the client's Wrap token choosing a layer (and naming an authorization id, which is
// ignored) completes the exchange. Errors are SaslGssapiError with a message fit for the client and the log.
import { randomBytes } from 'node:crypto';
import { acceptSecContext, KerberosAuthError, type AcceptorOptions, type GssContext, type KerberosClient } from './acceptor.js';
import { GssTokenError } from './gss-tokens.js';

export class SaslGssapiError extends Error {
  override readonly name = 'SaslGssapiError';
}

/** RFC 4752 3.3's security layer bit for "no security layer". */
const LAYER_NONE = 0x01;
/** The largest wrapped message offered to the client (Java's default receive buffer). */
const MAX_BUFFER_BYTES = 65_536;

/** The last step's challenge is null: RFC 4752 has the server say nothing more once the client chose its layer. */
export type GssapiStep = { done: false; challenge: Buffer } | { done: true; challenge: null; client: KerberosClient };

type State =
  | { name: 'context' }
  | { name: 'established'; context: GssContext; client: KerberosClient }
  | { name: 'layers'; context: GssContext; client: KerberosClient }
  | { name: 'done' };

export class SaslGssapiServer {
  private state: State = { name: 'context' };

  constructor(
    private readonly acceptor: AcceptorOptions,
    private readonly clock: () => number = Date.now,
    private readonly random: (bytes: number) => Buffer = randomBytes,
  ) {}

  respond(token: Buffer): GssapiStep {
    try {
      return this.step(token);
    } catch (err) {
      this.state = { name: 'done' };
      if (err instanceof KerberosAuthError || err instanceof GssTokenError) throw new SaslGssapiError(`GSSAPI: ${err.message}`);
      throw err;
    }
  }

  private step(token: Buffer): GssapiStep {
    const state = this.state;
    switch (state.name) {
      case 'context': {
        const accepted = acceptSecContext(this.acceptor, token, this.clock(), this.random);
        this.state = { name: 'established', context: accepted.context, client: accepted.client };
        return { done: false, challenge: accepted.replyToken ?? Buffer.alloc(0) };
      }
      case 'established': {
        // The client's answer to the AP-REP carries nothing (RFC 4752 3.1); offer the layers.
        const offer = Buffer.alloc(4);
        offer.writeUInt32BE(MAX_BUFFER_BYTES);
        offer[0] = LAYER_NONE;
        this.state = { name: 'layers', context: state.context, client: state.client };
        return { done: false, challenge: state.context.wrap(offer) };
      }
      case 'layers': {
        const answer = state.context.unwrap(token);
        if (answer.length < 4) throw new SaslGssapiError('GSSAPI: security layer answer is shorter than 4 bytes');
        if (answer[0] !== LAYER_NONE) throw new SaslGssapiError(`GSSAPI: client chose security layer 0x${answer[0]!.toString(16)}; only none (0x01) is offered`);
        // The authorization id after the 4 bytes is not used: Kafka's and ZooKeeper's callback handlers
        // authorize every client as the principal it authenticated as (kafka-python sends the service's
        // name there), so no client can act as someone else.
        this.state = { name: 'done' };
        return { done: true, challenge: null, client: state.client };
      }
      case 'done':
        throw new SaslGssapiError('GSSAPI: token after the exchange ended');
    }
  }
}
