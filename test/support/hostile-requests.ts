/**
 * Hostile HTTP requests for any of the kit's local servers, at the byte level:
 * - `hostileRequest(target)`: a fast-check arbitrary of malformed requests, each tagged with its
 *   class (`HOSTILE_CLASSES`): malformed percent-encoding in path and query, odd and unknown
 *   methods, huge header values, many repeated headers, bad or contradictory Content-Length and
 *   Transfer-Encoding, truncated bodies, garbage bytes, NUL and control characters, very long
 *   URLs, path traversal (`..`, `%2e%2e`, `%2f`, `%00`, ...). Apart from its one defect a request is
 *   well formed (Host header, `Connection: close`), so most of them get past the HTTP parser and
 *   reach the server's own code, which is where crashes hide.
 * - `sendRaw(target, bytes)`: writes the bytes on a fresh TCP connection and reads whatever comes
 *   back until the server closes, one whole response has arrived, or the timeout passes. It never
 *   throws: resets, refusals and timeouts are outcomes.
 * - `sendSlowly(target, bytes)`: the same, dribbling the bytes (slowloris) to check header and
 *   request timeouts.
 *
 * Server-agnostic: a target is a host, a port and a base path (`/bucket` for S3, `` for the
 * endpoint); generated paths are the base path plus one of `routes`, then damaged.
 *
 *   const target = { host: '127.0.0.1', port, basePath: '/my-bucket' };
 *   await fc.assert(fc.asyncProperty(hostileRequest(target), async ({ bytes }) => {
 *     const outcome = await sendRaw(target, bytes);
 *     expect(outcome.status ?? 0).not.toBe(500);
 *   }));
 */
import { connect } from 'node:net';
import fc from 'fast-check';

export interface HttpTarget {
  host: string;
  port: number;
  /** Prefix of every generated path, without a trailing slash (`''` for the root). */
  basePath: string;
}

export const HOSTILE_CLASSES = [
  'percent-encoding',
  'method',
  'huge-header',
  'repeated-headers',
  'content-length',
  'transfer-encoding',
  'truncated-body',
  'garbage',
  'control-characters',
  'long-url',
  'path-traversal',
] as const;
export type HostileClass = (typeof HOSTILE_CLASSES)[number];

export interface HostileRequest {
  kind: HostileClass;
  bytes: Buffer;
}

/** A request as raw parts; every string is written as latin1, so any byte 0-255 can be sent. */
export interface RawRequest {
  method: string;
  /** The request target: a path with its query, as it goes on the request line. */
  target: string;
  headers: [string, string][];
  body?: Buffer;
  /** Line ending; `\n` alone is one of the defects. */
  eol?: string;
}

export function encodeRequest(request: RawRequest): Buffer {
  const eol = request.eol ?? '\r\n';
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const head = Buffer.from(`${lines.join(eol)}${eol}${eol}`, 'latin1');
  return request.body ? Buffer.concat([head, request.body]) : head;
}

export interface HostileOptions {
  /** Paths under `basePath` the requests aim at (default: the base path itself). */
  routes?: readonly string[];
  /** Restrict to some classes (default: all). */
  classes?: readonly HostileClass[];
  /** Sent with every request that has headers, e.g. a Content-Type the route expects. */
  headers?: readonly [string, string][];
}

/** One malformed request of a random class, aimed at one of the target's routes. */
export function hostileRequest(
  target: HttpTarget,
  options: HostileOptions = {},
): fc.Arbitrary<HostileRequest> {
  const routes = options.routes?.length ? options.routes : [''];
  const path = fc.constantFrom(...routes).map((route) => `${target.basePath}${route}` || '/');
  const base = { path, host: `${target.host}:${target.port}`, extra: options.headers ?? [] };
  const classes = options.classes ?? HOSTILE_CLASSES;
  return fc.oneof(
    ...classes.map((kind) =>
      CLASS_BUILDERS[kind](base).map((bytes): HostileRequest => ({ kind, bytes: Buffer.from(bytes) })),
    ),
  );
}

interface Base {
  path: fc.Arbitrary<string>;
  host: string;
  extra: readonly [string, string][];
}

const method = fc.constantFrom('GET', 'PUT', 'POST', 'HEAD', 'DELETE');
const smallBody = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes));

/** A well-formed request but for what the class changes. */
function request(base: Base, parts: Partial<RawRequest> & { target: string }): Buffer {
  const body = parts.body ?? Buffer.alloc(0);
  const headers = parts.headers ?? [['Content-Length', String(body.length)]];
  return encodeRequest({
    method: parts.method ?? 'POST',
    target: parts.target,
    headers: [['Host', base.host], ['Connection', 'close'], ...base.extra, ...headers],
    body,
    ...(parts.eol ? { eol: parts.eol } : {}),
  });
}

/** `text` with `insert` spliced in at a position chosen by `at` (0..1). */
function splice(text: string, insert: string, at: number): string {
  const index = Math.floor(at * (text.length + 1));
  return text.slice(0, index) + insert + text.slice(index);
}

const position = fc.double({ min: 0, max: 1, noNaN: true });

const BAD_ESCAPES = [
  '%',
  '%z',
  '%zz',
  '%g0',
  '%0',
  '%%',
  '%E0%A4', // truncated UTF-8 sequence
  '%C0%AF', // overlong '/'
  '%ED%A0%80', // UTF-16 surrogate
  '%FF%FE',
  '%u002e',
];

const TRAVERSALS = [
  '/..',
  '/../..',
  '/../../../../etc/passwd',
  '/%2e%2e',
  '/%2E%2E/%2e%2e',
  '/..%2f..%2f',
  '/%2f',
  '/%5c..%5c',
  '/..\\..',
  '/%00',
  '/a%00b',
  '/.%00.',
  '/./',
  '//',
  '/..;/',
  '/%252e%252e',
  '/.',
];

const ODD_METHODS = [
  'PROPFIND',
  'MKCOL',
  'PURGE',
  'SEARCH',
  'PATCH',
  'TRACE',
  'OPTIONS',
  'LINK',
  'M-SEARCH',
  'SOURCE',
  'QUERY',
  'REPORT',
  'CONNECT',
  'get',
  'Post',
  'FOO',
  'GETT',
  'G E T',
  'GET\u0000',
  '',
  'X'.repeat(300),
];

const CONTROL_CHARACTERS = ['\u0000', '\r', '\n', '\u0007', '\u001b', '\u007f', '\t', '\u0085', '\u00ff'];

const CLASS_BUILDERS: Record<HostileClass, (base: Base) => fc.Arbitrary<Buffer>> = {
  'percent-encoding': (base) =>
    fc
      .record({
        path: base.path,
        badEscape: fc.constantFrom(...BAD_ESCAPES),
        at: position,
        inQuery: fc.boolean(),
        verb: method,
      })
      .map(({ path, badEscape, at, inQuery, verb }) => {
        const target = inQuery
          ? `${path}?${splice('key=value&x-id=1', badEscape, at)}`
          : splice(path, badEscape, at);
        return request(base, { method: verb, target });
      }),

  method: (base) =>
    fc
      .tuple(fc.constantFrom(...ODD_METHODS), base.path, smallBody)
      .map(([verb, target, body]) => request(base, { method: verb, target, body })),

  'huge-header': (base) =>
    fc
      .record({
        path: base.path,
        size: fc.integer({ min: 4 * 1024, max: 80 * 1024 }),
        name: fc.constantFrom('X-Filler', 'Content-Type', 'Authorization', 'Cookie', 'X-Amz-Date', 'Accept'),
        fill: fc.constantFrom('a', '%', ',', ' ', '\u00e9'),
      })
      .map(({ path, size, name, fill }) =>
        request(base, {
          target: path,
          headers: [
            [name, fill.repeat(size)],
            ['Content-Length', '0'],
          ],
        }),
      ),

  'repeated-headers': (base) =>
    fc
      .record({
        path: base.path,
        count: fc.integer({ min: 50, max: 3000 }),
        name: fc.constantFrom('X-Repeat', 'Content-Type', 'Accept', 'Host', 'Authorization', 'X-Amz-Meta-A'),
      })
      .map(({ path, count, name }) => {
        const headers: [string, string][] = Array.from({ length: count }, (_, i) => [name, `v${i}`]);
        return request(base, { target: path, headers: [...headers, ['Content-Length', '0']] });
      }),

  'content-length': (base) =>
    fc
      .record({
        path: base.path,
        value: fc.constantFrom(
          '-1',
          'abc',
          '99999999999999999999999',
          '+5',
          ' 5 ',
          '0x10',
          '5, 6',
          '1e3',
          '',
          '4294967296',
        ),
        twice: fc.option(fc.constantFrom('0', '1', '7'), { nil: undefined }),
        body: smallBody,
      })
      .map(({ path, value, twice, body }) => {
        const headers: [string, string][] = [['Content-Length', value]];
        if (twice !== undefined) headers.push(['Content-Length', twice]);
        return request(base, { target: path, headers, body });
      }),

  'transfer-encoding': (base) =>
    fc
      .record({
        path: base.path,
        encoding: fc.constantFrom(
          'chunked',
          'Chunked',
          'chunked ',
          'gzip',
          'chunked, gzip',
          'identity',
          'xchunked',
        ),
        withLength: fc.boolean(),
        chunks: fc.constantFrom(
          '5\r\nhello\r\n0\r\n\r\n',
          'zz\r\nhello\r\n0\r\n\r\n',
          'ffffffffffffffffff\r\nx\r\n',
          '5;ext=1\r\nhello\r\n0\r\n\r\n',
          '5\r\nhel',
          '3\r\nhello\r\n0\r\n\r\n',
          '-1\r\n\r\n',
          '0\r\nTrailer: x\r\n\r\n',
        ),
      })
      .map(({ path, encoding, withLength, chunks }) => {
        const headers: [string, string][] = [['Transfer-Encoding', encoding]];
        if (withLength) headers.push(['Content-Length', '4']);
        return request(base, { target: path, headers, body: Buffer.from(chunks, 'latin1') });
      }),

  'truncated-body': (base) =>
    fc
      .record({ path: base.path, declared: fc.integer({ min: 1, max: 10_000_000 }), body: smallBody })
      .map(({ path, declared, body }) =>
        request(base, {
          target: path,
          headers: [
            ['Content-Type', 'image/png'],
            ['Content-Length', String(declared + body.length)],
          ],
          body,
        }),
      ),

  garbage: (base) =>
    fc
      .record({
        path: base.path,
        bytes: fc.uint8Array({ minLength: 1, maxLength: 512 }),
        after: fc.constantFrom('nothing', 'request-line', 'headers'),
      })
      .map(({ path, bytes, after }) => {
        const prefix =
          after === 'nothing'
            ? ''
            : after === 'request-line'
              ? `GET ${path} HTTP/1.1\r\n`
              : `POST ${path} HTTP/1.1\r\nHost: ${base.host}\r\nContent-Length: ${bytes.length}\r\n\r\n`;
        return Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(bytes)]);
      }),

  'control-characters': (base) =>
    fc
      .record({
        path: base.path,
        character: fc.constantFrom(...CONTROL_CHARACTERS),
        where: fc.constantFrom('path', 'header-name', 'header-value', 'bare-lf', 'no-colon', 'obs-fold'),
        at: position,
      })
      .map(({ path, character, where, at }) => {
        if (where === 'path') return request(base, { target: splice(path, character, at) });
        if (where === 'bare-lf') return request(base, { target: path, eol: '\n' });
        const headers: [string, string][] = [['Content-Length', '0']];
        if (where === 'header-name') headers.push([splice('X-Odd', character, at), 'v']);
        if (where === 'header-value') headers.push(['X-Odd', splice('value', character, at)]);
        if (where === 'no-colon') headers.push([`X-No-Colon${character}`, 'v']);
        if (where === 'obs-fold') headers.push(['X-Folded', `first\r\n ${character}second`]);
        return request(base, { target: path, headers });
      }),

  'long-url': (base) =>
    fc
      .record({
        path: base.path,
        size: fc.integer({ min: 2 * 1024, max: 100 * 1024 }),
        inQuery: fc.boolean(),
        fill: fc.constantFrom('a', '/', '%41', '..', '&a='),
      })
      .map(({ path, size, inQuery, fill }) => {
        const long = fill.repeat(Math.ceil(size / fill.length));
        return request(base, { method: 'GET', target: inQuery ? `${path}?q=${long}` : `${path}/${long}` });
      }),

  'path-traversal': (base) =>
    fc
      .record({
        path: base.path,
        traversal: fc.constantFrom(...TRAVERSALS),
        absolute: fc.boolean(),
        verb: method,
      })
      .map(({ path, traversal, absolute, verb }) => {
        const target = `${path}${traversal}`;
        return request(base, { method: verb, target: absolute ? `http://169.254.169.254${target}` : target });
      }),
};

export interface RawOutcome {
  /** Status of the first final (non-1xx) response, if one arrived. */
  status: number | undefined;
  /** Everything the server sent. */
  received: Buffer;
  /** How the exchange ended. */
  end: 'response' | 'closed' | 'reset' | 'timeout' | 'refused';
  /** The socket error's code, when there was one (ECONNRESET, EPIPE, ...). */
  errorCode?: string;
  elapsedMs: number;
  /** Bytes written before the exchange ended (for `sendSlowly`). */
  bytesSent: number;
}

export interface SendOptions {
  /** Give up (and destroy the socket) after this long; default 2000 ms. */
  timeoutMs?: number;
  /** Half-close the connection once everything is written (the server then sees EOF). */
  halfClose?: boolean;
}

/** Writes `bytes` on a new connection; resolves with what came back. Never rejects. */
export function sendRaw(target: HttpTarget, bytes: Buffer, options: SendOptions = {}): Promise<RawOutcome> {
  return exchange(target, options, (socket, sent) => {
    socket.write(bytes, () => {
      sent(bytes.length);
      if (options.halfClose) socket.end();
    });
  });
}

export interface SlowOptions extends SendOptions {
  /** Pause between writes (default 50 ms). */
  delayMs?: number;
  /** Bytes per write (default 1). */
  chunkSize?: number;
}

/** Writes `bytes` a few at a time (slowloris); stops writing once the server answers or closes. */
export function sendSlowly(
  target: HttpTarget,
  bytes: Buffer,
  options: SlowOptions = {},
): Promise<RawOutcome> {
  const delayMs = options.delayMs ?? 50;
  const chunkSize = options.chunkSize ?? 1;
  return exchange(target, options, (socket, sent, done) => {
    let offset = 0;
    const next = () => {
      if (done() || socket.destroyed || !socket.writable) return;
      if (offset >= bytes.length) {
        if (options.halfClose) socket.end();
        return;
      }
      const chunk = bytes.subarray(offset, offset + chunkSize);
      offset += chunk.length;
      socket.write(chunk, (error) => {
        if (error) return;
        sent(chunk.length);
        setTimeout(next, delayMs).unref();
      });
    };
    next();
  });
}

type Writer = (
  socket: ReturnType<typeof connect>,
  sent: (count: number) => void,
  done: () => boolean,
) => void;

function exchange(target: HttpTarget, options: SendOptions, write: Writer): Promise<RawOutcome> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytesSent = 0;
    let settled = false;
    let errorCode: string | undefined;
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => finish('timeout'), timeoutMs);

    function finish(end: RawOutcome['end']): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const received = Buffer.concat(chunks);
      resolve({
        status: finalStatus(received),
        received,
        end,
        ...(errorCode ? { errorCode } : {}),
        elapsedMs: performance.now() - started,
        bytesSent,
      });
    }

    socket.on('connect', () =>
      write(
        socket,
        (count) => {
          bytesSent += count;
        },
        () => settled,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (responseComplete(Buffer.concat(chunks))) finish('response');
    });
    socket.on('end', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      errorCode = error.code;
      finish(error.code === 'ECONNREFUSED' ? 'refused' : 'reset');
    });
    socket.on('close', () => finish('closed'));
  });
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/;

/** Status of the first non-1xx response in `received` (a server may send `100 Continue` first). */
export function finalStatus(received: Buffer): number | undefined {
  let rest = received.toString('latin1');
  for (;;) {
    const match = STATUS_LINE.exec(rest);
    if (!match) return undefined;
    const status = Number(match[1]);
    if (status >= 200 || status < 100) return status;
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    rest = rest.slice(headEnd + 4);
  }
}

/** Whether one whole final response (head plus a Content-Length body) has arrived. */
function responseComplete(received: Buffer): boolean {
  const text = received.toString('latin1');
  let offset = 0;
  for (;;) {
    const headEnd = text.indexOf('\r\n\r\n', offset);
    if (headEnd < 0) return false;
    const head = text.slice(offset, headEnd);
    const status = Number(STATUS_LINE.exec(head)?.[1]);
    if (status >= 100 && status < 200) {
      offset = headEnd + 4;
      continue;
    }
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return false; // chunked or close-delimited: wait for the close
    return received.length - (headEnd + 4) >= Number(length[1]);
  }
}
