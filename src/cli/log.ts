/** Progress and summaries go to stderr, so stdout stays the table or the JSON lines. */
export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
