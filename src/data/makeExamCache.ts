/** Options of {@link makeExamCache}. */
export interface MakeExamCacheOptions<K, V> {
  /** Most entries kept decoded at once, a positive integer. */
  capacity: number;
  /** Decodes one entry (reads and prepares an exam). */
  load: (key: K) => Promise<V>;
}

/** A least-recently-used cache of decoded exams. */
export interface ExamCache<K, V> {
  /** The entry for `key`, decoded now if it is not cached (evicting the least recently used one when full). */
  get(key: K): Promise<V>;
  /** Drop one entry (when the caller knows it will not be needed soon); false when it was not held. */
  delete(key: K): boolean;
  /** Keys currently held, least recently used first. */
  keys(): K[];
  /** Drop every entry. */
  clear(): void;
}

/**
 * A small LRU cache so that training streams exams from disk and holds at most `capacity` decoded ones
 * (a 1 mm brain as float32 is ~30 MB). A failed load is not cached, so the error repeats on the next `get`.
 *
 * @throws RangeError when `capacity` is not a positive integer.
 */
export function makeExamCache<K, V>(options: MakeExamCacheOptions<K, V>): ExamCache<K, V> {
  const { capacity, load } = options;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`makeExamCache: capacity is ${capacity}, expected a positive integer`);
  }
  // Map keeps insertion order: re-inserting on every hit keeps the least recently used entry first.
  const entries = new Map<K, Promise<V>>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const pending = load(key);
      entries.set(key, pending);
      pending.catch(() => {
        if (entries.get(key) === pending) entries.delete(key);
      });
      while (entries.size > capacity) entries.delete(entries.keys().next().value as K);
      return pending;
    },
    delete: (key) => entries.delete(key),
    keys: () => [...entries.keys()],
    clear: () => entries.clear(),
  };
}
