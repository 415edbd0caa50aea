/**
 * The state of one resource kind, in memory and in one JSON file (`<dataDir>/<kind>.json`).
 * Every change schedules a write of the whole file (written to a temporary name, then renamed,
 * so a crash leaves the previous version whole); changes made while a write is under way are
 * coalesced into the next one. The files are small (records, not data): a whole-file write is
 * simpler than a journal and costs well under a millisecond.
 *
 * Names are keys case-insensitively, as SageMaker's lowercased ARNs make them.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class StateFileError extends Error {
  override name = 'StateFileError';
}

export class Table<T> {
  readonly #file: string;
  readonly #rows = new Map<string, T>();
  #dirty = false;
  #writing: Promise<void> | undefined;
  #failure: Error | undefined;

  constructor(dataDir: string, kind: string, keyOf: (row: T) => string) {
    mkdirSync(dataDir, { recursive: true });
    this.#file = join(dataDir, `${kind}.json`);
    let text: string | undefined;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) return;
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (error) {
      // Starting empty would overwrite what is there at the first change: refuse instead.
      throw new StateFileError(
        `${this.#file} is not JSON (${(error as Error).message}); move it away to start afresh`,
      );
    }
    if (!Array.isArray(rows)) throw new StateFileError(`${this.#file} does not hold a list of ${kind}`);
    for (const row of rows as T[]) this.#rows.set(keyOf(row).toLowerCase(), row);
  }

  get(name: string): T | undefined {
    return this.#rows.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.#rows.has(name.toLowerCase());
  }

  values(): T[] {
    return [...this.#rows.values()];
  }

  put(name: string, row: T): void {
    this.#rows.set(name.toLowerCase(), row);
    this.save();
  }

  delete(name: string): void {
    this.#rows.delete(name.toLowerCase());
    this.save();
  }

  /** Records that a row changed in place. */
  save(): void {
    this.#dirty = true;
    this.#writing ??= this.#drain();
  }

  /** Resolves when the file holds every change so far; rejects if a write failed. */
  async flush(): Promise<void> {
    await this.#writing;
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const temporary = `${this.#file}.${process.pid}.tmp`;
        await writeFile(temporary, `${JSON.stringify(this.values(), null, 1)}\n`);
        await rename(temporary, this.#file);
      }
      this.#failure = undefined;
    } catch (error) {
      this.#failure = error as Error;
    } finally {
      this.#writing = undefined;
    }
  }
}
