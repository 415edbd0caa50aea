/**
 * The stub model of the local endpoint: a deterministic `Predictor` (src/workflow/predictor.ts)
 * whose answers tests and the control routes steer (pinned probabilities, a script of answers and
 * errors, readiness), so the stub and the real model are interchangeable behind the same contract.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ModelInputError } from '../../workflow/predictor.ts';
import type { ScriptedResponse, StubPredictor, StubPredictorOptions } from './types.ts';

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
      // Checked before anything changes, so a refused request leaves the stub as it was.
      const queued = (rules.reset ? 0 : queue.length) + (rules.script?.length ?? 0);
      if (queued > MAX_SCRIPTED_ANSWERS) {
        throw new RangeError(
          `predictor.script would queue ${queued} answers, over the ${MAX_SCRIPTED_ANSWERS} the stub holds; reset first`,
        );
      }
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

/** Bounds on what one control request can make the stub hold. */
export const MAX_CLASSES = 1000;
export const MAX_SCRIPTED_ANSWERS = 10_000;

const probabilitiesSchema = z
  .array(z.number(), { error: 'must be a list of numbers' })
  .min(1, { error: 'must hold at least one probability' })
  .max(MAX_CLASSES, { error: `must hold at most ${MAX_CLASSES} probabilities` });

/** The message of an object schema's own issues: a wrong type, or fields it does not know. */
export function objectIssue(issue: { code?: string; keys?: readonly PropertyKey[] }): string {
  if (issue.code === 'unrecognized_keys') {
    return `has unknown field(s) ${(issue.keys ?? []).map((key) => JSON.stringify(String(key))).join(', ')}`;
  }
  return 'must be a JSON object';
}

/** JSON shape of `StubRules`; unknown fields are refused, so a typo is not silently ignored. */
export const stubRulesSchema = z.strictObject(
  {
    probabilities: z
      .union([probabilitiesSchema, z.null()], { error: 'must be a list of numbers or null' })
      .optional(),
    script: z
      .array(
        z.union(
          [
            probabilitiesSchema,
            z.strictObject(
              { error: z.string().max(4096), statusCode: z.int().min(400).max(599).optional() },
              { error: objectIssue },
            ),
          ],
          { error: 'entries must be number lists or {"error": "...", "statusCode": 4xx|5xx} objects' },
        ),
        { error: 'must be a list of number lists or {"error": "..."} objects' },
      )
      .max(MAX_SCRIPTED_ANSWERS)
      .optional(),
    ready: z.boolean({ error: 'must be a boolean' }).optional(),
    reset: z.boolean({ error: 'must be a boolean' }).optional(),
  },
  { error: objectIssue },
);
