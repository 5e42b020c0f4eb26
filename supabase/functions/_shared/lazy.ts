/** A loader that runs once: every caller shares the first call's promise (an SDK imported on first use). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => loaded ??= load();
}

/** Starts loaders without waiting; a failure surfaces in the first real use, which awaits the same promise. */
export function startLoading(loaders: Record<string, () => Promise<unknown>>): void {
  for (const load of Object.values(loaders)) load().catch(() => {});
}
