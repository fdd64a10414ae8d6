import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Recorder {
  port: number;
  url: string;
  requests: Recorded[];
  /** What the next requests are answered with. */
  answer(status: number, body?: string): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every request (a webhook, ntfy, Slack… stand-in). */
export async function startRecorder(port = 0): Promise<Recorder> {
  const requests: Recorded[] = [];
  let status = 200;
  let reply = 'ok';
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(reply);
    });
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  const p = (srv.address() as { port: number }).port;
  return {
    port: p,
    url: `http://127.0.0.1:${p}`,
    requests,
    answer: (s, b = 'ok') => {
      status = s;
      reply = b;
    },
    close: () => new Promise<void>((r) => {
      srv.closeAllConnections();
      srv.close(() => r());
    }),
  };
}
