/**
 * Work that goes on after the response: handed to `EdgeRuntime.waitUntil` where the runtime has it (Supabase's
 * Edge Runtime, which otherwise may stop the worker once the response is sent), else simply left running. It
 * still ends with the worker, so it must be work that resumes from the database.
 */
import type { Logger } from "./log.ts";

declare const EdgeRuntime: { waitUntil(promise: Promise<unknown>): void } | undefined;

export function continueInBackground(log: Logger, event: string, work: () => Promise<unknown>): void {
  const running = work().catch((error) => log.error(event, { message: (error as Error)?.message }));
  if (typeof EdgeRuntime !== "undefined") EdgeRuntime.waitUntil(running);
}
