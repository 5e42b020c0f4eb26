// Records that live under another of the account's records (a trunk's origination URLs, a list's credentials).
import { type ApiContext, findOwned } from "./api-context.ts";
import { notFound } from "./errors.ts";
import type { Store } from "./store.ts";

/** The store's maps of account-owned records, by name, and the record each holds. */
type OwnedRecords = {
  [K in keyof Store as Store[K] extends Map<string, { accountSid: string }> ? K : never]: Store[K] extends
    Map<string, infer T> ? T : never;
};

/**
 * A lookup of the account's `records` under a parent in `parents`, linked by the record's `parentField`: the
 * record, or 404 as findOwned gives it, also when the parent is not the account's or not the record's.
 */
export function ownedUnder<K extends keyof OwnedRecords>(
  parents: keyof OwnedRecords,
  records: K,
  parentField: keyof OwnedRecords[K],
): (ctx: ApiContext, parentSid: string, sid: string) => OwnedRecords[K] {
  return (ctx, parentSid, sid) => {
    findOwned(ctx, ctx.store[parents] as Map<string, { accountSid: string }>, parentSid);
    const record = findOwned(ctx, ctx.store[records] as Map<string, OwnedRecords[K]>, sid);
    if (record[parentField] !== parentSid) throw notFound(ctx.url.pathname);
    return record;
  };
}
