/**
 * Staging figures: the shipped 1200 images into a fresh embedded S3 (src/embedded/s3-server.ts),
 * then the re-run, which must upload nothing (else the bench fails: exit 1, nothing written).
 * Run: `npm run bench:stage -- [--runs N] [--concurrency N] [--quick]`; the last line is JSON
 * (`stage_s`, `restage_s`, `stage_cpu_s`: best of the runs, each into a fresh store), written to
 * .scones/bench/stage.json.
 */
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { startLocalS3 } from '../src/embedded/s3/index.ts';
import { stageDataset } from '../training/stage.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench } from './results.ts';

const BUCKET = 'scones-stage-bench';
const args = benchArgs(['runs', 'concurrency']);
const runs = countOption(args.values.runs, args.quick ? 1 : 3, 'runs');
const concurrency = args.values.concurrency
  ? countOption(args.values.concurrency, 1, 'concurrency')
  : undefined;
const checks = new BenchChecks();
if (args.injectFailures > 0)
  throw new Error('bench:stage has no fault injection: a failed upload already ends it non-zero');
const stageTimes: number[] = [];
const restageTimes: number[] = [];
const stageCpu: number[] = [];
let objects = 0;

for (let run = 0; run < runs; run++) {
  const server = await startLocalS3({ buckets: [BUCKET] });
  const s3 = createS3Client(loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_S3: server.endpoint }));
  try {
    const cpuBefore = process.cpuUsage();
    const first = await stageDataset({ s3Client: s3, bucket: BUCKET, progress: false, concurrency });
    const cpu = process.cpuUsage(cpuBefore);
    const again = await stageDataset({ s3Client: s3, bucket: BUCKET, progress: false, concurrency });
    checks.expect(again.uploaded === 0, `run ${run + 1}: the re-run uploaded ${again.uploaded} objects`);
    checks.expect(first.uploaded > 0, `run ${run + 1}: the first run uploaded nothing`);
    objects = first.uploaded;
    stageTimes.push(first.seconds);
    restageTimes.push(again.seconds);
    // CPU of this process (client and in-process server): what the wall time tends to on idle cores.
    stageCpu.push((cpu.user + cpu.system) / 1e6);
    console.log(
      `run ${run + 1}: staged ${first.uploaded} objects in ${first.seconds.toFixed(2)} s ` +
        `(${(stageCpu.at(-1) ?? 0).toFixed(2)} s CPU); ` +
        `re-run ${again.unchanged} unchanged, ${again.uploaded} uploaded in ${again.seconds.toFixed(2)} s`,
    );
  } finally {
    s3.destroy();
    await server.stop();
  }
}
const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
await finishBench(
  'stage',
  {
    objects,
    runs,
    stage_s: round(Math.min(...stageTimes)),
    restage_s: round(Math.min(...restageTimes)),
    stage_cpu_s: round(Math.min(...stageCpu)),
    quick: args.quick,
  },
  checks,
);
