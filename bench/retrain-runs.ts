/**
 * One retraining of `npm run bench:retrain`: an execution of the retraining state machine on the
 * stack's engine, timed from its start to its end, with the time each phase took (from the
 * execution's history) and the picture of its path; and the shuffled-label run's training data.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { writeExecutionGraph } from '../src/cli/graph.ts';
import type { EmbeddedEngine } from '../src/embedded/stepfunctions/index.ts';
import { seededRandom } from '../src/monitor/statistics/index.ts';
import type { ExecutionRecord, HistoryEvent } from '../src/workflow/execution.ts';
import { manifestKey } from '../training/staged-layout.ts';

export interface RetrainingRun {
  name: string;
  outcome: string;
  reason: string;
  /** StartExecution to the execution's end, seconds. */
  wallS: number;
  /** Seconds from entering each phase's first state to entering the next phase. */
  phases: Record<string, number>;
  /** Succeeded with an outcome, or failed with a named Error. */
  decided: boolean;
  /** The endpoint's FailureReason after a rollback, from the output's reason. */
  failureReason?: string;
  record: ExecutionRecord;
}

/** Where each phase starts: the first state of it the execution enters. */
const PHASES: [string, string[]][] = [
  ['build_training_set', ['BuildTrainingSet']],
  ['train', ['TrainCandidate', 'TuneCandidate']],
  ['evaluate', ['FindModelInService']],
  ['register', ['FindModelPackageGroup']],
  ['deploy', ['CreateCandidateModel']],
  ['rollout', ['UpdateEndpoint', 'CreateEndpoint']],
  ['notify', ['NotifyOutcome', 'NotifyFailure']],
];

function phasesOf(history: HistoryEvent[], end: number): Record<string, number> {
  const starts: [string, number][] = [];
  for (const [phase, states] of PHASES) {
    const entered = history.find(
      (event) => event.type.endsWith('StateEntered') && states.includes(event.state?.name ?? ''),
    );
    if (entered) starts.push([phase, entered.timestamp]);
  }
  return Object.fromEntries(
    starts.map(([phase, at], index) => [
      phase,
      Math.round(((starts[index + 1]?.[1] ?? end) - at) / 100) / 10,
    ]),
  );
}

export async function retrain(
  engine: EmbeddedEngine,
  name: string,
  input: Record<string, unknown>,
  log: (line: string) => void,
): Promise<RetrainingRun> {
  const started = Date.now();
  const record = await engine.run({ poll_seconds: 1, ...input }, name);
  const ended = Date.now();
  const output = (record.output ?? {}) as { outcome?: string; reason?: string };
  const outcome = record.status === 'SUCCEEDED' ? String(output.outcome) : 'failed';
  const reason = record.status === 'SUCCEEDED' ? String(output.reason) : `${record.error}: ${record.cause}`;
  const run: RetrainingRun = {
    name,
    outcome,
    reason,
    wallS: Math.round((ended - started) / 100) / 10,
    phases: phasesOf(record.history, ended),
    decided: record.status === 'SUCCEEDED' || (record.status === 'FAILED' && Boolean(record.error)),
    ...(outcome === 'rolled-back' ? { failureReason: reason } : {}),
    record,
  };
  log(`retraining ${name}: ${outcome} in ${run.wallS} s (${reason})`);
  return run;
}

/** Runs `work` while the staged training manifest's labels are a seeded permutation of themselves. */
export async function withShuffledLabels<T>(
  s3: S3Client,
  bucket: string,
  datasetPrefix: string,
  work: () => Promise<T>,
): Promise<T> {
  const key = manifestKey(datasetPrefix, 'train');
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const original = (await object.Body?.transformToString()) ?? '';
  const lines = original
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
  const labels = lines.map((fields) => fields[1] as string);
  const random = seededRandom(7);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j] as string, labels[i] as string];
  }
  const shuffled = lines.map((fields, i) => [fields[0], labels[i], ...fields.slice(2)].join('\t')).join('\n');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${shuffled}\n` }));
  try {
    return await work();
  } finally {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: original }));
  }
}

/** `<directory>/<outcome>.png`: the retraining state machine with the run's path drawn over it. */
export function writeRetrainingGraph(directory: string, run: RetrainingRun): Promise<string> {
  return writeExecutionGraph(directory, { ...run.record, name: `retraining-${run.outcome}` }, 'retraining');
}
