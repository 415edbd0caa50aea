/**
 * The check a deploy runs before it creates anything: every definition it will send (the
 * classification and intake state machines, the batch and the retraining unless left out),
 * rendered as it will send them, with the ARNs its resources get (the stage's names in the account
 * STS reports), and validated by the kit's validator (src/asl/: what ValidateStateMachineDefinition
 * answers on `scones up`, what CreateStateMachine would refuse on AWS). Any ERROR diagnostic refuses
 * the deploy, a plan too, with an InvalidDefinitionError listing them; warnings do not.
 */
import path from 'node:path';
import { InvalidDefinitionError, type RefusedDefinition, validateDefinition } from '../asl/index.ts';
import type { KitConfig } from '../config.ts';
import {
  DEFINITION_PATHS,
  type DefinitionName,
  FUNCTIONS,
  type FunctionKey,
  intakeSubstitutionsFor,
  readTemplate,
  renderDefinition,
  substitutionsFor,
} from '../workflow/definition.ts';
import { type arns, type DeploymentScope, resourceNames } from '../workflow/names.ts';
import { batchSpecs } from './batch.ts';
import { retrainingSpecs, retrainingSubstitutions, trainingImageFor } from './retraining.ts';

export interface DefinitionCheck {
  config: KitConfig;
  scope: DeploymentScope;
  arn: ReturnType<typeof arns>;
  environment: Record<string, string>;
  /** Templates in place of statemachine/'s files (deploy's `definitions`). */
  templates?: Partial<Record<DefinitionName, string>>;
  batch: boolean;
  retraining: boolean;
}

export async function checkDefinitions(input: DefinitionCheck): Promise<void> {
  const refused: RefusedDefinition[] = [];
  for (const [name, text] of await renderedDefinitions(input)) {
    const { result, diagnostics } = validateDefinition(text, { type: 'STANDARD' });
    if (result === 'FAIL') refused.push({ source: sourceOf(name, input.templates), diagnostics });
  }
  if (refused.length > 0) throw new InvalidDefinitionError(refused);
}

/** Each definition's text as deploy will send it (a broken template stays text: it is a finding). */
async function renderedDefinitions(input: DefinitionCheck): Promise<[DefinitionName, string][]> {
  const { config, arn } = input;
  const names = resourceNames(config.stage);
  const render = (name: DefinitionName, substitutions: Record<string, string>) =>
    renderDefinition(substitutions, input.templates?.[name] ?? readTemplate(name));
  const functionArns = Object.fromEntries(
    (Object.keys(FUNCTIONS) as FunctionKey[]).map((key) => [key, arn.function(names.functions[key])]),
  ) as Record<FunctionKey, string>;
  const classificationStateMachineArn = arn.stateMachine(names.stateMachine);
  const rendered: [DefinitionName, string][] = [
    [
      'classification',
      render(
        'classification',
        substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
      ),
    ],
    ['intake', render('intake', intakeSubstitutionsFor({ classificationStateMachineArn }))],
  ];
  if (input.batch) {
    const { substitutions } = batchSpecs({ ...input, classificationStateMachineArn });
    rendered.push(['batch', render('batch', substitutions)]);
  }
  if (input.retraining) {
    const { functionArns: retrainingArns } = retrainingSpecs(input);
    const trainingImage = await trainingImageFor(config.region);
    rendered.push([
      'retraining',
      render('retraining', retrainingSubstitutions(config, arn, retrainingArns, trainingImage)),
    ]);
  }
  return rendered;
}

function sourceOf(name: DefinitionName, templates: DefinitionCheck['templates']): string {
  const file = `statemachine/${path.basename(DEFINITION_PATHS[name])}`;
  return templates?.[name] === undefined ? file : `the ${name} definition given in place of ${file}`;
}
