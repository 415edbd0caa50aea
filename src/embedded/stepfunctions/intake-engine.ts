/**
 * The intake state machine in-process (`statemachine/image-intake.asl.json`): the target of the
 * image-uploaded rule, which starts the classification under the name computed from the object.
 * It lives beside the classification engine, in its state-machine registry, under the ARN a
 * deployment gives it in the same account and region. Building it again (an edited `template`,
 * `scones up --watch`) replaces it there for the next upload.
 */

import { readFileSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFINITION_PATHS, intakeSubstitutionsFor, renderDefinition } from '../../workflow/definition.ts';
import { resourceNames } from '../../workflow/names.ts';
import { EmbeddedEngine } from './engine.ts';
import type { ExecutionRegistry } from './execution-registry.ts';

export interface IntakeEngineOptions {
  stage: string;
  s3: S3Client;
  retryDelayMs?: number;
  /** The ASL template text instead of the repository's file (with its `${...}` placeholder). */
  template?: string;
  /** The intake's executions, kept across rebuilds (`--watch`); default a registry of its own. */
  executions?: ExecutionRegistry;
}

export function createIntakeEngine(
  classification: EmbeddedEngine,
  options: IntakeEngineOptions,
): EmbeddedEngine {
  const name = resourceNames(options.stage).intakeStateMachine;
  const substitutions = intakeSubstitutionsFor({
    classificationStateMachineArn: classification.stateMachineArn,
  });
  const template = options.template ?? readFileSync(DEFINITION_PATHS.intake, 'utf8');
  return new EmbeddedEngine({
    definition: JSON.parse(renderDefinition(substitutions, template)) as Record<string, unknown>,
    functions: {},
    clients: { s3: options.s3 },
    stateMachineArn: classification.stateMachineArn.replace(/:stateMachine:[^:]+$/, `:stateMachine:${name}`),
    stateMachines: classification.stateMachines,
    ...(options.executions ? { executions: options.executions } : {}),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
}
