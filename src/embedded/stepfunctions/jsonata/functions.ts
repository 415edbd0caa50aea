/**
 * The functions Step Functions adds to JSONata (developer guide, "JSONata functions provided by
 * Step Functions"): `$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`; and `$eval`,
 * which Step Functions removes (use `$parse`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { QueryEvaluationError } from './errors.ts';

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** A seeded generator for `$random(seed)`: the same seed gives the same number (mulberry32). */
function seededRandom(seed: number): number {
  let t = (Math.trunc(seed) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function range(start: number, end: number, step = 1): number[] {
  if (![start, end, step].every(Number.isInteger) || step === 0) {
    throw new QueryEvaluationError('$range takes integer start, end and a non-zero integer step');
  }
  const values: number[] = [];
  for (let value = start; step > 0 ? value <= end : value >= end; value += step) values.push(value);
  if (values.length > 1000) throw new QueryEvaluationError('$range returns at most 1000 items');
  return values;
}

function hash(data: unknown, algorithm: unknown): string {
  const name = typeof algorithm === 'string' ? HASH_ALGORITHMS[algorithm] : undefined;
  if (!name) {
    throw new QueryEvaluationError(
      `$hash algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}; got ${JSON.stringify(algorithm)}`,
    );
  }
  if (typeof data !== 'string') throw new QueryEvaluationError('$hash takes a string to hash');
  return createHash(name).update(data).digest('hex');
}

function parse(text: unknown): unknown {
  if (typeof text !== 'string') throw new QueryEvaluationError('$parse takes a JSON string');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new QueryEvaluationError(`$parse: ${(error as Error).message}`);
  }
}

const byPartition = new Map<string, Record<string, unknown>>();

/** The bindings, one object per partition: every expression of every state binds them. */
export function stepFunctionsFunctions(partition: string): Record<string, unknown> {
  let functions = byPartition.get(partition);
  if (!functions) {
    functions = functionsFor(partition);
    byPartition.set(partition, functions);
  }
  return functions;
}

function functionsFor(partition: string): Record<string, unknown> {
  return {
    partition,
    range,
    hash,
    random: (seed?: number) => (seed === undefined ? Math.random() : seededRandom(seed)),
    uuid: () => randomUUID(),
    parse,
    eval: () => {
      throw new QueryEvaluationError('$eval is not supported in Step Functions: use $parse');
    },
  };
}
