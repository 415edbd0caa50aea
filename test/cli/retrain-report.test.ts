/**
 * `scones retrain`'s report of an execution: a failed one is `outcome: "failed"` with its Error and
 * Cause and no candidate; a succeeded one is its output; the input carries only what was set.
 */
import { describe, expect, it } from 'vitest';
import {
  formatRetrainReport,
  retrainExecutionName,
  retrainInput,
  retrainReport,
} from '../../src/cli/retrain.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';

const record = (fields: Partial<ExecutionRecord>): ExecutionRecord => ({
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:scones-dev-model-retraining:r1',
  name: 'r1',
  status: 'SUCCEEDED',
  input: {},
  startDate: new Date(0),
  stopDate: new Date(1000),
  history: [],
  ...fields,
});

describe('scones retrain report', () => {
  it('a failed execution: outcome failed, its Error and Cause, no candidate', () => {
    const inService = { endpoint: 'e', endpoint_config: 'c1', model_data: null };
    const report = retrainReport(
      record({ status: 'FAILED', error: 'States.TaskFailed', cause: '{"FailureReason":"x"}' }),
      1500,
      inService,
    );
    expect(report).toMatchObject({
      outcome: 'failed',
      candidate: null,
      in_service: inService,
      error: 'States.TaskFailed',
      cause: '{"FailureReason":"x"}',
      execution: 'r1',
      duration_ms: 1500,
    });
    expect(formatRetrainReport(report)).toContain('States.TaskFailed: {"FailureReason":"x"}');
  });

  it('a succeeded execution: its output, with the execution beside it', () => {
    const output = {
      outcome: 'promoted',
      reason: 'passed the gate',
      candidate: { model_package_arn: 'arn:mp/1', status: 'Approved', training_job: 'j' },
      in_service: { endpoint: 'e', endpoint_config: 'j', model_data: 's3://b/m.tar.gz' },
    };
    const report = retrainReport(record({ output }), 10, null);
    expect(report).toMatchObject({ ...output, execution: 'r1', duration_ms: 10 });
    expect(formatRetrainReport(report)).toMatch(/^retraining r1: promoted/);
  });

  it('passes only the settings given, under the ASL names', () => {
    expect(retrainInput({})).toEqual({});
    expect(retrainInput({ epochs: 2, cleanMargin: 0.02, evaluationShare: 0.3 })).toEqual({
      epochs: 2,
      clean_margin: 0.02,
      evaluation_share: 0.3,
    });
  });

  it('names executions so the run names stay within SageMaker 63 characters', () => {
    const name = retrainExecutionName(new Date('2026-12-07T09:00:00.123Z'));
    expect(name).toMatch(/^retrain-20261207T090000Z-[0-9a-f]{4}$/);
    expect(`scones-production-rt-${name}`.length).toBeLessThanOrEqual(63);
  });
});
