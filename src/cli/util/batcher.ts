/**
 * Batching a stream of numbered input lines into writes: a batch is written when full, once its
 * first item has waited `maxDelayMs` (so a slow producer's records do not wait for a full
 * batch), or when asked. Writes run one at a time and in order; after a failed one nothing more is written.
 */

export interface BatcherOptions<T> {
  /** Write when this many items are waiting. */
  size: number;
  /** Write a partial batch once its first item has waited this long. */
  maxDelayMs: number;
  /** Write `items` (input lines `first` to `last`); resolves when they are acknowledged. */
  write(items: T[], first: number, last: number): Promise<void>;
}

export interface Batcher<T> {
  /** Items written and acknowledged so far. */
  readonly acknowledged: number;
  /** Queue an item; resolves at once, or once the now full batch is written. Throws the first write failure. */
  add(item: T, lineNo: number): Promise<void>;
  /** Write what is waiting, after any write under way; throws the first write failure. */
  flush(): Promise<void>;
  /** Wait for the writes under way, writing nothing more; throws the first write failure. */
  settle(): Promise<void>;
  /** Stop the timer: nothing is written from here on but what `flush` is asked to write. */
  dispose(): void;
}

export function createBatcher<T>(o: BatcherOptions<T>): Batcher<T> {
  let items: T[] = [];
  let first = 0;
  let last = 0;
  let acknowledged = 0;
  let failed = false;
  let disposed = false;
  // Writes chain on this, so they never overlap and a rejection stops the later ones.
  let chain: Promise<void> = Promise.resolve();

  const writeWaiting = async (): Promise<void> => {
    if (items.length === 0) return;
    // Take the batch before awaiting: items added during the write go to the next one.
    const batch = items;
    items = [];
    await o.write(batch, first, last);
    acknowledged += batch.length;
  };
  const flush = (): Promise<void> => {
    chain = chain.then(writeWaiting);
    chain.catch(() => (failed = true));
    return chain;
  };
  // One timer, re-armed (refresh() is cheap) when a batch gets its first item.
  const timer = setTimeout(() => {
    if (items.length > 0 && !failed) flush().catch(() => {}); // the failure is rethrown by the next add, flush or settle
  }, o.maxDelayMs);
  timer.unref();

  return {
    get acknowledged() {
      return acknowledged;
    },
    async add(item, lineNo) {
      if (failed) return flush();
      if (items.length === 0) {
        first = lineNo;
        if (!disposed) timer.refresh();
      }
      last = lineNo;
      items.push(item);
      if (items.length >= o.size) await flush();
    },
    flush,
    settle: () => chain,
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
