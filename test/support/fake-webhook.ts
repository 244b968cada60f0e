/**
 * A local webhook receiver over real HTTP (127.0.0.1): records every POST (path, headers, JSON
 * body, real arrival time) and answers with a status chosen per request, or never answers.
 * Modelled on test/support/fake-gitlab-api.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What to do with a request: answer `status` (with `body`), or hang until the client gives up. */
export type WebhookAnswer = { status: number; body?: string } | 'hang';

export interface FakeWebhook {
  /** `http://127.0.0.1:<port>`; append any path. */
  url: string;
  received: ReceivedWebhook[];
  /** Events received on `path`, in order of arrival. */
  events(path?: string): string[];
  close(): Promise<void>;
}

export async function startFakeWebhook(answer: (request: ReceivedWebhook) => WebhookAnswer = () => ({ status: 200 })): Promise<FakeWebhook> {
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedWebhook = { path: req.url ?? '/', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      received.push(request);
      const reply = answer(request);
      if (reply === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    events: (path) => received.filter((r) => path === undefined || r.path === path).map((r) => String(r.body.event)),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
