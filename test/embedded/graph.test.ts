import { describe, expect, it } from 'vitest';
import { loadDefinition, substitutionsFor } from '../../src/workflow/definition.ts';
import { executionPath, renderWorkflowSvg } from '../../src/workflow/graph.ts';

const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const definition = loadDefinition(
  substitutionsFor({
    functionArns: { serialize: arn('s'), classify: arn('c'), filter: arn('f') },
    reviewBucket: 'b',
    reviewPrefix: 'review/',
  }),
);

describe('workflow graph', () => {
  it('draws every state once', () => {
    const svg = renderWorkflowSvg(definition);
    for (const name of Object.keys(definition.States as object)) {
      expect(svg.match(new RegExp(`>${name}<`, 'g'))).toHaveLength(1);
    }
  });

  it('marks the states an execution entered and the one it failed in', () => {
    const path = executionPath([
      { type: 'ExecutionStarted' },
      { type: 'StateEntered', state: { name: 'SerializeImageData' } },
      { type: 'StateFailed', state: { name: 'SerializeImageData' } },
      { type: 'StateEntered', state: { name: 'ClassificationFailed' } },
    ]);
    expect(path).toEqual({
      entered: ['SerializeImageData', 'ClassificationFailed'],
      failedIn: 'SerializeImageData',
    });
    const svg = renderWorkflowSvg(definition, path);
    expect(svg).toContain('failed in SerializeImageData');
    expect(svg.match(/fill="#fde8e8"/g)).toHaveLength(1);
    expect(svg.match(/fill="#e6f6ea"/g)).toHaveLength(1);
  });
});

describe('workflow graph of a state machine with a polling loop', () => {
  // A Wait -> Describe -> Choice loop, as the retraining's rollout poll: the loop's way back must
  // not push its states down row after row.
  const looping = {
    StartAt: 'Start',
    States: {
      Start: { Type: 'Pass', Next: 'Describe' },
      Describe: { Type: 'Task', Next: 'Done?', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] },
      'Done?': { Type: 'Choice', Choices: [{ Next: 'Finished' }], Default: 'Wait' },
      Wait: { Type: 'Wait', Next: 'Describe' },
      Finished: { Type: 'Succeed' },
      Failed: { Type: 'Fail' },
    },
  };

  it('lays the loop out in as many rows as its longest path without the way back', () => {
    const svg = renderWorkflowSvg(looping);
    const height = Number(svg.match(/height="(\d+(?:\.\d+)?)"/)?.[1]);
    // Start, Describe, Done?, then Wait / Finished / Failed side by side: four rows of 80 px.
    expect(height).toBe(4 * 40 + 3 * 40 + 2 * 30);
    for (const name of Object.keys(looping.States)) expect(svg).toContain(`>${name}<`);
  });
});
