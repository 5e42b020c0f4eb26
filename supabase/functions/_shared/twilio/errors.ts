/**
 * Twilio failures as typed errors. `TwilioApiError` carries Twilio's own error code, HTTP status and message;
 * `TwilioNetworkError` is a request that got no answer (timeout, dropped connection). Neither holds credentials.
 */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
    readonly moreInfo?: string,
  ) {
    super(message);
    this.name = "TwilioApiError";
  }

  get isAuthFailure(): boolean {
    return this.status === 401 || this.code === 20003 || this.code === 20005;
  }

  get isNotFound(): boolean {
    return this.status === 404 || this.code === 20404;
  }

  /** Retrying later may succeed: rate limits and Twilio-side failures. */
  get isTransient(): boolean {
    return this.status === 429 || this.code === 20429 || this.status >= 500;
  }
}

export class TwilioNetworkError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "TwilioNetworkError";
  }
}

export type TwilioError = TwilioApiError | TwilioNetworkError;

export const isTwilioError = (error: unknown): error is TwilioError =>
  error instanceof TwilioApiError || error instanceof TwilioNetworkError;

/** Whether provisioning may stop and try again later rather than undo what it did. */
export const isTransientTwilioError = (error: unknown): boolean =>
  error instanceof TwilioNetworkError || (error instanceof TwilioApiError && error.isTransient);

/** The call's result, or null when Twilio answers that the resource does not exist. */
export async function nullIfNotFound<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TwilioApiError && error.isNotFound) return null;
    throw error;
  }
}
