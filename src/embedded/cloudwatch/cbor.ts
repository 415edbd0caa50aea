/**
 * The subset of CBOR (RFC 8949) Smithy RPC v2 CBOR uses, for botocore's CloudWatch requests:
 * integers, floats (half, single, double), text and byte strings, arrays, maps, `true` / `false` /
 * `null`, and tag 1 (epoch-seconds timestamps, decoded as the number of seconds). Lengths may be
 * definite or indefinite. A body that is not well-formed (truncated, a length past its end, nesting
 * over 64 levels, a reserved encoding) is refused with CborError.
 *
 * Why not the AWS SDK's own codec (`@smithy/core/cbor`, the candidate library): it is a client's
 * decoder of trusted answers. Checked on 3.41.1, it accepts bytes after the item (`01 02 03`
 * decodes as 1) and recurses without a bound (20,000 nested arrays exhaust the stack). A server
 * reading hostile bodies needs both refused, and this subset is ~200 lines.
 */

export class CborError extends Error {
  override name = 'CborError';
}

const MAX_DEPTH = 64;
const BREAK = Symbol('break');

class Reader {
  offset = 0;
  readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  need(count: number): void {
    if (count < 0 || this.offset + count > this.bytes.length)
      throw new CborError(`CBOR body ends early at byte ${this.offset} (needs ${count} more).`);
  }

  /** The argument of an item's head: its value, its length, or undefined for indefinite. */
  argument(info: number): number | undefined {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (info === 31) return undefined;
    if (size === 0)
      throw new CborError(`Reserved CBOR additional information ${info} at byte ${this.offset}.`);
    this.need(size);
    const at = this.offset;
    this.offset += size;
    if (size === 1) return this.bytes.readUInt8(at);
    if (size === 2) return this.bytes.readUInt16BE(at);
    if (size === 4) return this.bytes.readUInt32BE(at);
    const big = this.bytes.readBigUInt64BE(at);
    if (big > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CborError('A CBOR integer is past what this service takes.');
    return Number(big);
  }

  item(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new CborError(`CBOR nested over ${MAX_DEPTH} levels.`);
    this.need(1);
    const head = this.bytes.readUInt8(this.offset++);
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) return this.simple(info);
    const argument = this.argument(info);
    switch (major) {
      case 0:
        return this.definite(argument);
      case 1:
        return -1 - this.definite(argument);
      case 2:
      case 3:
        return this.string(major, argument, depth);
      case 4: {
        const list: unknown[] = [];
        if (argument === undefined)
          for (let v = this.item(depth + 1); v !== BREAK; v = this.item(depth + 1)) list.push(v);
        else {
          this.need(argument); // every item takes a byte at least
          for (let i = 0; i < argument; i++) list.push(this.value(depth + 1));
        }
        return list;
      }
      case 5: {
        const map: Record<string, unknown> = {};
        const entry = (key: unknown) => {
          if (typeof key !== 'string') throw new CborError('A CBOR map key is not a text string.');
          Object.defineProperty(map, key, {
            value: this.value(depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        };
        if (argument === undefined)
          for (let k = this.item(depth + 1); k !== BREAK; k = this.item(depth + 1)) entry(k);
        else {
          this.need(argument * 2);
          for (let i = 0; i < argument; i++) entry(this.value(depth + 1));
        }
        return map;
      }
      default: {
        // Tag: 1 is a timestamp (epoch seconds); other tags are passed through as their content.
        const content = this.value(depth + 1);
        if (argument === 1 && typeof content !== 'number')
          throw new CborError('CBOR tag 1 does not hold a number.');
        return content;
      }
    }
  }

  /** An item that must not be a break. */
  value(depth: number): unknown {
    const v = this.item(depth);
    if (v === BREAK) throw new CborError(`Unexpected CBOR break at byte ${this.offset - 1}.`);
    return v;
  }

  definite(argument: number | undefined): number {
    if (argument === undefined) throw new CborError('An indefinite length where CBOR allows none.');
    return argument;
  }

  string(major: number, argument: number | undefined, depth: number): string | Buffer {
    if (argument === undefined) {
      const parts: Buffer[] = [];
      for (let part = this.item(depth + 1); part !== BREAK; part = this.item(depth + 1)) {
        if (typeof part !== (major === 3 ? 'string' : 'object'))
          throw new CborError('A CBOR string chunk of the wrong type.');
        parts.push(typeof part === 'string' ? Buffer.from(part, 'utf8') : (part as Buffer));
      }
      const whole = Buffer.concat(parts);
      return major === 3 ? whole.toString('utf8') : whole;
    }
    this.need(argument);
    const slice = this.bytes.subarray(this.offset, this.offset + argument);
    this.offset += argument;
    return major === 3 ? slice.toString('utf8') : Buffer.from(slice);
  }

  simple(info: number): unknown {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22 || info === 23) return null;
    if (info === 31) return BREAK;
    const size = info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) throw new CborError(`Unsupported CBOR simple value ${info}.`);
    this.need(size);
    const at = this.offset;
    this.offset += size;
    if (size === 2) return halfFloat(this.bytes.readUInt16BE(at));
    return size === 4 ? this.bytes.readFloatBE(at) : this.bytes.readDoubleBE(at);
  }
}

function halfFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Decodes one CBOR item that fills `bytes`. */
export function decodeCbor(bytes: Buffer): unknown {
  const reader = new Reader(bytes);
  const value = reader.value(0);
  if (reader.offset !== bytes.length)
    throw new CborError(`${bytes.length - reader.offset} bytes after the CBOR item.`);
  return value;
}

function head(major: number, argument: number): Buffer {
  if (argument < 24) return Buffer.from([(major << 5) | argument]);
  if (argument < 0x100) return Buffer.from([(major << 5) | 24, argument]);
  if (argument < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(argument, 1);
    return b;
  }
  if (argument < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(argument, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = (major << 5) | 27;
  b.writeBigUInt64BE(BigInt(argument), 1);
  return b;
}

/** A number under key `key` that is a timestamp (epoch seconds) in this service's outputs. */
const isTimestampKey = (key: string | undefined) => key !== undefined && /Timestamps?$/.test(key);

function encodeNumber(value: number): Buffer {
  if (Number.isSafeInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value);
  const b = Buffer.alloc(9);
  b[0] = 0xfb;
  b.writeDoubleBE(value, 1);
  return b;
}

/**
 * Encodes a JSON-like value. Numbers under a key ending in `Timestamp` or `Timestamps` (the
 * timestamps of CloudWatch's outputs, epoch seconds) are written as tag 1, as RPC v2 CBOR wants.
 */
export function encodeCbor(value: unknown, key?: string): Buffer {
  if (value === null || value === undefined) return Buffer.from([0xf6]);
  if (value === true) return Buffer.from([0xf5]);
  if (value === false) return Buffer.from([0xf4]);
  if (typeof value === 'number')
    return isTimestampKey(key)
      ? Buffer.concat([Buffer.from([0xc1]), encodeNumber(value)])
      : encodeNumber(value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value))
    return Buffer.concat([head(4, value.length), ...value.map((item) => encodeCbor(item, key))]);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return Buffer.concat([
    head(5, entries.length),
    ...entries.flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v, k)]),
  ]);
}
