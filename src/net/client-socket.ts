// A client's connection whose frames arrive through a FrameReader: plaintext reads land where the reader
// chooses (onread), a TLS socket's decrypted chunks are copied in. Skein's Kafka and ZooKeeper clients
// both open theirs here.
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls, type SecureContextOptions } from 'node:tls';
import { onreadFor, type FrameReader } from './frame-reader.js';

/** TLS for a client connection. The server's certificate chain is always verified. */
export interface ConnectTls {
  /** Key material: this side's certificate (for servers that ask), the certificates trusted, protocols, ciphers. */
  options: SecureContextOptions;
  /** Check the certificate names the host connected to (Kafka's ssl.endpoint.identification.algorithm=https). */
  verifyHostname: boolean;
}

/** The socket, and the event that says it is ready for requests ('secureConnect' once TLS is up). */
export function connectFramed(host: string, port: number, frames: FrameReader, tls: ConnectTls | undefined): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  if (!tls) return { socket: connect({ host, port, onread: onreadFor(frames) }), ready: 'connect' };
  const socket = connectTls({
    host,
    port,
    ...tls.options,
    // SNI takes host names only.
    servername: isIP(host) ? undefined : host,
    ...(!tls.verifyHostname && { checkServerIdentity: () => undefined }),
  });
  socket.on('data', (chunk: Buffer) => frames.push(chunk));
  return { socket, ready: 'secureConnect' };
}
