/** The event builders against AWS's documented event shapes (execution names: execution-name.test.ts). */
import { describe, expect, it } from 'vitest';
import { executionStatusChangeEvent } from '../../src/events/execution-events.ts';
import { s3ObjectEvent } from '../../src/events/s3-events.ts';

const scope = { region: 'ca-central-1', accountId: '111122223333' };

describe('S3 EventBridge events', () => {
  it('builds "Object Created" as the S3 user guide shows it', () => {
    const event = s3ObjectEvent(
      {
        kind: 'ObjectCreated',
        reason: 'PutObject',
        bucket: 'DOC-EXAMPLE-BUCKET1',
        key: 'example-key',
        size: 5,
        etag: 'b1946ac92492d2347c6235b4d2611184',
        versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
        sequencer: '617f08299329d189',
        requestId: 'N4N7GDK58NMKJ12R',
        sourceIp: '1.2.3.4',
        time: new Date('2021-11-12T00:00:00.250Z'),
      },
      scope,
      { id: '17793124-05d4-b198-2fde-7ededc63b103', requester: '123456789012' },
    );
    // The documented example, field for field and in its order.
    expect(JSON.stringify(event)).toBe(
      JSON.stringify({
        version: '0',
        id: '17793124-05d4-b198-2fde-7ededc63b103',
        'detail-type': 'Object Created',
        source: 'aws.s3',
        account: '111122223333',
        time: '2021-11-12T00:00:00Z',
        region: 'ca-central-1',
        resources: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET1'],
        detail: {
          version: '0',
          bucket: { name: 'DOC-EXAMPLE-BUCKET1' },
          object: {
            key: 'example-key',
            size: 5,
            etag: 'b1946ac92492d2347c6235b4d2611184',
            'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
            sequencer: '617f08299329d189',
          },
          'request-id': 'N4N7GDK58NMKJ12R',
          requester: '123456789012',
          'source-ip-address': '1.2.3.4',
          reason: 'PutObject',
        },
      }),
    );
  });

  it('builds "Object Deleted" for single and batch deletes, with a fresh id per event', () => {
    const change = {
      kind: 'ObjectDeleted' as const,
      reason: 'DeleteObjects' as const,
      bucket: 'b',
      key: 'incoming/x.png',
      sequencer: '00000000000A',
      requestId: 'R',
      sourceIp: '127.0.0.1',
      time: new Date(),
    };
    const event = s3ObjectEvent(change, scope);
    expect(event['detail-type']).toBe('Object Deleted');
    expect(event.detail).toMatchObject({
      reason: 'DeleteObject',
      'deletion-type': 'Permanently Deleted',
      requester: '111122223333',
      object: { key: 'incoming/x.png', sequencer: '00000000000A' },
    });
    expect(event.detail.object).not.toHaveProperty('size');
    expect(s3ObjectEvent(change, scope).id).not.toBe(event.id);
  });
});

describe('Step Functions execution status change events', () => {
  const base = {
    executionArn: 'arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name',
    stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
    name: 'execution-name',
    startDate: new Date(1551225146847),
    stopDate: new Date(1551225151881),
    input: { s3_key: 'incoming/a.png' },
  };

  it('carries DescribeExecution fields: JSON-string input, epoch dates, error and cause when failed', () => {
    const event = executionStatusChangeEvent(
      { ...base, status: 'FAILED', error: 'InvalidImage', cause: '{"errorType":"InvalidImage"}' },
      { region: 'us-east-1', accountId: '012345678912' },
    );
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '012345678912',
      region: 'us-east-1',
      time: '2019-02-26T23:52:31Z',
      resources: [base.executionArn],
      detail: {
        executionArn: base.executionArn,
        stateMachineArn: base.stateMachineArn,
        name: 'execution-name',
        status: 'FAILED',
        startDate: 1551225146847,
        stopDate: 1551225151881,
        input: '{"s3_key":"incoming/a.png"}',
        inputDetails: { included: true },
        output: null,
        outputDetails: null,
        error: 'InvalidImage',
        cause: '{"errorType":"InvalidImage"}',
        redriveStatus: 'REDRIVABLE',
      },
    });
  });

  it('RUNNING has no stop date; SUCCEEDED has the output and no error', () => {
    const running = executionStatusChangeEvent({ ...base, status: 'RUNNING', stopDate: undefined }, scope);
    expect(running.detail).toMatchObject({
      stopDate: null,
      output: null,
      error: null,
      redriveStatus: 'NOT_REDRIVABLE',
    });
    const succeeded = executionStatusChangeEvent(
      { ...base, status: 'SUCCEEDED', output: 'Hello World!' },
      scope,
    );
    expect(succeeded.detail).toMatchObject({
      output: '"Hello World!"',
      outputDetails: { included: true },
      error: null,
    });
  });

  it('drops input and output past the 248 KB payload share, and says so', () => {
    const big = 'x'.repeat(200 * 1024);
    const event = executionStatusChangeEvent(
      { ...base, status: 'SUCCEEDED', input: big, output: big },
      scope,
    );
    expect(event.detail.output).not.toBeNull();
    expect(event.detail.input).toBeNull();
    expect(event.detail.inputDetails).toEqual({ included: false });
    const huge = executionStatusChangeEvent(
      { ...base, status: 'SUCCEEDED', output: 'y'.repeat(300 * 1024) },
      scope,
    );
    expect(huge.detail.outputDetails).toEqual({ included: false });
  });
});
