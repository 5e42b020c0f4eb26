/** What the operator tasks' tallies have in common. */

const MAX_ERROR_MESSAGES = 20;

/**
 * Counts an error under its message alone (a database error also carries the query's parameters, which may be
 * secrets); past MAX_ERROR_MESSAGES different messages, new ones are no longer listed.
 */
export function countErrorMessage(messages: Record<string, number>, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (message in messages || Object.keys(messages).length < MAX_ERROR_MESSAGES) {
    messages[message] = (messages[message] ?? 0) + 1;
  }
}
