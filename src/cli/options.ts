/**
 * What the command registrations share: option parsers, choices and defaults. Registrations run for
 * every command and for `--help`, so this module stays light (commander and constants only); the
 * command actions import the same values from here.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';

/** `scones test-cases --target`: the engines its cases run on. */
export const TEST_CASE_TARGETS = ['embedded', 'emulator', 'localstack', 'compose'] as const;
/** `scones deploy --target`: every target but the embedded tier, which needs no deployment. */
export const DEPLOY_TARGETS = ['emulator', 'compose', 'containers', 'aws'];
/** `scones promote --target` and `scones teardown --target`: an AWS account, or a running `scones up`. */
export const PROMOTE_TARGETS = ['aws', 'local'] as const;
export const DEFAULT_REVIEW_PORT = 8089;
/** Where `scones monitor` (and the end of `scones demo`) writes the report. */
export const DEFAULT_REPORT = path.join('.scones', 'monitor', 'report.html');
/** Exit code of `scones monitor --fail-on-alarm` when an alarm is in ALARM. */
export const ALARM_EXIT_CODE = 2;

/** A confidence threshold, 0 to 1; kept as the string the config module parses. */
export function parseThresholdOption(value: string): string {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError('must be a number between 0 and 1');
  }
  return value;
}

/** MaxConcurrency of the batch's Distributed Map: 1 to 10,000 child workflows at once. */
export function parseBatchConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('must be an integer from 1 to 10000');
  return n;
}

export function parseFailurePercentage(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('must be a number from 0 to 100');
  return n;
}

export function intOption(value: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

export function numberOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
}

/** A whole number of at least 0, the error naming the option (`--count must be ...`). */
export function wholeNumberOption(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
    return n;
  };
}

/** A whole number of at least 1. */
export function countOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

/** A repeatable option's values, in the order given. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A blue/green canary's share of the new fleet's capacity: 1 to 50 % (SageMaker's CAPACITY_PERCENT). */
export function canaryPercentOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50)
    throw new InvalidArgumentError('must be a whole number from 1 to 50');
  return n;
}

/** A baking period: 0 to 3600 seconds (WaitIntervalInSeconds). */
export function bakeSecondsOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3600)
    throw new InvalidArgumentError('must be whole seconds from 0 to 3600');
  return n;
}
