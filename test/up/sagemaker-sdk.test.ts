/**
 * The SageMaker Python SDK v2 against `scones up --stub`, the way a notebook uses it
 * (test/up/python/notebook.py, also runnable by hand: docs/scones-up.md): `sagemaker.Session()`
 * and `default_bucket()`, `upload_data`, an `Estimator` of the built-in image-classification
 * algorithm (`image_uris.retrieve`) with `set_hyperparameters` and `fit` over the four
 * `TrainingInput` channels with the job's log tailed, `Estimator.attach` to the finished job,
 * `deploy(..., data_capture_config=DataCaptureConfig(...))`,
 * `Predictor.predict` of PNGs through `IdentitySerializer("image/png")`, the captured records read
 * back with `S3Downloader`, `delete_endpoint()`.
 *
 * The clients see only the printed export lines and a throwaway HOME. Among the exports,
 * SAGEMAKER_USER_CONFIG_OVERRIDE names the SDK defaults file `scones up` wrote: the default bucket
 * and the telemetry opt-out. The SDK would otherwise ask STS for the account at
 * https://sts.<region>.amazonaws.com (an endpoint it builds itself, ignoring AWS_ENDPOINT_URL_STS)
 * and send telemetry to an amazonaws.com bucket. The recording proxy proves nothing else tried
 * to leave 127.0.0.1. The SDK's own polls set the pace, so they are asked to poll every second:
 * `fit(wait=False)` then `logs_for_job(wait=True, poll=1)` (what `fit(logs=True)` calls, with its
 * 10 s poll), and `deploy(wait=False)` then `wait_for_endpoint(poll=1)` rather than deploy's 30 s.
 * Needs Python (skips with the reason).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsOrSkip, resultOf, startUpWithPython, type UpWithPython } from './python-clients.ts';

let clients: UpWithPython | { skip: string } | undefined;

beforeAll(async () => {
  clients = await startUpWithPython('sagemaker-sdk');
}, 600_000);
afterAll(async () => {
  if (clients && !('skip' in clients)) await clients.close();
});

describe('scones up with the sagemaker sdk (Python, v2)', () => {
  it('sagemaker sdk notebook: Session, Estimator.fit with logs, deploy with capture, predict, captures, delete', async (context) => {
    const python = clientsOrSkip(clients, context);
    const { stdout } = await python.exec(
      'python',
      // Small settings; the endpoint polled every second (deploy's own wait polls every 30 s).
      [
        'notebook.py',
        '--train-per-class',
        '80',
        '--validation-per-class',
        '25',
        '--epochs',
        '2',
        '--endpoint-poll',
        '1',
        '--logs-poll',
        '1',
      ],
      { timeoutMs: 280_000 },
    );
    console.log(stdout);
    const result = resultOf(stdout);

    // The transcript a notebook shows: fit's status lines and the algorithm's log lines.
    expect(stdout).toContain('Fetched defaults config from location');
    expect(stdout).toMatch(/Starting - Preparing the instances for training/);
    expect(stdout).toMatch(/Completed - Training job completed/);
    expect(stdout.match(/Epoch\[\d\] Train-accuracy=0\.\d+/g)).toHaveLength(2);
    expect(stdout.match(/Epoch\[\d\] Validation-accuracy=0\.\d+/g)).toHaveLength(2);
    expect(stdout).toMatch(/Training seconds: \d+/);
    expect(stdout).toMatch(/endpoint scones-notebook-endpoint: InService/);

    expect(result).toMatchObject({
      region: 'us-east-1',
      bucket: 'sagemaker-us-east-1-000000000000',
      counts: { train: 160, validation: 50 },
      training: { status: 'Completed' },
      endpoint: { name: 'scones-notebook-endpoint', status: 'InService' },
      endpointsLeft: 0,
    });
    const job = result.training.job as string;
    expect(job).toMatch(/^image-classification-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}$/);
    expect(result.training.artifact).toBe(
      `s3://sagemaker-us-east-1-000000000000/scones-notebook/models/${job}/output/model.tar.gz`,
    );
    expect(Object.keys(result.training.metrics).sort()).toEqual(['train:accuracy', 'validation:accuracy']);
    // Estimator.attach rebuilds the estimator from DescribeTrainingJob alone.
    expect(result.attached).toEqual({
      instanceType: 'ml.p3.2xlarge',
      hyperparameters: expect.objectContaining({ num_classes: '2', epochs: '2', image_shape: '3,32,32' }),
      modelData: result.training.artifact,
    });

    const predictions = Object.values(result.predictions) as number[][];
    expect(predictions).toHaveLength(2);
    for (const probabilities of predictions) {
      expect(probabilities).toHaveLength(2);
      expect((probabilities[0] as number) + (probabilities[1] as number)).toBeCloseTo(1, 4);
    }
    // Both invocations captured, each with the PNG sent and the answer given.
    expect(result.captured).toHaveLength(2);
    for (const record of result.captured)
      expect(record).toMatchObject({ inputContentType: 'image/png', input: true });
    expect(result.captured.map((record: { output: number[] }) => record.output).sort()).toEqual(
      predictions.sort(),
    );
    expect(python.egress).toEqual([]);
  }, 300_000);
});
