import { connect, type Socket } from 'node:net';

/**
 * HTTP/1.1 spoken byte by byte over a plain socket, for what fetch and the openai client refuse to send: control
 * characters and bare CRs in headers, invalid UTF-8, bodies that never end, headers one byte at a time.
 */
export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The raw header block as received, to check that nothing injected was reflected. */
  head: string;
  body: string;
}

export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Everything the server sends until it closes the connection. Rejects if the server has not closed it within
 * `boundMs`: the bound keeps a hanging test finite, it is not a timing assertion.
 */
export function readUntilClosed(socket: Socket, boundMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for more than ${boundMs} ms`));
    }, boundMs);
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', () => undefined); // a reset after the answer is still a close
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(received));
    });
  });
}

/** Parses one HTTP/1.1 response (Content-Length or chunked body, or up to the close). */
export function parseResponse(bytes: Buffer): RawResponse {
  const text = bytes.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no complete response in ${JSON.stringify(text.slice(0, 200))}`);
  const head = text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = bytes.subarray(Buffer.byteLength(head, 'latin1') + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(statusLine.split(' ')[1]), headers, head, body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Sends one request (head and body as given, byte for byte, `Connection: close`) and reads the whole answer. */
export async function rawRequest(url: string, head: string, body: Buffer | string = ''): Promise<RawResponse> {
  const socket = await openSocket(url);
  const answer = readUntilClosed(socket);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  socket.write(Buffer.concat([Buffer.from(`${head}\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n`, 'latin1'), bytes]));
  return parseResponse(await answer);
}
