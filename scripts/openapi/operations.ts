/**
 * The contract's endpoints as operations, a function's method each, as both its readers need them: the OpenAPI
 * document (one operation for all its callers) and the tests' check of every answer (the operation a request
 * reached).
 */
import {
  type Endpoint,
  ENDPOINTS,
  ERROR_CODES,
  type ErrorCode,
  type FunctionName,
} from "../../supabase/functions/_shared/contract/index.ts";

/** Every operation's endpoints (one per kind of caller), in the contract's order. */
export function operations(): Endpoint[][] {
  const groups = new Map<string, Endpoint[]>();
  for (const endpoint of ENDPOINTS) {
    const key = `${endpoint.fn} ${endpoint.method}`;
    groups.set(key, [...groups.get(key) ?? [], endpoint]);
  }
  return [...groups.values()];
}

/** The endpoints of `fn`'s `method`; none where the function does not serve it. */
export const operationOf = (fn: FunctionName, method: string): Endpoint[] =>
  ENDPOINTS.filter((endpoint) => endpoint.fn === fn && endpoint.method === method);

/** The error codes the endpoints declare, in the contract's order of codes. */
export function declaredErrors(endpoints: readonly Endpoint[]): ErrorCode[] {
  const declared = new Set(endpoints.flatMap((endpoint) => endpoint.errors));
  return ERROR_CODES.filter((code) => declared.has(code));
}
