import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, openRunLog, runLogDir } from '../../src/embedded/functions/index.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-run-log-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('run log', () => {
  it('writes every line, in order, to <data dir>/logs/<run id>.jsonl, and echoes them when asked', async () => {
    const echo = new PassThrough();
    const echoed: Buffer[] = [];
    echo.on('data', (chunk: Buffer) => echoed.push(chunk));
    const log = await openRunLog(dataDir, { runId: 'ordered', echo });
    expect(log.path).toBe(path.join(runLogDir(dataDir), 'ordered.jsonl'));
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i }));
    for (const [index, line] of lines.entries()) {
      log.write(line);
      // Some turns of the event loop in between: lines written across several batches.
      if (index % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.close();
    const expected = `${lines.join('\n')}\n`;
    expect(await readFile(log.path, 'utf8')).toBe(expected);
    expect(Buffer.concat(echoed).toString('utf8')).toBe(expected);
    expect(log.lines).toBe(5000);
  });

  it('appends to an existing file of the same run id rather than losing it', async () => {
    const first = await openRunLog(dataDir, { runId: 'again' });
    first.write('{"n":1}');
    await first.close();
    const second = await openRunLog(dataDir, { runId: 'again' });
    second.write('{"n":2}');
    await second.close();
    expect(await readFile(second.path, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('names runs by start time, so files sort in time order', () => {
    const earlier = newRunId(new Date('2026-11-26T09:00:00.000Z'));
    const later = newRunId(new Date('2026-11-26T10:00:00.000Z'));
    expect(earlier).toMatch(/^2026-11-26T09-00-00-000Z-[0-9a-f]{6}$/);
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });

  it('refuses a run id that is not a plain file name, and a data dir it cannot use', async () => {
    await expect(openRunLog(dataDir, { runId: '../escape' })).rejects.toThrow(/run id must be/);
    const file = path.join(dataDir, 'not-a-folder');
    await writeFile(file, 'x');
    await expect(openRunLog(file)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
