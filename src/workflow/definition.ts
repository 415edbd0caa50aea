/**
 * The one ASL definition and its `${...}` definition substitutions (as in AWS SAM's
 * `DefinitionSubstitutions`). Every target (embedded, emulator, containers, AWS) loads the same
 * file through here; only the substituted values differ.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFINITION_PATH = fileURLToPath(
  new URL('../../statemachine/image-classification.asl.json', import.meta.url),
);

/** The kit's three functions, keyed by the logical name used in substitutions and deployments. */
export const FUNCTIONS = {
  serialize: { logicalName: 'SerializeImageData', folder: 'serialize-image-data' },
  classify: { logicalName: 'ClassifyImage', folder: 'classify-image' },
  filter: { logicalName: 'FilterInferences', folder: 'filter-inferences' },
} as const;
export type FunctionKey = keyof typeof FUNCTIONS;

export interface WorkflowResources {
  functionArns: Record<FunctionKey, string>;
  reviewBucket: string;
  reviewPrefix: string;
}

export function substitutionsFor(resources: WorkflowResources): Record<string, string> {
  return {
    SerializeImageDataFunctionArn: resources.functionArns.serialize,
    ClassifyImageFunctionArn: resources.functionArns.classify,
    FilterInferencesFunctionArn: resources.functionArns.filter,
    ReviewBucket: resources.reviewBucket,
    ReviewPrefix: resources.reviewPrefix,
  };
}

export class DefinitionError extends Error {
  override name = 'DefinitionError';
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The ASL text with every placeholder replaced; fails on a missing or an unused substitution. */
export function renderDefinition(substitutions: Record<string, string>, template = readTemplate()): string {
  const used = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new DefinitionError(`No value for definition substitution \${${name}}`);
    used.add(name);
    // Placeholders sit inside JSON strings: escape the value as JSON string content.
    return JSON.stringify(value).slice(1, -1);
  });
  const unused = Object.keys(substitutions).filter((name) => !used.has(name));
  if (unused.length > 0) throw new DefinitionError(`Unknown definition substitutions: ${unused.join(', ')}`);
  return text;
}

export function loadDefinition(substitutions: Record<string, string>): Record<string, unknown> {
  return JSON.parse(renderDefinition(substitutions)) as Record<string, unknown>;
}

let cachedTemplate: string | undefined;
function readTemplate(): string {
  cachedTemplate ??= readFileSync(DEFINITION_PATH, 'utf8');
  return cachedTemplate;
}
