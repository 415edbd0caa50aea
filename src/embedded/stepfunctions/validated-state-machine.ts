/**
 * Builds an aws-local-stepfunctions StateMachine, validating its definition once per content.
 *
 * The library validates the definition (asl-validator) every time it builds a state machine; the
 * first validation in a process compiles asl-validator's JSON schemas (about 300 ms of CPU, the
 * largest part of `scones classify`'s start-up; patches/README.md keeps later ones cheap). A definition that
 * passed passes again with the same validator, so a passing one is remembered by a hash of its
 * content and of both packages' versions: in this process, and as an empty marker file under
 * `node_modules/.cache/scones/valid-asl/` for the next processes (best effort: a read-only install
 * only loses the cache). A failing definition is never remembered: its errors show every time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { installJsonata, resolveQueryLanguages } from './jsonata/index.ts';

// JSONata states run through the kit's extension of the engine (jsonata/state-executor.ts).
installJsonata();

const CACHE_DIR = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'node_modules',
  '.cache',
  'scones',
  'valid-asl',
);

let validatorVersions: string | undefined;
/** Both packages decide what passes: the library picks asl-validator's options. */
function versions(): string {
  if (validatorVersions === undefined) {
    const require = createRequire(import.meta.url);
    // Their `exports` hide package.json; it sits above each entry point's folder.
    const versionOf = (entry: string, up: number) => {
      const file = path.join(path.dirname(require.resolve(entry)), ...Array(up).fill('..'), 'package.json');
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    };
    validatorVersions = `aws-local-stepfunctions@${versionOf('aws-local-stepfunctions', 1)} asl-validator@${versionOf('asl-validator', 2)}`;
  }
  return validatorVersions;
}

const validInThisProcess = new Set<string>();

export function validatedStateMachine(written: StateMachineDefinition): StateMachine {
  // Every state carries its query language: Map and Parallel run their states as machines of
  // their own, which would not know the enclosing one's (jsonata/query-language.ts).
  const definition = resolveQueryLanguages(written as never) as StateMachineDefinition;
  // Hashed before building: asl-validator fills in defaults (QueryLanguage) on the object.
  const key = createHash('sha256').update(versions()).update(JSON.stringify(definition)).digest('hex');
  const marker = path.join(CACHE_DIR, key);
  if (validInThisProcess.has(key) || existsSync(marker)) {
    validInThisProcess.add(key);
    return new StateMachine(definition, { validationOptions: { noValidate: true } });
  }
  const machine = new StateMachine(definition); // throws, naming the errors, when invalid
  validInThisProcess.add(key);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    // Not writable: the next process validates again.
  }
  return machine;
}
