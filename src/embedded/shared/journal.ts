import { readFile } from 'node:fs/promises';

/**
 * The entries of an append-only JSON-lines journal (CloudWatch Logs', CloudWatch's state), in
 * order; none when the file does not exist yet. Reading stops at the first line that is not JSON:
 * a write cut short by a crash is the journal's last line, and what follows it cannot be trusted.
 */
export async function readJournal<Entry>(file: string): Promise<Entry[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as Entry);
    } catch {
      break;
    }
  }
  return entries;
}
