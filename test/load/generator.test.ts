/**
 * The load generator without any server: keys, the ramp, and the drift kinds (seeded, the same
 * bytes for the same seed, and measurably stronger late in the ramp), plus the pacing options.
 */
import { describe, expect, it } from 'vitest';
import { DRIFT_KINDS, type DriftKind, degrade, parseDriftKind, type RawImage } from '../../src/load/drift.ts';
import { LoadImages, newRunId } from '../../src/load/generator.ts';
import { plannedUploads } from '../../src/load/pacing.ts';
import { parseRate, uploadPlanOf } from '../../src/load/plan-options.ts';
import type { SourceImage } from '../../src/load/source-images.ts';
import { seededRandom } from '../../src/monitor/statistics/sample.ts';
import { decodeRgb, readCifarRecord, rgbToPng } from '../lambdas/images.ts';

const LABELS: Record<number, string> = { 8: 'bicycle', 48: 'motorcycle' };

async function sources(count: number): Promise<SourceImage[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const record = await readCifarRecord(i);
      return {
        key: `datasets/cifar-100/test/${i}.png`,
        label: LABELS[record.fineLabel] ?? 'other',
        png: await rgbToPng(record.rgb),
        raw: { rgb: record.rgb, width: 32, height: 32 },
      };
    }),
  );
}

async function pixels(png: Buffer): Promise<Buffer> {
  const decoded = await decodeRgb(png);
  expect([decoded.width, decoded.height, decoded.channels]).toEqual([32, 32, 3]);
  return decoded.rgb;
}

const mean = (rgb: Uint8Array) => rgb.reduce((sum, x) => sum + x, 0) / rgb.length;
const meanAbsDiff = (a: Uint8Array, b: Uint8Array) =>
  a.reduce((sum, x, i) => sum + Math.abs(x - (b[i] as number)), 0) / a.length;
/** Mean absolute difference of horizontal neighbours: detail that a blur removes. */
function detail(rgb: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < 32; y++) {
    for (let x = 1; x < 32; x++) {
      for (let c = 0; c < 3; c++) {
        sum += Math.abs((rgb[(y * 32 + x) * 3 + c] as number) - (rgb[(y * 32 + x - 1) * 3 + c] as number));
        n++;
      }
    }
  }
  return sum / n;
}

const STRENGTHS = [0, 0.25, 0.5, 0.75, 1];

async function ramp(image: RawImage, kind: DriftKind): Promise<Buffer[]> {
  // One seed for every strength, so only the strength differs.
  return Promise.all(STRENGTHS.map(async (s) => pixels(await degrade(image, kind, s, seededRandom(7)))));
}

function expectMonotone(values: number[], direction: 'up' | 'down') {
  for (let i = 1; i < values.length; i++) {
    if (direction === 'up') expect(values[i], values.join(', ')).toBeGreaterThan(values[i - 1] as number);
    else expect(values[i], values.join(', ')).toBeLessThan(values[i - 1] as number);
  }
}

describe('drift kinds', () => {
  it('get stronger along the ramp, each by its own measure', async () => {
    const [source] = await sources(1);
    const image = source?.raw as RawImage;
    const original = image.rgb;
    expectMonotone((await ramp(image, 'brightness')).map(mean), 'down');
    expectMonotone(
      (await ramp(image, 'noise')).map((rgb) => meanAbsDiff(rgb, original)),
      'up',
    );
    expectMonotone((await ramp(image, 'blur')).slice(1).map(detail), 'down');
    expectMonotone(
      (await ramp(image, 'occlusion')).map((rgb) => meanAbsDiff(rgb, original)),
      'up',
    );
    // Strength 0 leaves the pixels as they were (the PNG is re-encoded, losslessly).
    for (const kind of DRIFT_KINDS) {
      expect((await ramp(image, kind))[0]?.equals(Buffer.from(original)), kind).toBe(true);
    }
  });

  it('are seeded: the same seed gives the same bytes, another seed other bytes', async () => {
    const [source] = await sources(1);
    const image = source?.raw as RawImage;
    for (const kind of ['noise', 'occlusion'] as const) {
      const a = await degrade(image, kind, 0.8, seededRandom(1));
      const b = await degrade(image, kind, 0.8, seededRandom(1));
      const c = await degrade(image, kind, 0.8, seededRandom(2));
      expect(a.equals(b), kind).toBe(true);
      expect(a.equals(c), kind).toBe(false);
    }
  });

  it('names the kinds it knows when given another', () => {
    expect(parseDriftKind('blur')).toBe('blur');
    expect(() => parseDriftKind('fog')).toThrow(
      /--drift must be one of brightness, noise, blur, occlusion; got "fog"/,
    );
  });
});

describe('load images', () => {
  it('gives unique keys under the run prefix, with the true label, and ramps from 0 to 1', async () => {
    const images = new LoadImages(await sources(6), {
      seed: 3,
      total: 120,
      runId: 'test-run',
      intakePrefix: 'incoming/',
      drift: 'blur',
    });
    const all = await Promise.all(Array.from({ length: 120 }, (_, i) => images.at(i)));
    expect(new Set(all.map((image) => image.key)).size).toBe(120);
    expect(all[7]?.key).toMatch(/^incoming\/load-test-run\/007-(bicycle|motorcycle)\.png$/);
    for (const image of all) expect(image.key.endsWith(`-${image.label}.png`)).toBe(true);
    expect(all[0]?.strength).toBe(0);
    expect(all[119]?.strength).toBe(1);
    expect(all[60]?.strength).toBeCloseTo(60 / 119, 10);
    // Several source images are drawn, not one.
    expect(new Set(all.map((image) => image.sourceKey)).size).toBeGreaterThan(3);
  });

  it('reproduces a run byte for byte from its seed and count, whatever the order', async () => {
    const pool = await sources(6);
    const spec = { total: 40, intakePrefix: 'incoming/', drift: 'noise' as const };
    const first = new LoadImages(pool, { ...spec, seed: 9, runId: 'a' });
    const second = new LoadImages(pool, { ...spec, seed: 9, runId: 'b' });
    const other = new LoadImages(pool, { ...spec, seed: 10, runId: 'c' });
    const forward = await Promise.all(Array.from({ length: 40 }, (_, i) => first.at(i)));
    const backward = await Promise.all(Array.from({ length: 40 }, (_, i) => second.at(39 - i)));
    backward.reverse();
    expect(forward.every((image, i) => image.body.equals(backward[i]?.body as Buffer))).toBe(true);
    const differing = await Promise.all(Array.from({ length: 40 }, (_, i) => other.at(i)));
    expect(
      differing.filter((image, i) => !image.body.equals(forward[i]?.body as Buffer)).length,
    ).toBeGreaterThan(30);
  });

  it('uploads the staged bytes untouched without a drift', async () => {
    const pool = await sources(3);
    const images = new LoadImages(pool, { seed: 1, total: 10, runId: 'r', intakePrefix: 'incoming/' });
    for (let i = 0; i < 10; i++) {
      const image = await images.at(i);
      expect(image.strength).toBe(0);
      expect(pool.some((source) => source.png === image.body)).toBe(true);
    }
  });

  it('makes run ids that sort by time and are safe in keys', () => {
    const id = newRunId(new Date('2026-11-26T10:15:02.345Z'));
    expect(id).toMatch(/^20261126-101502-[0-9a-f]{4}$/);
    expect(newRunId()).not.toBe(newRunId());
  });
});

describe('pacing options', () => {
  it('reads rates per second and per minute', () => {
    expect(parseRate('50/s')).toBe(50);
    expect(parseRate('50')).toBe(50);
    expect(parseRate('3000/m')).toBe(50);
    expect(() => parseRate('fast')).toThrow(/--rate must be uploads per second or minute/);
    expect(() => parseRate('0/s')).toThrow(/--rate/);
  });

  it('makes a burst or a stream, and says what is missing or contradictory', () => {
    expect(uploadPlanOf({ count: 1000 })).toEqual({ mode: 'burst', count: 1000, concurrency: 32 });
    const stream = uploadPlanOf({ rate: '50/s', duration: '2m' });
    expect(stream).toMatchObject({ mode: 'stream', ratePerSecond: 50, durationMs: 120_000 });
    expect(plannedUploads(stream)).toBe(6000);
    expect(() => uploadPlanOf({})).toThrow(/--count N for a burst, or --rate R --duration D/);
    expect(() => uploadPlanOf({ rate: '5/s' })).toThrow(/--rate R --duration D/);
    expect(() => uploadPlanOf({ count: 5, rate: '5/s', duration: '1s' })).toThrow(/not both/);
    expect(() => uploadPlanOf({ count: 0 })).toThrow(/--count must be a whole number from 1/);
    expect(() => uploadPlanOf({ rate: '5/s', duration: 'soon' })).toThrow(/--duration must be a duration/);
  });
});
