/**
 * A lock directory that serializes installs between processes (parallel test files, the test run's
 * global setup): `mkdir` is atomic. The holder writes its pid inside, so a lock left by a process
 * that died (a run stopped with Ctrl-C mid-install) is taken over at once, not after a timeout.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A lock older than this belongs to a run that hung; installs here take well under it. */
const STALE_LOCK_MS = 15 * 60_000;
/** How long a fresh lock may lack its pid file (between the holder's mkdir and its write). */
const PID_GRACE_MS = 5_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockDir: string): Promise<boolean> {
  const created = await stat(lockDir).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  if (created === undefined) return false; // released meanwhile: try again
  const age = Date.now() - created;
  if (age > STALE_LOCK_MS) return true;
  const pid = Number.parseInt(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => ''), 10);
  return Number.isInteger(pid) ? !isAlive(pid) : age > PID_GRACE_MS;
}

export async function withInstallLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(lockDir)) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((done) => setTimeout(done, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
