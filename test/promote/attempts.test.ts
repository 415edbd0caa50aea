/**
 * Resuming a training or tuning job: which earlier attempt of the same settings is reused or waited
 * for, and which name a new attempt takes (SageMaker never frees a job name, not even a failed one's).
 */
import { describe, expect, it } from 'vitest';
import { chooseAttempt } from '../../src/promote/training/training.ts';
import type { JobAttempt } from '../../src/promote/training/types.ts';

const base = 'scones-dev-train-abcd1234';
const job = (name: string, status: string): JobAttempt => ({
  name,
  arn: `arn:aws:sagemaker:::training-job/${name}`,
  status,
});
const everyJobIsOurs = async () => true;

describe('chooseAttempt', () => {
  it('creates the base name when nothing ran before', async () => {
    expect(await chooseAttempt(base, [], everyJobIsOurs)).toEqual({ name: base });
  });

  it('reuses a completed attempt, preferring it to a running one', async () => {
    const attempts = [job(base, 'Failed'), job(`${base}-2`, 'InProgress'), job(`${base}-3`, 'Completed')];
    expect(await chooseAttempt(base, attempts, everyJobIsOurs)).toMatchObject({
      existing: attempts[2],
      name: `${base}-3`,
    });
  });

  it('waits for a running attempt (resume after an interruption)', async () => {
    const attempts = [job(base, 'InProgress')];
    expect(await chooseAttempt(base, attempts, everyJobIsOurs)).toMatchObject({
      existing: attempts[0],
      name: base,
    });
  });

  it('takes the next free name after failed or stopped attempts, and lists them', async () => {
    const choice = await chooseAttempt(
      base,
      [job(base, 'Failed'), job(`${base}-2`, 'Stopped')],
      everyJobIsOurs,
    );
    expect(choice).toEqual({ name: `${base}-3`, failed: `${base} Failed, ${base}-2 Stopped` });
  });

  it('never reuses a job without the kit tags, nor one of other settings that shares the prefix', async () => {
    const foreign = job(base, 'Completed');
    const otherSettings = job(`${base}ff-2`, 'Completed');
    const choice = await chooseAttempt(base, [foreign, otherSettings], async (arn) => arn !== foreign.arn);
    expect(choice.existing).toBeUndefined();
    expect(choice.name).toBe(`${base}-2`);
  });
});
