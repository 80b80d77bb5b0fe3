// One request, one response, over a fresh connection: for tests that need exact control of what is sent.
import { connect } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, type ApiKey, type RequestInputOf, type ResponseOf } from '../../protocol/kafka/index.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';

export async function kafkaRequest<K extends ApiKey>(
  bootstrap: string,
  apiKey: K,
  apiVersion: number,
  body: RequestInputOf<K>,
): Promise<ResponseOf<K>> {
  const [host, port] = bootstrap.split(':') as [string, string];
  const frame = Buffer.concat(encodeRequestFrame({ apiKey, apiVersion, correlationId: 1, clientId: 'skein-test' }, body));
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(Buffer.concat([size, frame])));
    const decoder = new FrameDecoder(1 << 30);
    socket.on('data', (chunk) => {
      const [response] = decoder.push(chunk);
      if (!response) return;
      socket.end();
      resolve(decodeResponseFrame(apiKey, apiVersion, response).body);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before a response')));
  });
}
