/**
 * The n-th image of a load run, as a pure function of (seed, n, run size): which staged test image
 * it is, its key, and its bytes (degraded by the drift at the ramp's strength for n). Nothing
 * depends on upload order or concurrency, so the same seed and count give byte-identical images.
 *
 * Keys are unique per run: `<intake prefix>load-<run id>/<n>-<true label>.png`; the run id is new
 * for every run (time + random), the seed only decides the pictures.
 */
import { randomBytes } from 'node:crypto';
import { hash32, seededRandom } from '../monitor/statistics/index.ts';
import { type DriftKind, degrade } from './drift.ts';
import type { SourceImage } from './source-images.ts';

export interface GeneratorSpec {
  seed: number;
  /** Images in the run (the ramp goes from 0 at the first to 1 at the last). */
  total: number;
  drift?: DriftKind;
  runId: string;
  intakePrefix: string;
}

export interface GeneratedImage {
  index: number;
  key: string;
  /** True label of the source image. */
  label: string;
  /** The staged image it was drawn from. */
  sourceKey: string;
  body: Buffer;
  /** Drift strength applied, 0-1 (0 without drift). */
  strength: number;
}

/** e.g. `20261126-101502-3fa9`: sortable, and apart from any other run started the same second. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export class LoadImages {
  readonly spec: GeneratorSpec;
  /** Every key of the run starts with this. */
  readonly keyPrefix: string;
  readonly #sources: readonly SourceImage[];
  readonly #digits: number;

  constructor(sources: readonly SourceImage[], spec: GeneratorSpec) {
    if (sources.length === 0) throw new Error('a load run needs at least one source image');
    if (spec.drift && sources.some((source) => !source.raw)) {
      throw new Error('drift needs the source images decoded (loadTestSplit with decode)');
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(spec.runId)) throw new Error(`run id "${spec.runId}" is not key-safe`);
    this.spec = spec;
    this.#sources = sources;
    this.keyPrefix = `${spec.intakePrefix}load-${spec.runId}/`;
    this.#digits = String(Math.max(0, spec.total - 1)).length;
  }

  /** How far along the ramp image `index` is. */
  strengthAt(index: number): number {
    if (!this.spec.drift) return 0;
    return this.spec.total > 1 ? index / (this.spec.total - 1) : 1;
  }

  async at(index: number): Promise<GeneratedImage> {
    const random = seededRandom(hash32(`${this.spec.seed}:${index}`));
    const source = this.#sources[Math.floor(random() * this.#sources.length)] as SourceImage;
    const strength = this.strengthAt(index);
    const body =
      this.spec.drift && source.raw
        ? await degrade(source.raw, this.spec.drift, strength, random)
        : source.png;
    return {
      index,
      key: `${this.keyPrefix}${String(index).padStart(this.#digits, '0')}-${source.label}.png`,
      label: source.label,
      sourceKey: source.key,
      body,
      strength,
    };
  }
}
