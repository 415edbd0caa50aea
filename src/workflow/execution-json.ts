/**
 * Step Functions hands an execution's input and output around as JSON text (DescribeExecution,
 * ListExecutions' callers, the ResultWriter's records). Readers that must carry on past a record
 * they cannot read take it as "absent" rather than failing the whole listing.
 */
export function parseExecutionJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
