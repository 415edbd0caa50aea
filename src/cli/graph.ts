/** Pictures for the CLI: the state machine, and each execution's path through it. */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DEFINITION_PATH } from '../workflow/definition.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import { type ExecutionPath, executionPath, renderWorkflowSvg } from '../workflow/graph.ts';

/** State names and transitions do not depend on the substituted values, so the template serves. */
let shape: Record<string, unknown> | undefined;
function definitionShape(): Record<string, unknown> {
  // Read once: `--graph` draws one picture per execution.
  shape ??= JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as Record<string, unknown>;
  return shape;
}

/** Writes a picture as SVG, or as PNG when the file name ends in .png. */
export async function writeSvgOrPng(file: string, svg: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (file.endsWith('.png')) await sharp(Buffer.from(svg)).png().toFile(file);
  else await writeFile(file, svg);
}

export async function writeGraph(file: string, execution?: ExecutionPath): Promise<void> {
  await writeSvgOrPng(file, renderWorkflowSvg(definitionShape(), execution));
}

export async function writeExecutionGraph(directory: string, record: ExecutionRecord): Promise<string> {
  const file = path.join(directory, `${record.name}.png`);
  await writeGraph(file, executionPath(record.history));
  return file;
}

export async function graphCommand(options: { out: string }): Promise<void> {
  await writeGraph(options.out);
  process.stderr.write(`wrote ${options.out}\n`);
}
