import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueJob } from '../jobs/queue.js';

/** The job that takes one agent message to the customer on the ticket's channel (see delivery.ts). */
export const DELIVER_MESSAGE = 'deliver_message';

/** Call in the transaction that stores (or re-queues) the message: it is delivered exactly when that commits. */
export function enqueueDelivery(trx: Kysely<Database>, orgId: string, messageId: string): Promise<string> {
  return enqueueJob(trx, { type: DELIVER_MESSAGE, orgId, payload: { messageId } });
}
