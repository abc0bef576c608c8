/**
 * Runs `work` over `items` with at most `limit` in flight. `shouldStop` is checked before each
 * dispatch, so an interrupt lets in-flight work finish (and be journalled) but starts nothing new.
 */
export async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, shouldStop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !shouldStop()) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
