/** A fresh Idempotency-Key for one user action (a retried click must not create twice). */
export const newIdempotencyKey = () => crypto.randomUUID();
