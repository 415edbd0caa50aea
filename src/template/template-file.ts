/**
 * `scones deploy --via cloudformation --template FILE`: deploy the template a pipeline reviewed
 * (written by `scones template`, maybe changed by hand) instead of generating it again. Names inside
 * it are fixed per stage and the Lambdas' endpoints per target, so a template of another stage or
 * target is refused before anything is uploaded, as is a file that is not a template.
 */
import { readFile } from 'node:fs/promises';
import type { KitConfig } from '../config.ts';
import { StackInputError } from './stack-input.ts';
import type { CfnTemplate } from './types.ts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a parsed template against the stage and target it is deployed to. */
export function checkedTemplate(parsed: unknown, source: string, config: KitConfig): CfnTemplate {
  const refuse = (problem: string) => {
    throw new StackInputError(`Nothing was deployed: ${source} ${problem}`);
  };
  if (!isRecord(parsed) || !isRecord(parsed.Resources) || !isRecord(parsed.Parameters)) {
    return refuse('is not a CloudFormation template with Parameters and Resources');
  }
  const metadata = isRecord(parsed.Metadata) ? parsed.Metadata : {};
  const stage = metadata['scones:stage'];
  const target = metadata['scones:target'];
  if (stage !== config.stage) {
    refuse(
      `was generated for stage "${String(stage)}", not "${config.stage}": its resource names are that stage's (generate it with --stage ${config.stage})`,
    );
  }
  if (target !== config.target) {
    refuse(
      `was generated for target "${String(target)}", not "${config.target}": the Lambdas' endpoints and the ARNs differ per target`,
    );
  }
  return parsed as unknown as CfnTemplate;
}

export async function readTemplateFile(path: string, config: KitConfig): Promise<CfnTemplate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new StackInputError(`Nothing was deployed: cannot read ${path} (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StackInputError(
      `Nothing was deployed: ${path} is not JSON (${(error as Error).message}); \`scones template\` writes JSON`,
    );
  }
  return checkedTemplate(parsed, path, config);
}
