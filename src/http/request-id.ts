import type { FastifyServerOptions } from 'fastify';
import { newId } from '../lib/ids.js';

// A caller's X-Request-Id is reused only when it is a plain token, so it can't forge log lines.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIdOptions: Pick<FastifyServerOptions, 'requestIdHeader' | 'genReqId'> = {
  requestIdHeader: false,
  genReqId(request) {
    const given = request.headers['x-request-id'];
    return typeof given === 'string' && SAFE_ID.test(given) ? given : newId('req');
  },
};
