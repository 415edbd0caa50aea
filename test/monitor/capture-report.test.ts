import { describe, expect, it } from 'vitest';
import {
  confidenceOverTime,
  parseCaptureFile,
  renderConfidenceChart,
} from '../../src/monitor/capture-report.ts';

const line = (time: string, output: unknown, encoding: 'JSON' | 'BASE64' = 'JSON') =>
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
    eventMetadata: { eventId: 'e', inferenceTime: time },
    eventVersion: '0',
  });

describe('capture report', () => {
  it('reads JSON, base64 and jsonlines outputs of SageMaker capture files', () => {
    const text = [
      line('2026-11-26T10:00:05Z', [0.9, 0.1]),
      line('2026-11-26T10:00:30Z', [0.3, 0.7], 'BASE64'),
      line('2026-11-26T10:01:10Z', { prediction: [0.55, 0.45] }),
      '',
    ].join('\n');
    expect(parseCaptureFile(text).map((i) => i.probabilities)).toEqual([
      [0.9, 0.1],
      [0.3, 0.7],
      [0.55, 0.45],
    ]);
  });

  it('sums up confidence and the share below the threshold per time bucket', () => {
    const inferences = parseCaptureFile(
      [
        line('2026-11-26T10:00:05Z', [0.9, 0.1]),
        line('2026-11-26T10:00:30Z', [0.3, 0.7]),
        line('2026-11-26T10:01:10Z', [0.55, 0.45]),
      ].join('\n'),
    );
    const points = confidenceOverTime(inferences, 1, 0.8);
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ count: 2, belowThreshold: 0.5 });
    expect(points[0]?.meanConfidence).toBeCloseTo(0.8);
    expect(points[1]).toMatchObject({ count: 1, meanConfidence: 0.55, belowThreshold: 1 });
    expect(renderConfidenceChart(points, 0.8)).toContain('threshold 0.8');
  });
});
