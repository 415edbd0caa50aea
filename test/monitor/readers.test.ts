import { describe, expect, it } from 'vitest';
import { instrument, MetricUnit } from '../../lambdas/shared/telemetry.ts';
import { parseCaptureLine, topProbability } from '../../src/monitor/sources/capture-record.ts';
import { captureKeyInRange } from '../../src/monitor/sources/collect.ts';
import { parseEmfLine } from '../../src/monitor/sources/emf.ts';
import { labelIndex, parseGroundTruthLine } from '../../src/monitor/sources/ground-truth.ts';
import { LineSplitter, MAX_LINE_BYTES } from '../../src/monitor/sources/s3-lines.ts';
import { parseTime, parseTimeRange } from '../../src/monitor/time-range.ts';
import { groundTruthLine } from '../../src/review/decisions.ts';
import { METRIC, METRICS_NAMESPACE } from '../../src/workflow/metrics.ts';

const captureLine = (output: unknown, encoding: 'JSON' | 'BASE64' = 'JSON', metadata: object = {}) =>
  JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'image/png',
        mode: 'INPUT',
        data: 'iVBORw0=',
        encoding: 'BASE64',
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data:
          encoding === 'JSON'
            ? JSON.stringify(output)
            : Buffer.from(JSON.stringify(output)).toString('base64'),
        encoding,
      },
    },
    eventMetadata: { eventId: 'e-1', inferenceTime: '2026-11-26T10:00:05Z', ...metadata },
    eventVersion: '0',
  });

describe('capture records', () => {
  it('reads JSON, base64 and {prediction} outputs, with the inference id when there is one', () => {
    expect(parseCaptureLine(captureLine([0.9, 0.1], 'JSON', { inferenceId: 'exec-1' }))).toEqual({
      inference: {
        timeMs: Date.parse('2026-11-26T10:00:05Z'),
        probabilities: [0.9, 0.1],
        inferenceId: 'exec-1',
        eventId: 'e-1',
      },
    });
    const old = parseCaptureLine(captureLine({ prediction: [0.3, 0.7] }, 'BASE64'));
    expect(old).toMatchObject({ inference: { probabilities: [0.3, 0.7], eventId: 'e-1' } });
    expect('inference' in old && 'inferenceId' in old.inference).toBe(false);
  });

  it('says why a line is no inference instead of failing', () => {
    expect(parseCaptureLine('{"captureData": ')).toEqual({ skipped: 'not JSON' });
    expect(parseCaptureLine('{}')).toEqual({ skipped: 'no endpoint output' });
    expect(parseCaptureLine(captureLine(['a', 'b']))).toEqual({
      skipped: 'output is not a list of probabilities',
    });
    expect(parseCaptureLine(captureLine('not json', 'JSON').replace('"\\"not json\\""', '"{oops"'))).toEqual({
      skipped: 'output is not a list of probabilities',
    });
    expect(parseCaptureLine(captureLine([0.5, 0.5], 'JSON', { inferenceTime: 'yesterday' }))).toEqual({
      skipped: 'no inference time',
    });
  });

  it('takes the first of tied top probabilities, as the classify Lambda does', () => {
    expect(topProbability([0.5, 0.5])).toEqual({ index: 0, confidence: 0.5 });
    expect(topProbability([0.1, 0.2, 0.7])).toEqual({ index: 2, confidence: 0.7 });
  });

  it('skips capture files whose hour folder cannot hold the range', () => {
    const key = 'data_capture/ep/AllTraffic/2026/11/26/10/05-00-000-uuid.jsonl';
    expect(captureKeyInRange(key, {})).toBe(true);
    expect(captureKeyInRange(key, { since: Date.parse('2026-11-26T10:30:00Z') })).toBe(true);
    expect(captureKeyInRange(key, { since: Date.parse('2026-11-26T13:00:00Z') })).toBe(false);
    expect(captureKeyInRange(key, { until: Date.parse('2026-11-26T08:00:00Z') })).toBe(false);
    expect(captureKeyInRange('data_capture/ep/AllTraffic/2026/11/26/10/readme.txt', {})).toBe(false);
  });
});

describe('ground truth', () => {
  it('reads the merge format as scones review writes it, and names the class', () => {
    expect(parseGroundTruthLine(groundTruthLine('motorcycle', 'exec-1'))).toEqual({
      eventId: 'exec-1',
      label: 'motorcycle',
    });
    const json = JSON.stringify({
      groundTruthData: { data: '1', encoding: 'JSON' },
      eventMetadata: { eventId: 'x' },
    });
    expect(parseGroundTruthLine(json)).toEqual({ eventId: 'x', label: '1' });
    expect(labelIndex('Motorcycle', ['bicycle', 'motorcycle'])).toBe(1);
    expect(labelIndex('1', ['bicycle', 'motorcycle'])).toBe(1);
    expect(labelIndex('neither', ['bicycle', 'motorcycle'])).toBe('unusable');
    expect(labelIndex('7', ['bicycle', 'motorcycle'])).toBe('unusable');
  });

  it('says why a line is no label', () => {
    expect(parseGroundTruthLine('nope')).toEqual({ skipped: 'not JSON' });
    expect(parseGroundTruthLine('{"groundTruthData": {"data": "bicycle"}}')).toEqual({
      skipped: 'no eventMetadata.eventId',
    });
    expect(parseGroundTruthLine('{"groundTruthData": {}, "eventMetadata": {"eventId": "a"}}')).toEqual({
      skipped: 'no groundTruthData.data label',
    });
  });
});

describe('EMF lines', () => {
  it('reads the metrics the Lambdas publish through Powertools, as CloudWatch would', async () => {
    const lines: string[] = [];
    const handler = instrument(
      'FilterInferences',
      { sink: (line) => lines.push(line), env: {} },
      async (_event, invocation) => {
        invocation.metric(METRIC.confidence, MetricUnit.NoUnit, 0.62);
        invocation.metric(METRIC.decisions, MetricUnit.Count, 1, { route: 'manual-review' });
        return 'done';
      },
    );
    await handler({ inference_id: 'exec-1' });
    const points = lines.flatMap((line) => parseEmfLine(line) ?? []);
    const decision = points.find((p) => p.name === METRIC.decisions);
    expect(decision).toMatchObject({ namespace: METRICS_NAMESPACE, unit: 'Count', values: [1] });
    expect(decision?.dimensions).toMatchObject({ route: 'manual-review', function_name: 'FilterInferences' });
    expect(points.find((p) => p.name === METRIC.confidence)?.values).toEqual([0.62]);
    expect(typeof decision?.timeMs).toBe('number');
  });

  it('passes over log records and reads value arrays', () => {
    expect(parseEmfLine('{"level":"INFO","message":"decision"}')).toBeUndefined();
    expect(parseEmfLine('not json "_aws"')).toBeUndefined();
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          { Namespace: 'N', Dimensions: [[]], Metrics: [{ Name: 'ModelLatency', Unit: 'Milliseconds' }] },
        ],
      },
      ModelLatency: [3, 4, 'x'],
    });
    expect(parseEmfLine(line)).toEqual([
      {
        timeMs: 1,
        namespace: 'N',
        name: 'ModelLatency',
        unit: 'Milliseconds',
        dimensions: {},
        values: [3, 4],
      },
    ]);
  });
});

describe('line splitting of streamed objects', () => {
  it('joins lines across chunks, takes CRLF, skips blank and oversized lines', () => {
    const lines: string[] = [];
    const counts = { bytes: 0, oversized: 0 };
    const splitter = new LineSplitter((line) => lines.push(line), counts);
    for (const chunk of [
      '{"a":',
      '1}\r\n\n{"b"',
      ':2}\n',
      'x'.repeat(10),
      'x'.repeat(MAX_LINE_BYTES),
      '\n{"c":3}',
    ]) {
      splitter.push(Buffer.from(chunk));
    }
    splitter.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(counts.oversized).toBe(1);
  });
});

describe('time options', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('take ISO times and durations back from now', () => {
    expect(parseTime('2026-11-26T10:00:00Z', '--since', now)).toBe(Date.parse('2026-11-26T10:00:00Z'));
    expect(parseTime('90m', '--since', now)).toBe(now - 90 * 60_000);
    expect(parseTime('7d', '--since', now)).toBe(now - 7 * 86_400_000);
    expect(parseTime('now', '--until', now)).toBe(now);
  });

  it('name the option and the accepted forms when wrong', () => {
    expect(() => parseTime('last tuesday', '--since', now)).toThrow(
      /--since must be an ISO-8601 time .* got "last tuesday"/,
    );
    expect(() => parseTime('12', '--until', now)).toThrow(/--until/);
    expect(() => parseTimeRange({ since: '1h', until: '2h' }, now)).toThrow(
      /--since .* must be before --until/,
    );
  });
});
