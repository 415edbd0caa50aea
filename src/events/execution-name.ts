/**
 * The name of the classification execution an upload starts, computed from the object so that
 * every delivery of one upload event (EventBridge delivers at least once) asks for the same name,
 * and a second StartExecution of that name is a no-op on Standard workflows (same name and input
 * while running: the same execution; closed: ExecutionAlreadyExists; StartExecution API reference).
 *
 * The intake state machine (`statemachine/image-intake.asl.json`) computes it on AWS with
 * `States.Hash(States.Format('{}/{}/{}', bucket, key, sequencer), 'SHA-256')`; this module computes
 * the very same string (a test runs the intake ASL against it), so tools can predict the name.
 * SHA-256 in hex is 64 characters of [0-9a-f]: within Step Functions' name rules for any key, also
 * CloudWatch Logs' stricter ones. The key cannot be made readable in the name with intrinsics
 * (no character replacement, no substring); review items and outcomes carry `s3_key` instead.
 * `/` cannot occur in a bucket name nor in a sequencer (hex), so the joined text is unambiguous.
 */
import { createHash } from 'node:crypto';
import { objectOfEvent } from './s3-events.ts';

export const MAX_EXECUTION_NAME_LENGTH = 80;
const CLOUDWATCH_SAFE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/**
 * What StartExecution's `name` must not contain (API reference, StartExecution, name): white space,
 * brackets, wildcards, `"#%\^|~`$&,;:/`, and control characters (U+0000-001F, U+007F-009F).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule names control characters
const FORBIDDEN_IN_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export interface ObjectVersionRef {
  bucket: string;
  key: string;
  /** S3's per-key event sequencer: it tells one upload of a key from the next. */
  sequencer: string;
}

export function executionNameForObject(object: ObjectVersionRef): string {
  return createHash('sha256')
    .update(`${object.bucket}/${object.key}/${object.sequencer}`, 'utf8')
    .digest('hex');
}

/** The name for the object an S3 EventBridge event is about; undefined for other events. */
export function executionNameForEvent(event: unknown): string | undefined {
  const object = objectOfEvent(event);
  return object ? executionNameForObject(object) : undefined;
}

/** Step Functions' rule for execution names: 1 to 80 characters, none of the forbidden ones. */
export function isValidExecutionName(name: string): boolean {
  const length = [...name].length;
  return length >= 1 && length <= MAX_EXECUTION_NAME_LENGTH && !FORBIDDEN_IN_NAME.test(name);
}

/** Only the characters every tool accepts (CloudWatch Logs' rule), at most 80 of them. */
export function isSafeExecutionName(name: string): boolean {
  return CLOUDWATCH_SAFE_NAME.test(name);
}
