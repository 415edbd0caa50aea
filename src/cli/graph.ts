/** Pictures for the CLI: the state machine, and each execution's path through it. */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DEFINITION_PATHS, type DefinitionName } from '../workflow/definition.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import { type ExecutionPath, executionPath, renderWorkflowSvg } from '../workflow/graph.ts';

/** State names and transitions do not depend on the substituted values, so the template serves. */
const shapes = new Map<DefinitionName, Record<string, unknown>>();
function definitionShape(name: DefinitionName): Record<string, unknown> {
  // Read once: `--graph` draws one picture per execution.
  let shape = shapes.get(name);
  if (!shape) {
    shape = JSON.parse(readFileSync(DEFINITION_PATHS[name], 'utf8')) as Record<string, unknown>;
    shapes.set(name, shape);
  }
  return shape;
}

/** Writes a picture as SVG, or as PNG when the file name ends in .png. */
export async function writeSvgOrPng(file: string, svg: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (file.endsWith('.png')) await sharp(Buffer.from(svg)).png().toFile(file);
  else await writeFile(file, svg);
}

export async function writeGraph(
  file: string,
  execution?: ExecutionPath,
  definition: DefinitionName = 'classification',
): Promise<void> {
  await writeSvgOrPng(file, renderWorkflowSvg(definitionShape(definition), execution));
}

/** `<directory>/<execution name>.png`: the state machine with the execution's path drawn over it. */
export async function writeExecutionGraph(
  directory: string,
  record: ExecutionRecord,
  definition: DefinitionName = 'classification',
): Promise<string> {
  const file = path.join(directory, `${record.name}.png`);
  await writeGraph(file, executionPath(record.history), definition);
  return file;
}

export async function graphCommand(options: { out: string; stateMachine?: DefinitionName }): Promise<void> {
  await writeGraph(options.out, undefined, options.stateMachine ?? 'classification');
  process.stderr.write(`wrote ${options.out}\n`);
}
