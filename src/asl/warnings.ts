/**
 * The three warnings the API reference lists, for JSONPath states (a JSONata state has no `.$`
 * fields and no `*Path` fields to forget): NO_DOLLAR, a payload-template field whose value looks
 * like a path or an intrinsic function but whose name lacks `.$` (passed on as a literal string);
 * NO_PATH, a Fail state's Error or Cause that looks like a path (ErrorPath and CausePath evaluate
 * one); PASS_RESULT_IS_STATIC, a `.$` field in a Pass state's Result, which is never evaluated.
 * Warnings never fail a definition.
 */
import { CODES, type Segment, warning } from './diagnostics.ts';
import { allStates } from './scopes.ts';
import { isObject, languageOf } from './states.ts';
import type { DefinitionDiagnostic, QueryLanguage } from './types.ts';

/** Payload templates: their `.$` fields are evaluated, the others copied as they are. */
const TEMPLATES = ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign'] as const;
const LOOKS_EVALUATED = /^(\$\$?(\.|\[|$)|States\.[A-Za-z]+\()/;

export function checkWarnings(definition: Record<string, unknown>): DefinitionDiagnostic[] {
  const rootLanguage: QueryLanguage = definition.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath';
  const found: DefinitionDiagnostic[] = [];
  for (const [state, path] of allStates(definition)) {
    if (languageOf(state, rootLanguage) !== 'JSONPath') continue;
    for (const template of TEMPLATES) {
      if (isObject(state[template])) found.push(...noDollar(state[template], [...path, template]));
    }
    if (state.Type === 'Fail') {
      for (const field of ['Error', 'Cause'] as const) {
        if (typeof state[field] === 'string' && LOOKS_EVALUATED.test(state[field])) {
          found.push(
            warning(
              CODES.noPath,
              `The value of '${field}' looks like a path, but the field name does not end with 'Path': it is used as it is`,
              [...path, field],
            ),
          );
        }
      }
    }
    if (state.Type === 'Pass' && hasDollarField(state.Result)) {
      found.push(
        warning(
          CODES.passResultIsStatic,
          "A Pass state's Result is static: its fields ending in '.$' are not evaluated (Parameters evaluates them)",
          [...path, 'Result'],
        ),
      );
    }
  }
  return found;
}

function noDollar(template: Record<string, unknown>, path: Segment[]): DefinitionDiagnostic[] {
  return Object.entries(template).flatMap(([field, value]) => {
    const at = [...path, field];
    if (isObject(value)) return noDollar(value, at);
    if (field.endsWith('.$') || typeof value !== 'string' || !LOOKS_EVALUATED.test(value)) return [];
    return [
      warning(
        CODES.noDollar,
        `The value of '${field}' looks like a JSONPath or an intrinsic function, but the field name does not end with '.$': it is passed on as a literal string`,
        at,
      ),
    ];
  });
}

function hasDollarField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDollarField);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([field, nested]) => field.endsWith('.$') || hasDollarField(nested));
}
