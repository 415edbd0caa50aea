/**
 * Calls a function's Lambda entry point (`handler`) in a fresh Node process with only the given
 * environment, as a deployed Lambda would be configured: proves the entry builds its clients from
 * the config module, not from anything a test set up in-process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type EntryOutcome = { result: Record<string, unknown> } | { error: { name: string; message: string } };

export async function invokeLambdaEntry(
  handlerPath: string,
  event: unknown,
  env: Record<string, string>,
): Promise<EntryOutcome> {
  const handlerUrl = new URL(`../../${handlerPath}`, import.meta.url).href;
  const script = `const { handler } = await import(${JSON.stringify(handlerUrl)});
    let outcome;
    try { outcome = { result: await handler(${JSON.stringify(event)}) }; }
    catch (error) { outcome = { error: { name: error.name, message: error.message } }; }
    process.stdout.write(JSON.stringify(outcome));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return JSON.parse(stdout) as EntryOutcome;
}
