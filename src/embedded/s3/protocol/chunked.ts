/**
 * Incremental decoder of the `aws-chunked` content encoding, the framing SDKs use for streamed
 * bodies (SigV4 streaming, optionally with trailing checksums):
 * `<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0[;..]\r\n<trailer: value>\r\n...\r\n`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html). Fed the body as it
 * arrives, it hands back the payload pieces without copying them; chunk signatures are not checked.
 */
import { s3Errors } from './errors.ts';

/** A chunk header or trailer line longer than this is not aws-chunked framing. */
const MAX_LINE_BYTES = 8192;

type State = 'header' | 'data' | 'data-end' | 'trailer' | 'done';

export class AwsChunkedDecoder {
  readonly trailers: Record<string, string> = {};
  #state: State = 'header';
  #line = '';
  #remaining = 0;
  /** Bytes of the CRLF after a chunk's data still to skip. */
  #crlf = 0;

  get done(): boolean {
    return this.#state === 'done';
  }

  /** The payload bytes in `chunk` (views into it), in order. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.#state) {
        case 'data': {
          const take = Math.min(this.#remaining, chunk.length - offset);
          out.push(chunk.subarray(offset, offset + take));
          offset += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#state = 'data-end';
            this.#crlf = 2;
          }
          break;
        }
        case 'data-end': {
          const expected = this.#crlf === 2 ? 0x0d : 0x0a;
          if (chunk[offset] !== expected) throw malformed();
          offset++;
          if (--this.#crlf === 0) this.#state = 'header';
          break;
        }
        case 'header':
        case 'trailer': {
          const end = chunk.indexOf(0x0a, offset);
          const piece = chunk.toString('latin1', offset, end < 0 ? chunk.length : end + 1);
          offset = end < 0 ? chunk.length : end + 1;
          this.#line += piece;
          if (this.#line.length > MAX_LINE_BYTES) throw malformed();
          if (end >= 0) this.#endOfLine();
          break;
        }
        case 'done':
          // Anything after the final empty line is not part of the framing.
          throw malformed();
      }
    }
    return out;
  }

  /** Throws IncompleteBody unless the final chunk arrived. */
  end(): void {
    if (this.#state === 'trailer' && this.#line === '') this.#state = 'done';
    if (this.#state !== 'done') throw s3Errors.incompleteBody();
  }

  #endOfLine(): void {
    if (!this.#line.endsWith('\r\n')) throw malformed();
    const line = this.#line.slice(0, -2);
    this.#line = '';
    if (this.#state === 'trailer') {
      if (line === '') {
        this.#state = 'done';
        return;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed();
      this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      return;
    }
    const sizeText = line.split(';', 1)[0] as string;
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) throw malformed();
    const size = Number.parseInt(sizeText, 16);
    if (size === 0) {
      this.#state = 'trailer';
      return;
    }
    this.#remaining = size;
    this.#state = 'data';
  }
}

function malformed() {
  return s3Errors.invalidRequest('The request body is not valid aws-chunked encoding.');
}

/** Whether the body is aws-chunked framed (by Content-Encoding or a STREAMING- payload hash). */
export function isAwsChunked(headers: { [name: string]: string | string[] | undefined }): boolean {
  const encoding = headers['content-encoding'];
  return (
    (typeof encoding === 'string' && /(^|,)\s*aws-chunked\s*(,|$)/.test(encoding)) ||
    String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')
  );
}
