/** The typed client for the project's functions: `createApiClient`, its `ApiError`, and the answers' types. */
export { type ApiClient, type ApiClientOptions, createApiClient } from "./client.ts";
export { ApiError, apiErrorFrom } from "./api-error.ts";
export * from "./types.ts";
