/**
 * boto3 against `scones up` (its own process, `--stub`), configured by nothing but the export lines
 * it prints: test/up/python/boto3_flow.py uploads a few hundred CIFAR images, runs a training job of
 * the built-in image-classification algorithm (image URI from the SageMaker Python SDK's
 * `image_uris.retrieve`) through boto3's `training_job_completed_or_stopped` waiter, deploys the
 * artifact with data capture through `endpoint_in_service`, invokes it, reads the captured record
 * and the job's CloudWatch Logs lines back, and asks STS who it is. Nothing leaves 127.0.0.1 (the
 * recording proxy of python-clients.ts stays empty). Needs Python (skips with the reason printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsOrSkip, resultOf, startUpWithPython, type UpWithPython } from './python-clients.ts';

let clients: UpWithPython | { skip: string } | undefined;

beforeAll(async () => {
  clients = await startUpWithPython('boto3');
}, 600_000);
afterAll(async () => {
  if (clients && !('skip' in clients)) await clients.close();
});

describe('scones up with boto3', () => {
  it('trains, waits, deploys with capture, invokes, reads captures, logs and STS back', async (context) => {
    const python = clientsOrSkip(clients, context);
    const { stdout, stderr } = await python.exec('python', ['boto3_flow.py', '--name', 'boto3-flow']);
    const result = resultOf(stdout);
    console.log(
      stderr
        .split('\n')
        .filter((line) => !line.startsWith('sagemaker.config'))
        .join('\n'),
    );

    expect(result.image).toBe('811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1');
    expect(result.uploaded).toBe(402); // 400 images and two .lst files
    expect(result.training).toMatchObject({
      status: 'Completed',
      secondaryStatus: 'Completed',
      artifact: 's3://boto3-flow-data/models/boto3-flow-job/output/model.tar.gz',
      transitions: ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
      endTimeIsDatetime: true,
    });
    expect(Object.keys(result.training.metrics).sort()).toEqual(['train:accuracy', 'validation:accuracy']);
    for (const value of Object.values(result.training.metrics) as number[])
      expect(value).toBeGreaterThan(0.4);
    expect(result.artifactBytes).toBeGreaterThan(1000);

    expect(result.endpoint).toMatchObject({
      status: 'InService',
      variants: ['AllTraffic'],
      capture: { EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 100 },
    });
    const { probabilities } = result.prediction;
    expect(result.prediction).toMatchObject({ contentType: 'application/json', variant: 'AllTraffic' });
    expect(probabilities).toHaveLength(2);
    expect(probabilities[0] + probabilities[1]).toBeCloseTo(1, 4);

    expect(result.captured.keys).toHaveLength(1);
    expect(result.captured.keys[0]).toMatch(
      /^data-capture\/boto3-flow-endpoint\/AllTraffic\/\d{4}\/\d\d\/\d\d\/\d\d\/\d\d-\d\d-\d{3}-[0-9a-f-]{36}\.jsonl$/,
    );
    expect(result.captured.records).toHaveLength(1);
    const [record] = result.captured.records;
    expect(record).toMatchObject({
      inputMatches: true,
      input: { observedContentType: 'application/x-image', mode: 'INPUT', encoding: 'BASE64' },
      output: { observedContentType: 'application/json', mode: 'OUTPUT', encoding: 'JSON' },
      eventVersion: '0',
    });
    expect(JSON.parse(record.output.data)).toEqual(probabilities);

    expect(result.logs.streams).toHaveLength(1);
    expect(result.logs.streams[0]).toMatch(/^boto3-flow-job\/algo-1-\d{10}$/);
    expect(result.logs.firstLines[0]).toContain('Reading the train and validation channels');
    expect(result.logs.validationAccuracy).toHaveLength(2);
    for (const line of result.logs.validationAccuracy)
      expect(line).toMatch(/Epoch\[\d\] Validation-accuracy=0\.\d+/);
    // `?Train-accuracy ?Validation-accuracy`: either term, two of each over two epochs.
    expect(result.logs.trainOrValidation).toBe(4);
    expect(result.logs.noSuchTerm).toEqual([]);

    expect(result.identity).toEqual({
      UserId: '000000000000',
      Account: '000000000000',
      Arn: 'arn:aws:iam::000000000000:root',
    });
    for (const url of Object.values(result.endpointUrls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(python.egress).toEqual([]);
  }, 300_000);
});
