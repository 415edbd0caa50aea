// Prints vitest's JSON report as one plain closing line: "N passed, N failed, N skipped".
// A test file that failed before any of its tests could run (a beforeAll that threw, such as a
// missing Python for the emulator tier) counts as one failure, never as skipped tests alone.
import { readFileSync } from 'node:fs';

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}

const report = JSON.parse(readFileSync(process.argv[2] ?? '.scones/test-results.json', 'utf8')) as Report;
const filesFailedWithoutTests = report.testResults.filter(
  (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
).length;
const failed = report.numFailedTests + filesFailedWithoutTests;
console.log(
  `${report.numPassedTests} passed, ${failed} failed, ${report.numPendingTests + report.numTodoTests} skipped`,
);
