import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errorResponses } from '../../http/errors.js';
import type { ModuleRoutes } from '../../http/module.js';
import {
  Agent,
  AgentList,
  AgentParams,
  CreateAgentBody,
  ListAgentsQuery,
  UpdateAgentBody,
} from './agents.schemas.js';
import * as membership from './agents.membership.js';
import * as service from './agents.service.js';

const tags = ['Agents'];

export const agentRoutes: ModuleRoutes = ({ db }) =>
  async function register(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/agents',
      {
        schema: {
          tags,
          operationId: 'listAgents',
          summary: 'List agents',
          description:
            "The organization's agents, newest first, active and deactivated, with pending invitations shown as the admin entered them. " +
            'Any agent of the organization and any API key may read it (to see and assign teammates); only admins change it.',
          querystring: ListAgentsQuery,
          response: { 200: AgentList, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => service.listAgents(db, request.caller, request.query),
    );

    app.get(
      '/agents/:id',
      {
        schema: {
          tags,
          operationId: 'getAgent',
          summary: 'Get agent',
          description: 'Any agent of the organization and any API key may read any of its agents.',
          params: AgentParams,
          response: { 200: Agent, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => service.getAgent(db, request.caller, request.params.id),
    );

    app.post(
      '/agents',
      {
        config: { adminOnly: 'add agents' },
        schema: {
          tags,
          operationId: 'createAgent',
          summary: 'Add agent',
          description:
            'Admins only. Adds a person to the organization. A new email gets a login (with `password`, if given) and joins at once. ' +
            'An email that already has a Talki login (another organization) gets a pending invitation instead: the person joins only ' +
            'when they accept it (GET /v1/auth/invitations), and their name and password never change. Both answers are the same ' +
            '201 with the agent record built from this request, so the answer does not tell whether the email had a login. ' +
            'Adding an existing member or invitee is a 409.',
          body: CreateAgentBody,
          response: { 201: Agent, ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.createAgent(db, request.caller, request.body)),
    );

    app.patch(
      '/agents/:id',
      {
        schema: {
          tags,
          operationId: 'updateAgent',
          summary: 'Update agent',
          description:
            'Role: admins only, and the last active admin cannot be demoted (409). Name and password: agents change their own ' +
            '(a new password needs `currentPassword` and ends their other sessions); admins change those of agents who belong to this organization only.',
          params: AgentParams,
          body: UpdateAgentBody,
          response: { 200: Agent, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request) =>
        membership.updateAgent(db, request.caller, request.params.id, request.body, request.sessionId),
    );

    app.post(
      '/agents/:id/deactivate',
      {
        config: { adminOnly: 'deactivate agents' },
        schema: {
          tags,
          operationId: 'deactivateAgent',
          summary: 'Deactivate agent',
          description:
            'Admins only. The agent can no longer act in this organization (their requests get 403, logins skip it) nor be assigned tickets; ' +
            'their messages and current assignments stay. The last active admin cannot be deactivated (409).',
          params: AgentParams,
          response: { 200: Agent, ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request) => membership.deactivateAgent(db, request.caller, request.params.id),
    );

    app.post(
      '/agents/:id/reactivate',
      {
        config: { adminOnly: 'reactivate agents' },
        schema: {
          tags,
          operationId: 'reactivateAgent',
          summary: 'Reactivate agent',
          description: 'Admins only. Undoes a deactivation.',
          params: AgentParams,
          response: { 200: Agent, ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request) => membership.reactivateAgent(db, request.caller, request.params.id),
    );

    app.delete(
      '/agents/:id',
      {
        config: { adminOnly: 'remove agents' },
        schema: {
          tags,
          operationId: 'removeAgent',
          summary: 'Remove agent',
          description:
            'Admins only. Takes the person out of this organization only (or withdraws their pending invitation): their account and their other ' +
            'organizations stay, and so do their messages and assignments here. The last active admin cannot be removed (409).',
          params: AgentParams,
          response: {
            204: Type.Null({ description: 'Removed' }),
            ...errorResponses(401, 403, 404, 409, 429),
          },
        },
      },
      async (request, reply) => {
        await membership.removeAgent(db, request.caller, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
