/**
 * A uniform sample of a stream in fixed memory, for the per-inference chart: 100,000 points make a
 * 40 MB SVG that says no more than 2,500 do. Bottom-k sampling: each item gets a pseudo-random
 * priority from a hash of its id and the k smallest are kept, so the sample is uniform, and the
 * same whatever order the capture files arrive in (they are read concurrently): the same data
 * gives the same report.
 */

/** FNV-1a (32-bit) of a string, then a murmur3 finaliser so close ids spread over [0, 2^32). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seeded PRNG for synthetic streams and tests: the one the training code uses. */
export { seededRandom } from '../../../training/dataset.ts';

interface Entry<T> {
  priority: number;
  item: T;
}

export class BottomKSample<T> {
  readonly capacity: number;
  /** A max-heap on priority: the root is the first to go when a smaller one comes. */
  readonly #heap: Entry<T>[] = [];
  /** Items offered so far. */
  seen = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  offer(id: string, item: T): void {
    this.seen++;
    const priority = hash32(id);
    const heap = this.#heap;
    if (heap.length < this.capacity) {
      heap.push({ priority, item });
      this.#up(heap.length - 1);
    } else if (heap.length > 0 && priority < (heap[0] as Entry<T>).priority) {
      heap[0] = { priority, item };
      this.#down(0);
    }
  }

  get items(): T[] {
    return this.#heap.map((entry) => entry.item);
  }

  #up(index: number): void {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Entry<T>).priority >= (heap[i] as Entry<T>).priority) break;
      [heap[parent], heap[i]] = [heap[i] as Entry<T>, heap[parent] as Entry<T>];
      i = parent;
    }
  }

  #down(index: number): void {
    const heap = this.#heap;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && (heap[left] as Entry<T>).priority > (heap[largest] as Entry<T>).priority)
        largest = left;
      if (right < heap.length && (heap[right] as Entry<T>).priority > (heap[largest] as Entry<T>).priority)
        largest = right;
      if (largest === i) return;
      [heap[largest], heap[i]] = [heap[i] as Entry<T>, heap[largest] as Entry<T>];
      i = largest;
    }
  }
}
