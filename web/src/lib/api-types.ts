/**
 * The API's shapes for the web app, generated from Talki's own OpenAPI document
 * (`npm run web:api-types` writes api-schema.d.ts; test/web-api-types.test.ts fails when it is stale).
 */
import type { components, operations } from './api-schema';

export type Schemas = components['schemas'];
export type Ticket = Schemas['Ticket'];
export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];
export type TicketChannel = Ticket['channel'];

/** The query parameters an operation accepts, e.g. `QueryOf<'listTickets'>`. */
export type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;
/** The JSON an operation answers with on 200/201. */
export type ResponseOf<Op extends keyof operations> = operations[Op]['responses'] extends infer R
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;
/** The JSON body an operation takes. */
export type BodyOf<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
