// The ceiling: a bare node:http server answering one constant JSON body shaped and sized like a
// GET /v1/tickets/:id response. No framework, no database: what this machine's HTTP stack can do.
// Env: PORT, CEILING_BYTES (body size to pad to, default 1024).
import { Buffer } from 'node:buffer';
import http from 'node:http';

const size = Number(process.env.CEILING_BYTES) || 1024;
const message = (n, role) => ({
  id: `msg_01jb${String(n).padStart(22, '0')}`,
  ticketId: 'tkt_01jb0000000000000000000000',
  role,
  text: 'Hi, I tried again this morning and it still does not work. Could you have a look? Thanks a lot.',
  createdAt: '2026-01-01T00:00:00.000Z',
});
const ticket = {
  id: 'tkt_01jb0000000000000000000000',
  orgId: 'org_01jb0000000000000000000000',
  status: 'open',
  channel: 'widget',
  subject: 'Cannot log in (#1)',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  customer: { id: 'cus_01jb0000000000000000000000', name: 'Customer 1', email: 'customer1@example.com' },
  assignedTo: null,
  tags: ['billing'],
  messages: [message(1, 'customer'), message(2, 'agent'), message(3, 'customer')],
  padding: '',
};
ticket.padding = 'x'.repeat(Math.max(0, size - Buffer.byteLength(JSON.stringify(ticket))));
const body = Buffer.from(JSON.stringify(ticket));

http
  .createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
    });
    response.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
