/**
 * What the local endpoint serves. A predictor turns one request body into class probabilities;
 * the server owns HTTP, content negotiation, faults and capture, so the stub and the real model
 * are interchangeable behind the same SageMaker contract.
 */
import { createHash } from 'node:crypto';

export interface Predictor {
  /** Whether the model is loaded; drives `GET /ping` (200 or 503). */
  ready(): boolean;
  /** Class probabilities in class-index order. Throws `ModelInputError` for undecodable input. */
  predict(body: Buffer, contentType: string): Promise<number[]>;
}

/**
 * The request cannot be evaluated (not an image, truncated, unsupported type). The container
 * answers it with `statusCode`, which SageMaker Runtime reports as `ModelError` 424 with
 * `OriginalStatusCode`.
 */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
  readonly statusCode: number;

  constructor(message: string, statusCode = 400) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** A scripted answer: probabilities, or an error the predictor throws for that request. */
export type ScriptedResponse = number[] | Error;

export interface StubPredictorOptions {
  /** Classes of the default hash rule (default 2: bicycle, motorcycle). */
  classCount?: number;
  /** Always answer these probabilities. */
  probabilities?: number[];
  /** Compute the answer from the request. */
  predict?: (body: Buffer, contentType: string) => number[] | Promise<number[]>;
  /** Answers consumed one per request, before any other rule. */
  script?: ScriptedResponse[];
  /** Refuse bodies that are not PNG or JPEG, as the image model does (default true). */
  requireImage?: boolean;
}

/** JSON form of a stub's rules, for steering a stub in another process over HTTP. */
export interface StubRules {
  probabilities?: number[] | null;
  script?: (number[] | { error: string; statusCode?: number })[];
  ready?: boolean;
  /** Back to the default hash rule and an empty script. */
  reset?: boolean;
}

export interface StubPredictor extends Predictor {
  setProbabilities(probabilities: number[] | undefined): void;
  setPredict(predict: StubPredictorOptions['predict']): void;
  /** Appends scripted answers. */
  script(...responses: ScriptedResponse[]): void;
  setReady(ready: boolean): void;
  /** Default hash rule, empty script, ready. */
  reset(): void;
  applyRules(rules: StubRules): void;
  readonly calls: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

export function looksLikeImage(body: Buffer): boolean {
  return (
    body.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) ||
    body.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE)
  );
}

/**
 * Probabilities derived from the bytes: the same image always gets the same answer, and
 * different images spread over the whole range (confident either way, or not).
 */
export function hashProbabilities(body: Buffer, classCount: number): number[] {
  const digest = createHash('sha256').update(body).digest();
  const weights = Array.from({ length: classCount }, (_, i) => digest.readUInt32BE((i * 4) % 32) + 1);
  if (classCount === 2) {
    const first = (weights[0] as number) / 2 ** 32;
    return [first, 1 - first];
  }
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

export function createStubPredictor(options: StubPredictorOptions = {}): StubPredictor {
  const classCount = options.classCount ?? 2;
  const requireImage = options.requireImage ?? true;
  let probabilities = options.probabilities;
  let predictFunction = options.predict;
  let queue: ScriptedResponse[] = [...(options.script ?? [])];
  let isReady = true;
  let calls = 0;

  return {
    ready: () => isReady,
    async predict(body, contentType) {
      calls++;
      const scripted = queue.shift();
      if (scripted instanceof Error) throw scripted;
      if (scripted) return [...scripted];
      if (requireImage && !looksLikeImage(body)) {
        throw new ModelInputError(
          `Unable to evaluate payload provided: not a PNG or JPEG image (${contentType})`,
        );
      }
      if (probabilities) return [...probabilities];
      if (predictFunction) return predictFunction(body, contentType);
      return hashProbabilities(body, classCount);
    },
    setProbabilities(next) {
      probabilities = next;
    },
    setPredict(next) {
      predictFunction = next;
    },
    script(...responses) {
      queue.push(...responses);
    },
    setReady(ready) {
      isReady = ready;
    },
    reset() {
      probabilities = undefined;
      predictFunction = undefined;
      queue = [];
      isReady = true;
    },
    applyRules(rules) {
      if (rules.reset) this.reset();
      if (rules.probabilities !== undefined) probabilities = rules.probabilities ?? undefined;
      if (rules.ready !== undefined) isReady = rules.ready;
      for (const entry of rules.script ?? []) {
        queue.push(Array.isArray(entry) ? entry : new ModelInputError(entry.error, entry.statusCode));
      }
    },
    get calls() {
      return calls;
    },
  };
}

/** The stub's rules check only the shape; a wrong shape is named in the error. */
export function parseStubRules(value: unknown): StubRules {
  if (typeof value !== 'object' || value === null)
    throw new TypeError('predictor rules must be a JSON object');
  const rules = value as Record<string, unknown>;
  const isProbabilities = (entry: unknown) =>
    Array.isArray(entry) && entry.every((p) => typeof p === 'number' && Number.isFinite(p));
  if (
    rules.probabilities !== undefined &&
    rules.probabilities !== null &&
    !isProbabilities(rules.probabilities)
  ) {
    throw new TypeError('predictor.probabilities must be a list of numbers or null');
  }
  if (rules.script !== undefined) {
    const valid =
      Array.isArray(rules.script) &&
      rules.script.every(
        (entry) => isProbabilities(entry) || (typeof entry === 'object' && typeof entry?.error === 'string'),
      );
    if (!valid)
      throw new TypeError('predictor.script must be a list of number lists or {"error": "..."} objects');
  }
  if (rules.ready !== undefined && typeof rules.ready !== 'boolean')
    throw new TypeError('predictor.ready must be a boolean');
  return rules as StubRules;
}
