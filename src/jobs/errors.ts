/**
 * How a job handler says what a failure means. Any other error is transient: the job is
 * retried with exponential backoff until its horizon, then given up (`dead`).
 */

/** Try again at a time the other side named (e.g. Telegram's 429 `retry_after`). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** Retrying cannot help (a bad address, a blocked bot, a missing channel): give up at once. */
export class PermanentFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentFailure';
  }
}
