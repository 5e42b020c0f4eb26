/** A loader that runs once: every caller shares the first call's promise (an SDK imported on first use). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => loaded ??= load();
}
