/**
 * Lines appended to one file, gathered so that every line added before a write starts goes out in
 * that one write, and writes never overlap. The execution journal and the local S3's object index
 * both need exactly this: under load hundreds of lines arrive per turn, and one append each would
 * cost a system call apiece. `afterWrite` runs inside the same chain, so a compaction there never
 * races an append.
 */
export class BatchedAppender {
  readonly #write: (text: string) => Promise<void>;
  readonly #afterWrite: ((lines: number) => Promise<void>) | undefined;
  #chain: Promise<void> = Promise.resolve();
  #unwritten: string[] = [];
  #next: Promise<void> | undefined;

  constructor(write: (text: string) => Promise<void>, afterWrite?: (lines: number) => Promise<void>) {
    this.#write = write;
    this.#afterWrite = afterWrite;
  }

  /** Resolves once `line` (newline included) is written; rejects when its write failed. */
  append(line: string): Promise<void> {
    this.#unwritten.push(line);
    if (!this.#next) {
      const next = this.#chain.then(async () => {
        this.#next = undefined;
        const lines = this.#unwritten;
        this.#unwritten = [];
        await this.#write(lines.join(''));
        await this.#afterWrite?.(lines.length);
      });
      this.#next = next;
      this.#chain = next.catch(() => undefined);
    }
    return this.#next;
  }

  /** Resolves when every line appended so far has been written (or has failed). */
  idle(): Promise<void> {
    return this.#chain;
  }
}
