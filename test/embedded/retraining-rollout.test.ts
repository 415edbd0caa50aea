/**
 * The retraining state machine's rollout and its guards on the embedded engine (scripted training,
 * a hosting double, alarms a test sets): the candidate goes out as a blue/green canary watched by
 * the stage's rollout alarm, which rolls it back when it goes to ALARM while the canary bakes; a
 * second retraining started while one runs is refused by name before it changes anything; every
 * outcome, failures included, is published to the stage's topic; `tune: true` trains through a
 * hyperparameter tuning job and takes its best training job.
 */
import { describe, expect, test } from 'vitest';
import {
  byArtifact,
  deployCurrentModel,
  ENDPOINT,
  FAST,
  type RetrainingBed,
  type RetrainingOutput,
  retrainingBed,
  retrainingEngine,
} from './retraining-support.ts';
import type { Harness } from './sagemaker/support.ts';

const ROLLOUT_ALARM = 'scones-test-endpoint-5xx';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:scones-test-execution-failures';

// Each test has its own bed (retrainingBed): they run at once, most of their time is waiting.
const it = test.extend<{ bed: RetrainingBed }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures take their dependencies first.
  bed: async ({}, use) => retrainingBed(use),
});

const describeEndpoint = (harness: Harness) =>
  harness.service.call('DescribeEndpoint', { EndpointName: ENDPOINT }) as Promise<Record<string, unknown>>;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.concurrent('the retraining rollout', () => {
  it('canaries a candidate that passed the gate: the rollout alarm in ALARM rolls it back, the old config serves', async ({
    bed: { harness, hosting, alarms, published },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const engine = retrainingEngine(harness, byArtifact('perfect'), published);
    const running = engine.run({ ...FAST, bake_seconds: 30, canary_percent: 10 }, 'run-canary');
    // The canary bakes with a tenth of the traffic, the stage's rollout alarm watched.
    await until(() => hosting.shares.includes(0.1), 'the canary share');
    await until(() => alarms.watched.has(ROLLOUT_ALARM), 'the rollout alarm to be read');
    alarms.states.set(ROLLOUT_ALARM, 'ALARM');
    const record = await running;
    const output = record.output as RetrainingOutput;
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(output.outcome).toBe('rolled-back');
    expect(output.in_service.endpoint_config).toBe('initial');
    // The canary never got more than its share: the rollback sent everything back to blue.
    expect(Math.max(...hosting.shares)).toBe(0.1);
    expect(hosting.deployed.filter((entry) => entry.includes('-rt-'))).toEqual([]);
    const endpoint = await describeEndpoint(harness);
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'initial' });
    expect(String(endpoint.FailureReason)).toContain(ROLLOUT_ALARM);
    // Registered Approved (it passed the gate); the outcome went to the stage's topic.
    const registered = (await harness.service.call('DescribeModelPackage', {
      ModelPackageName: output.candidate.model_package_arn,
    })) as { ModelApprovalStatus: string };
    expect(registered.ModelApprovalStatus).toBe('Approved');
    expect(published.messages).toHaveLength(1);
    expect(published.messages[0]).toMatchObject({
      topicArn: TOPIC,
      subject: 'scones: retraining rolled-back',
      message: {
        outcome: 'rolled-back',
        candidate: { model_package_arn: output.candidate.model_package_arn },
      },
    });
  });

  it('a canary that bakes with its alarm OK goes to all traffic: promoted, and the topic says so', async ({
    bed: { harness, hosting, alarms, published },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const record = await retrainingEngine(harness, byArtifact('perfect'), published).run(
      { ...FAST, bake_seconds: 1 },
      'run-baked',
    );
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect((record.output as RetrainingOutput).outcome).toBe('promoted');
    expect(hosting.shares).toEqual([0.1, 1]);
    expect(alarms.watched).toContain(ROLLOUT_ALARM);
    expect(published.messages.map((m) => [m.subject, m.message.outcome])).toEqual([
      ['scones: retraining promoted', 'promoted'],
    ]);
  });

  it('refuses a second retraining while one runs, by name, before it changes anything', async ({
    bed: { harness, runner, published },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    runner.hold();
    const engine = retrainingEngine(harness, byArtifact('perfect'), published);
    const first = engine.run(FAST, 'run-first-of-two');
    await until(() => runner.runs.length === 1, 'the first training job');
    const second = await engine.run(FAST, 'run-second-of-two');
    expect(second.status).toBe('FAILED');
    expect(second.error, second.cause).toBe('RetrainingAlreadyRunning');
    expect(second.cause).toContain('run-first-of-two');
    expect(second.cause).toContain('run-second-of-two was refused before it changed anything');
    // Nothing of the second: no training job, no run folder.
    expect(runner.runs).toHaveLength(1);
    runner.release();
    const record = await first;
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect((record.output as RetrainingOutput).outcome).toBe('promoted');
    // Both outcomes were published: the refusal with its Error and Cause.
    const failed = published.messages.find((m) => m.message.outcome === 'failed');
    expect(failed).toMatchObject({
      subject: 'scones: retraining failed',
      message: { execution: 'run-second-of-two', error: 'RetrainingAlreadyRunning' },
    });
  });

  it('publishes a failed retraining with its Error and Cause, then fails with them', async ({
    bed: { harness, published },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    const record = await retrainingEngine(harness, byArtifact('perfect'), published).run(
      { ...FAST, epochs: 0 },
      'run-bad-settings',
    );
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.TaskFailed');
    expect(published.messages).toHaveLength(1);
    expect(published.messages[0]?.message).toMatchObject({
      outcome: 'failed',
      execution: 'run-bad-settings',
      error: 'States.TaskFailed',
    });
    expect(String(published.messages[0]?.message.cause)).toContain('epochs');
  });

  it('with tune: true, a tuning job trains the candidates and its best training job is the candidate', async ({
    bed: { harness, runner, published },
  }) => {
    await deployCurrentModel(harness, 'initial', 'models/initial/model.tar.gz');
    // Each training's accuracy grows with its learning rate: the best is the one with the highest.
    runner.accuracy = (run) => Math.min(0.99, Number(run.hyperparameters.learning_rate) * 4);
    const record = await retrainingEngine(harness, byArtifact('perfect'), published).run(
      { ...FAST, tune: true, tuning_jobs: 3, tuning_parallel_jobs: 1 },
      'run-tuned',
    );
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(runner.runs).toHaveLength(3);
    const output = record.output as RetrainingOutput & { candidate: { training_job: string } };
    expect(output.outcome).toBe('promoted');
    const rates = runner.runs.map((run) => run.hyperparameters.learning_rate);
    const best = runner.runs[rates.indexOf(Math.max(...rates))];
    expect(output.candidate.training_job).toBe(best?.jobName);
  });
});
