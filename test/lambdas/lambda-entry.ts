/**
 * Calls a function's Lambda entry point (`handler`) in a fresh Node process with only the given
 * environment, as a deployed Lambda would be configured: proves the entry builds its clients from
 * the config module, not from anything a test set up in-process. The handler's own stdout lines
 * (Powertools log records and EMF documents, as Lambda would ship them) come back as `stdout`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type EntryOutcome = (
  | { result: Record<string, unknown> }
  | { error: { name: string; message: string } }
) & { stdout: string[] };

/** Marks the outcome line among the handler's own output. */
const OUTCOME = 'lambda-entry-outcome:';

export async function invokeLambdaEntry(
  handlerPath: string,
  event: unknown,
  env: Record<string, string>,
  context: Record<string, string> = {},
): Promise<EntryOutcome> {
  const handlerUrl = new URL(`../../${handlerPath}`, import.meta.url).href;
  const script = `const { handler } = await import(${JSON.stringify(handlerUrl)});
    let outcome;
    try { outcome = { result: await handler(${JSON.stringify(event)}, ${JSON.stringify(context)}) }; }
    catch (error) { outcome = { error: { name: error.name, message: error.message } }; }
    process.stdout.write(${JSON.stringify(OUTCOME)} + JSON.stringify(outcome) + '\\n');`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const lines = stdout.split('\n').filter((line) => line !== '');
  const outcome = lines.find((line) => line.startsWith(OUTCOME));
  if (!outcome) throw new Error(`the entry printed no outcome; stdout:\n${stdout}`);
  return {
    ...(JSON.parse(outcome.slice(OUTCOME.length)) as Omit<EntryOutcome, 'stdout'>),
    stdout: lines.filter((line) => line !== outcome),
  } as EntryOutcome;
}
