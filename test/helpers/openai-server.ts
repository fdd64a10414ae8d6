import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { cleanupsPerTest } from './per-test.ts';

/** What the server answers to one chat request. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body (default: a completion with `text` and `usage`). */
  json?: unknown;
  /** A raw body sent as application/json (for malformed JSON). */
  raw?: string;
  /** Answer as an SSE stream of these content pieces (with `usage` in a last chunk unless null). */
  sse?: string[];
  text?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  delayMs?: number;
  /** Never answer (a hung server). */
  hang?: boolean;
  /** Send the headers, then one byte every this many ms, for ever (a server that never finishes). */
  trickleMs?: number;
  /** With `sse`: send the pieces, then go quiet with the stream still open (no usage, no [DONE]). */
  stall?: boolean;
  /** A JSON reply whose body never ends (64 KiB chunks as fast as the client reads). */
  endless?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export interface OpenAIServer {
  port: number;
  /** The baseURL a model config gives: http://127.0.0.1:<port>/v1 */
  baseURL: string;
  /** Chat requests seen, in order. */
  requests: SeenRequest[];
  /** Replies for the next chat requests, in order; when none is left, `fallback` answers. */
  script: Reply[];
  fallback: Reply;
  close(): Promise<void>;
}

export const DEFAULT_USAGE = { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 };

/** A real OpenAI-compatible HTTP server on 127.0.0.1 (JSON and SSE), scripted per test. */
export async function startOpenAIServer(script: Reply[] = [], fallback: Reply = {}, port = 0): Promise<OpenAIServer> {
  const sockets = new Set<Socket>();
  const state: OpenAIServer = { port: 0, baseURL: '', requests: [], script, fallback, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Decoded whole: a multi-byte character may straddle two chunks.
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model' }] }),
        );
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // recorded as empty
      }
      state.requests.push({ method: req.method, path: req.url, headers: req.headers, body: parsed, at: Date.now() });
      const reply = state.script.shift() ?? state.fallback;
      if (reply.hang) return;
      const send = () => answer(res, reply, parsed);
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  state.port = (server.address() as { port: number }).port;
  state.baseURL = `http://127.0.0.1:${state.port}/v1`;
  state.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return state;
}

/**
 * For the tests of the describe block (or file) this is called in: the returned function starts a
 * server as `startOpenAIServer` does, and every server a test started is closed after that test.
 */
export function openAIServerPerTest(): (script?: Reply[], fallback?: Reply) => Promise<OpenAIServer> {
  const afterTest = cleanupsPerTest();
  return async (script, fallback) => {
    const server = await startOpenAIServer(script, fallback);
    afterTest(() => server.close());
    return server;
  };
}

function answer(res: ServerResponse, reply: Reply, req: Record<string, unknown>): void {
  const status = reply.status ?? 200;
  const model = typeof req.model === 'string' ? req.model : 'test-model';
  if (reply.raw !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(reply.raw);
    return;
  }
  if (status !== 200) {
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(
      JSON.stringify(reply.json ?? { error: { message: `scripted ${status}`, type: 'server_error' } }),
    );
    return;
  }
  const usage = reply.usage === undefined ? DEFAULT_USAGE : reply.usage;
  if (reply.trickleMs !== undefined) {
    res.writeHead(200, { 'content-type': reply.sse ? 'text/event-stream' : 'application/json' });
    const t = setInterval(() => res.write(' '), reply.trickleMs);
    res.on('close', () => clearInterval(t));
    return;
  }
  if (reply.endless) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"id":"c1","object":"chat.completion","model":"${model}","choices":[{"index":0,"message":{"role":"assistant","content":"`);
    const chunk = 'a'.repeat(64 * 1024);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    pump();
    return;
  }
  if (reply.sse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
    for (const piece of reply.sse) {
      res.write(
        `data: ${JSON.stringify({
          id: 'c1', object: 'chat.completion.chunk', model,
          choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
        })}\n\n`,
      );
    }
    if (reply.stall) return;
    if (usage) res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  const body = reply.json ?? {
    id: 'c1',
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.text ?? 'hello from the model' }, finish_reason: 'stop' }],
    ...(usage ? { usage } : {}),
  };
  res.writeHead(200, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(body));
}
