/**
 * Live progress of a load run on stderr: a bar with the counts on a terminal (cli-progress), a
 * plain line every few seconds on a pipe (CI logs), nothing when switched off (tests, the bench).
 */
import { SingleBar } from 'cli-progress';

export interface ProgressSnapshot {
  planned: number;
  uploaded: number;
  uploadFailed: number;
  /** Decisions by route (short-range, long-range, manual-review). */
  decisions: Record<string, number>;
  failed: number;
  /** Uploaded, no outcome yet. */
  inFlight: number;
  /** Age of the oldest upload still waiting for its decision, ms. */
  lagMs: number;
  elapsedMs: number;
}

export type ProgressMode = 'bar' | 'lines' | 'none';

export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  stop(): void;
}

const LINE_EVERY_MS = 5000;

export function progressModeFor(stream: NodeJS.WriteStream, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

function describe(s: ProgressSnapshot): string {
  const decided = Object.values(s.decisions).reduce((sum, n) => sum + n, 0);
  const routes = Object.entries(s.decisions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, n]) => `${route} ${n}`)
    .join(', ');
  const uploadFailed = s.uploadFailed > 0 ? ` (${s.uploadFailed} upload errors)` : '';
  return (
    `uploaded ${s.uploaded}/${s.planned}${uploadFailed} | decided ${decided}${routes ? ` (${routes})` : ''}` +
    ` | failed ${s.failed} | in flight ${s.inFlight} | lag ${(s.lagMs / 1000).toFixed(1)} s`
  );
}

export function createProgress(
  mode: ProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  if (mode === 'none') return { update() {}, stop() {} };
  if (mode === 'lines') {
    let lastMs = Number.NEGATIVE_INFINITY;
    let last: ProgressSnapshot | undefined;
    return {
      update(snapshot) {
        last = snapshot;
        if (snapshot.elapsedMs - lastMs < LINE_EVERY_MS) return;
        lastMs = snapshot.elapsedMs;
        stream.write(`load ${(snapshot.elapsedMs / 1000).toFixed(0)} s: ${describe(snapshot)}\n`);
      },
      stop() {
        if (last && last.elapsedMs !== lastMs)
          stream.write(`load ${(last.elapsedMs / 1000).toFixed(0)} s: ${describe(last)}\n`);
      },
    };
  }
  const bar = new SingleBar({ format: '{bar} {status}', stream, hideCursor: true, barsize: 20 });
  let started = false;
  return {
    update(snapshot) {
      if (!started) {
        bar.start(snapshot.planned, 0, { status: '' });
        started = true;
      }
      bar.update(snapshot.uploaded + snapshot.uploadFailed, { status: describe(snapshot) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
