/**
 * Model versions: the rollout timeline from a synthetic retraining history, attribution of
 * inferences before / during / after a canary and a rolled-back rollout, the section's rows, and
 * the SDK reader over fake Step Functions and SageMaker clients (no state-by-state history: the
 * endpoint config's creation time stands in for the rollout's start).
 */
import { describe, expect, it } from 'vitest';
import { rolloutFromHistory, sdkRetrainingHistory } from '../../src/monitor/sources/index.ts';
import {
  type AttributedInference,
  attributeInferences,
  buildTimeline,
  modelVersionLines,
  periodAt,
  type RetrainingExecution,
  type RetrainingHistory,
  summarizeVersions,
} from '../../src/monitor/versions/index.ts';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const at = (s: number) => T0 + s * 1000;
const GROUP = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-dev-image-classifier';

/** v1 rejected; v2 promoted through a canary (100 s → 160 s); v3 rolled back (300 s → 330 s). */
const HISTORY: RetrainingHistory = {
  executions: [
    {
      name: 'rejected-run',
      executionArn: 'arn:exec:rejected-run',
      status: 'SUCCEEDED',
      startMs: at(-600),
      stopMs: at(-500),
      outcome: 'rejected',
      candidateArn: `${GROUP}/1`,
      candidateModelData: 's3://b/rt-1/model.tar.gz',
    },
    {
      name: 'canary-run',
      executionArn: 'arn:exec:canary-run',
      status: 'SUCCEEDED',
      startMs: at(0),
      stopMs: at(160),
      outcome: 'promoted',
      candidateArn: `${GROUP}/2`,
      candidateModelData: 's3://b/rt-2/model.tar.gz',
      rolloutStartMs: at(100),
      rolloutStartSource: 'history',
    },
    {
      name: 'bad-run',
      executionArn: 'arn:exec:bad-run',
      status: 'SUCCEEDED',
      startMs: at(200),
      stopMs: at(330),
      outcome: 'rolled-back',
      candidateArn: `${GROUP}/3`,
      candidateModelData: 's3://b/rt-3/model.tar.gz',
      rolloutStartMs: at(300),
      rolloutStartSource: 'history',
      servingModelData: 's3://b/rt-2/model.tar.gz',
    },
  ],
  registry: [
    { arn: `${GROUP}/3`, version: 3, status: 'Approved' },
    { arn: `${GROUP}/1`, version: 1, status: 'Rejected' },
    { arn: `${GROUP}/2`, version: 2, status: 'Approved' },
  ],
  notes: [],
};

const inference = (s: number, confidence: number, correct?: boolean): AttributedInference => ({
  timeMs: at(s),
  confidence,
  ...(correct === undefined ? {} : { correct }),
});

describe('rollout timeline', () => {
  const timeline = buildTimeline(HISTORY);

  it('names v0 / original and every registry version in order', () => {
    expect(timeline.versions.map((v) => [v.id, v.label, v.status])).toEqual([
      ['v0', 'v0 / original', 'not in the registry'],
      ['v1', 'v1', 'Rejected'],
      ['v2', 'v2', 'Approved'],
      ['v3', 'v3', 'Approved'],
    ]);
    expect(timeline.versions.find((v) => v.id === 'v2')?.execution).toBe('canary-run');
  });

  it('has contiguous periods: v0, canary window, v2, rolled-back window, v2 again', () => {
    expect(
      timeline.periods.map((p) =>
        p.kind === 'serving'
          ? ['serving', p.versionId, p.fromMs, p.toMs]
          : ['rollout', `${p.fromVersionId}->${p.toVersionId}`, p.fromMs, p.toMs, p.outcome],
      ),
    ).toEqual([
      ['serving', 'v0', null, at(100)],
      ['rollout', 'v0->v2', at(100), at(160), 'promoted'],
      ['serving', 'v2', at(160), at(300)],
      ['rollout', 'v2->v3', at(300), at(330), 'rolled-back'],
      ['serving', 'v2', at(330), null],
    ]);
    expect(timeline.events.map((e) => [e.execution, e.outcome, e.versionId])).toEqual([
      ['rejected-run', 'rejected', 'v1'],
      ['canary-run', 'promoted', 'v2'],
      ['bad-run', 'rolled-back', 'v3'],
    ]);
    expect(timeline.notes).toEqual([]);
  });

  it('attributes inferences before, during and after each rollout, never guessing inside one', () => {
    const figures = attributeInferences(timeline, [
      inference(-1000, 0.9, true),
      inference(99.999, 0.7, false),
      inference(100, 0.6, true), // the canary's first instant: the window's
      inference(159, 0.5),
      inference(160, 0.95, true), // the window ends as the execution does: v2's
      inference(299, 0.85, true),
      inference(310, 0.4, false), // the bad candidate may have answered: the window's
      inference(400, 0.8, false),
    ]);
    expect(Object.fromEntries(figures)).toEqual({
      v0: { inferences: 2, confidenceSum: 0.9 + 0.7, reviewed: 2, correct: 1 },
      'rollout:canary-run': { inferences: 2, confidenceSum: 0.6 + 0.5, reviewed: 1, correct: 1 },
      v2: { inferences: 3, confidenceSum: 0.95 + 0.85 + 0.8, reviewed: 3, correct: 2 },
      'rollout:bad-run': { inferences: 1, confidenceSum: 0.4, reviewed: 1, correct: 0 },
    });
    expect(figures.has('v3')).toBe(false);
  });

  it('keeps a running rollout open and the candidate out of service', () => {
    const { stopMs: _open, ...bad } = HISTORY.executions[2] as RetrainingExecution;
    const running = buildTimeline({
      ...HISTORY,
      executions: [...HISTORY.executions.slice(0, 2), { ...bad, status: 'RUNNING', outcome: 'running' }],
    });
    const last = running.periods.at(-1);
    expect(last).toMatchObject({
      kind: 'rollout',
      fromVersionId: 'v2',
      toVersionId: 'v3',
      toMs: null,
      outcome: 'running',
    });
    expect(periodAt(running, at(100_000))).toBe(last);
  });

  it('names two rollouts at once rather than overlapping them', () => {
    const overlapping = buildTimeline({
      ...HISTORY,
      executions: HISTORY.executions.map((e) =>
        e.name === 'bad-run' ? { ...e, rolloutStartMs: at(150) } : e,
      ),
    });
    expect(overlapping.notes.join()).toMatch(/two rollouts at once/);
    const windows = overlapping.periods.filter((p) => p.kind === 'rollout');
    expect(windows.map((w) => w.fromMs)).toEqual([at(100), at(160)]);
  });
});

describe('model versions section', () => {
  it('gives a row per version and per rollout window, and text lines', () => {
    const timeline = buildTimeline(HISTORY);
    const figures = attributeInferences(timeline, [
      inference(10, 0.9, true),
      inference(20, 0.8, false),
      inference(120, 0.7),
      inference(200, 0.9, true),
    ]);
    const section = summarizeVersions(timeline, figures, 3, 'fake history');
    expect(section.state).toBe('shown');
    expect(section.duringRollout).toBe(1);
    const v0 = section.versions.find((v) => v.id === 'v0');
    expect(v0).toMatchObject({
      inferences: 2,
      reviewed: 2,
      accuracy: 0.5,
      serving: [{ fromMs: null, toMs: at(100) }],
    });
    expect(v0?.meanConfidence).toBeCloseTo(0.85);
    expect(section.versions.find((v) => v.id === 'v2')?.serving).toEqual([
      { fromMs: at(160), toMs: at(300) },
      { fromMs: at(330), toMs: null },
    ]);
    expect(section.versions.find((v) => v.id === 'v3')).toMatchObject({ inferences: 0, serving: [] });
    expect(section.rollouts.map((r) => [r.execution, r.outcome, r.inferences])).toEqual([
      ['canary-run', 'promoted', 1],
      ['bad-run', 'rolled-back', 0],
    ]);
    const lines = modelVersionLines(section);
    expect(lines[0]).toMatch(/3 retrainings \(1 promoted, 1 rolled back\)/);
    expect(
      lines.some((l) =>
        /during rollout v0 \/ original → v2 \(promoted, canary-run\): 1 inference, none reviewed/.test(l),
      ),
    ).toBe(true);
  });

  it('says in one line that no retraining ran', () => {
    const timeline = buildTimeline({ executions: [], registry: [], notes: [] });
    const figures = attributeInferences(timeline, [inference(1, 0.9), inference(2, 0.8)]);
    const section = summarizeVersions(timeline, figures, 0, 'fake history');
    expect(section.state).toBe('no-retraining');
    expect(section.message).toBe(
      "No retraining has run: v0 / original (the kit's model) answered all 2 inferences.",
    );
    expect(modelVersionLines(section)).toHaveLength(1);
  });
});

/** A client whose `send` answers each command by its class name, recording what was asked. */
function fakeClient(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const asked: string[] = [];
  return {
    asked,
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      asked.push(name);
      const answer = answers[name];
      if (!answer) throw Object.assign(new Error(`unexpected ${name}`), { name: 'UnexpectedCommand' });
      return answer(command.input);
    },
  };
}

describe('SDK reader of the retraining history', () => {
  it('finds the rollout start in the state events, and what served before', () => {
    const found = rolloutFromHistory([
      { id: 1, type: 'ExecutionStarted', timestamp: new Date(at(0)) },
      {
        id: 5,
        type: 'PassStateExited',
        timestamp: new Date(at(50)),
        stateExitedEventDetails: {
          name: 'ModelInService',
          output: JSON.stringify({ serving: { model_data: 's3://b/m.tar.gz' } }),
        },
      },
      {
        id: 9,
        type: 'TaskStateEntered',
        timestamp: new Date(at(100)),
        stateEnteredEventDetails: { name: 'UpdateEndpoint' },
      },
    ]);
    expect(found).toEqual({
      stateEvents: true,
      rolloutStartMs: at(100),
      servingModelData: 's3://b/m.tar.gz',
    });
  });

  it('reads executions, outputs and the registry; without state events the endpoint config dates the rollout', async () => {
    const output = (outcome: string, n: number) =>
      JSON.stringify({
        outcome,
        candidate: { model_package_arn: `${GROUP}/${n}`, model_data: `s3://b/rt-${n}/model.tar.gz` },
      });
    const executions: Record<string, { status: string; start: number; stop?: number; output?: string }> = {
      'arn:exec:a': { status: 'SUCCEEDED', start: at(0), stop: at(160), output: output('promoted', 1) },
      'arn:exec:b': { status: 'SUCCEEDED', start: at(200), stop: at(250), output: output('rejected', 2) },
    };
    const sfn = fakeClient({
      ListStateMachinesCommand: () => ({
        stateMachines: [{ name: 'scones-dev-model-retraining', stateMachineArn: 'arn:sm:retraining' }],
      }),
      ListExecutionsCommand: (input) => {
        expect(input.stateMachineArn).toBe('arn:sm:retraining');
        return {
          executions: Object.entries(executions).map(([arn, e]) => ({
            executionArn: arn,
            name: arn.slice(-1),
            status: e.status,
            startDate: new Date(e.start),
          })),
        };
      },
      DescribeExecutionCommand: (input) => {
        const e = executions[input.executionArn as string];
        return {
          status: e?.status,
          startDate: new Date(e?.start ?? 0),
          stopDate: new Date(e?.stop ?? 0),
          output: e?.output,
        };
      },
      // The local stack's history: the start and the end only.
      GetExecutionHistoryCommand: () => ({
        events: [{ id: 1, type: 'ExecutionStarted', timestamp: new Date(at(0)) }],
      }),
    });
    const sagemaker = fakeClient({
      DescribeEndpointConfigCommand: (input) => {
        expect(input.EndpointConfigName).toBe('scones-dev-rt-a');
        return { CreationTime: new Date(at(140)) };
      },
      ListModelPackagesCommand: () => ({
        ModelPackageSummaryList: [
          { ModelPackageArn: `${GROUP}/1`, ModelPackageVersion: 1, ModelApprovalStatus: 'Approved' },
          { ModelPackageArn: `${GROUP}/2`, ModelPackageVersion: 2, ModelApprovalStatus: 'Rejected' },
        ],
      }),
    });
    const source = sdkRetrainingHistory({
      sfn: sfn as never,
      sagemaker: sagemaker as never,
      stateMachineName: 'scones-dev-model-retraining',
      modelPackageGroup: 'scones-dev-image-classifier',
      runNamePrefix: 'scones-dev-rt-',
    });
    const history = await source.read();
    expect(
      history.executions.map((e) => [e.name, e.outcome, e.rolloutStartMs, e.rolloutStartSource]),
    ).toEqual([
      ['a', 'promoted', at(140), 'endpoint config created'],
      ['b', 'rejected', undefined, undefined],
    ]);
    // A rejected run never touched the endpoint: no history asked for it.
    expect(sfn.asked.filter((n) => n === 'GetExecutionHistoryCommand')).toHaveLength(1);
    expect(history.registry.map((r) => [r.version, r.status])).toEqual([
      [1, 'Approved'],
      [2, 'Rejected'],
    ]);
    const timeline = buildTimeline(history);
    expect(timeline.periods.map((p) => p.kind)).toEqual(['serving', 'rollout', 'serving']);
    expect(periodAt(timeline, at(200))).toMatchObject({ kind: 'serving', versionId: 'v1' });
  });

  it('says when the state machine is not there', async () => {
    const sfn = fakeClient({ ListStateMachinesCommand: () => ({ stateMachines: [] }) });
    const history = await sdkRetrainingHistory({
      sfn: sfn as never,
      stateMachineName: 'scones-dev-model-retraining',
      modelPackageGroup: 'g',
      runNamePrefix: 'p-',
    }).read();
    expect(history).toEqual({
      executions: [],
      registry: [],
      notes: ['no state machine scones-dev-model-retraining'],
    });
  });
});
