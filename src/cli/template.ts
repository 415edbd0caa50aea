/**
 * `scones template [--stage S] [--target T] [--bucket B] [--arch A] [--out FILE]`: the stage's
 * CloudFormation template (src/template/), printed or written to a file. Offline: nothing is read
 * from an account. On AWS the bucket defaults to promote's `scones-<stage>-<account>-<region>`,
 * spelled with the stack's pseudo parameters so one template serves any account and region.
 */
import { writeFile } from 'node:fs/promises';
import { validateStage } from '../promote/options.ts';
import { deploymentConfig } from '../targets/index.ts';
import { generateTemplate } from '../template/index.ts';

export interface TemplateCommandOptions {
  stage?: string;
  target: string;
  bucket?: string;
  arch: 'x86_64' | 'arm64';
  out?: string;
}

/**
 * The stage's bucket in the template: given, or SCONES_BUCKET, or on AWS promote's
 * `scones-<stage>-<account>-<region>` spelled with the stack's pseudo parameters.
 */
export function templateBucket(target: string, stage: string, configured: string, given?: string): string {
  if (given) return given;
  return target === 'aws' && !process.env.SCONES_BUCKET
    ? `scones-${stage}-\${AWS::AccountId}-\${AWS::Region}`
    : configured;
}

export async function templateCommand(options: TemplateCommandOptions): Promise<void> {
  const stage = validateStage(options.stage ?? process.env.SCONES_STAGE ?? 'dev');
  const env = { ...process.env, SCONES_STAGE: stage };
  const config = deploymentConfig(options.target, env);
  const bucket = templateBucket(options.target, stage, config.bucket, options.bucket);
  const template = generateTemplate({ config: { ...config, bucket }, arch: options.arch });
  const text = `${JSON.stringify(template, null, 2)}\n`;
  if (!options.out) {
    process.stdout.write(text);
    return;
  }
  await writeFile(options.out, text);
  console.error(
    `wrote ${options.out}: ${Object.keys(template.Resources).length} resources, parameters ${Object.keys(template.Parameters).join(', ')}`,
  );
}
