// The Gateway Core process: HTTP/REST on 127.0.0.1, a thin view of the host's state.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClawError } from '../../common/errors.ts';
import type { Snapshot } from '../../common/layer-protocol.ts';
import { appRoot } from '../app-paths.ts';
import { homePaths, resolveHome } from '../paths.ts';
import { TokenSource } from '../token.ts';
import { createGatewayHandler } from './gateway-app.ts';
import { exitWithHost, onHost, portFromEnv, toHost } from './ipc.ts';
import { StaticFiles } from './static-files.ts';

const port = portFromEnv('CLAWKEEPER_GATEWAY_PORT', 3019);
const sessionPort = portFromEnv('CLAWKEEPER_SESSION_PORT', 3020);
const paths = homePaths(resolveHome());
let snapshot: Snapshot | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

const root = appRoot();
const modules = (p: string) => fileURLToPath(import.meta.resolve(p)).replace(/[/\\][^/\\]+$/, '');
const files = new StaticFiles([
  { prefix: '/vendor/preact/', dir: modules('preact'), files: new Set(['preact.module.js']) },
  { prefix: '/vendor/preact-hooks/', dir: modules('preact/hooks'), files: new Set(['hooks.module.js']) },
  { prefix: '/vendor/htm/', dir: modules('htm'), files: new Set(['htm.module.js']) },
  { prefix: '/vendor/uplot/', dir: join(modules('uplot'), '..', 'dist'), files: new Set(['uPlot.esm.js', 'uPlot.min.css']) },
  { prefix: '/common/', dir: join(root, 'main', 'common'), files: new Set(['health.js', 'session-client.js']) },
  { prefix: '/', dir: join(root, 'renderer') },
]);

function command(op: 'run' | 'pause' | 'resume', skill: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new ClawError('CK_UNAVAILABLE', 'gateway', 'the host did not answer within 2 s'));
    }, 2000);
    pending.set(id, { resolve, reject, timer });
    toHost({ type: 'command', id, op, skill });
  });
}

const handler = createGatewayHandler({ port, sessionPort, paths, tokens: new TokenSource(paths.token), snapshot: () => snapshot, command, files });

onHost((msg) => {
  if (msg.type === 'snapshot') snapshot = msg.snapshot;
  else if (msg.type === 'login-code') handler.addLoginCode(msg.code, msg.expiresAt);
  else if (msg.type === 'reply') {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new ClawError((msg.error?.code as 'CK_CONFLICT') ?? 'CK_INTERNAL', 'gateway', msg.error?.message ?? 'the host refused'));
  }
});
exitWithHost();

const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, handler);
server.on('error', (err: NodeJS.ErrnoException) => {
  const message = err.code === 'EADDRINUSE' ? `port ${port} is in use by another program; stop it or set CLAWKEEPER_GATEWAY_PORT` : err.message;
  toHost({ type: 'fatal', code: err.code ?? 'ERROR', message });
  setTimeout(() => process.exit(1), 50);
});
server.listen(port, '127.0.0.1', () => toHost({ type: 'ready', port: (server.address() as { port: number }).port }));
