import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import * as service from './customers.service.js';
import {
  CreateCustomerBody,
  CustomerParams,
  ListCustomersQuery,
  MergeCustomerBody,
  UpdateCustomerBody,
} from './customers.schemas.js';

const tags = ['Customers'];

export const customerRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/customers',
      {
        schema: {
          tags,
          operationId: 'listCustomers',
          summary: 'List customers',
          description:
            'Customers of your organization, newest first unless `sort` says otherwise. Page with `page`/`per_page` (meta carries the total) or with `limit`/`startingAfter` (cursor; created_desc and created_asc only).',
          querystring: ListCustomersQuery,
          response: { 200: Type.Ref('CustomerList'), ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listCustomers(db, request.caller, request.query),
    );

    app.get(
      '/customers/:id',
      {
        schema: {
          tags,
          operationId: 'getCustomer',
          summary: 'Get customer',
          description: 'A customer with the number of their tickets.',
          params: CustomerParams,
          response: { 200: Type.Ref('Customer'), ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getCustomer(db, request.caller, request.params.id),
    );

    app.post(
      '/customers',
      {
        schema: {
          tags,
          operationId: 'createCustomer',
          summary: 'Create customer',
          description:
            'Creates a customer. At least one of name, email, phone or userId is required; email and userId are unique within the organization (409 names the customer that has them).',
          body: CreateCustomerBody,
          response: { 201: Type.Ref('Customer'), ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createCustomer(db, request.caller, request.body)),
    );

    app.patch(
      '/customers/:id',
      {
        schema: {
          tags,
          operationId: 'updateCustomer',
          summary: 'Update customer',
          description:
            'Only the fields sent change; null clears one. `customFields` is merged key by key: a null value removes that key.',
          params: CustomerParams,
          body: UpdateCustomerBody,
          response: { 200: Type.Ref('Customer'), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request) => service.updateCustomer(db, request.caller, request.params.id, request.body),
    );

    app.delete(
      '/customers/:id',
      {
        schema: {
          tags,
          operationId: 'deleteCustomer',
          summary: 'Delete customer',
          description:
            "Deletes the customer's data. Their tickets stay, with a customer that has no name, email or other details; the email and userId can be used again.",
          params: CustomerParams,
          response: {
            204: Type.Null({ description: 'Deleted' }),
            ...errorResponses(401, 403, 404, 429),
          },
        },
      },
      async (request, reply) => {
        await service.deleteCustomer(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/customers/:id/merge',
      {
        schema: {
          tags,
          operationId: 'mergeCustomer',
          summary: 'Merge customers',
          description:
            "Merges `sourceId` into this customer: the source's tickets move here, this customer takes the contact fields it lacks and the custom fields it doesn't have (its own values win), and the source is deleted. Returns this customer.",
          params: CustomerParams,
          body: MergeCustomerBody,
          response: { 200: Type.Ref('Customer'), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request) => service.mergeCustomers(db, request.caller, request.params.id, request.body.sourceId),
    );
  };
