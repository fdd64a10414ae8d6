// The Gateway Core process: HTTP/REST on 127.0.0.1, a thin view of the host's state.
import { withLiveness } from '../../../common/health.js';
import { createServer } from 'node:http';
import { ClawError } from '../../../common/errors.ts';
import type { Snapshot } from '../../../common/layer-protocol.ts';
import type { SkillOp } from '../../../common/host-protocol.ts';
import { homePaths, resolveHome } from '../../home/paths.ts';
import { TokenSource } from '../../auth/token.ts';
import { createGatewayHandler } from './gateway-app.ts';
import { loopbackNames } from '../guard.ts';
import { listenFailure, listenLoopback } from '../listen-loopback.ts';
import { ConnectionGuard } from '../connection-guard.ts';
import { exitWithHost, onHost, portFromEnv, toHost } from '../ipc.ts';
import { dashboardFiles } from './dashboard-files.ts';
import { withScheduleWords } from '../../scheduling/schedule-words.ts';
import { retryAddrInUse, untilActive } from '../standby.ts';

// A warm standby stops here until it takes over: everything below reads the files as they are then.
await untilActive();

// Port 0 (tests) means any free port: after listening, the port the Host header must name is the one we got.
let port = portFromEnv('CLAWKEEPER_GATEWAY_PORT', 3019);
const sessionPort = portFromEnv('CLAWKEEPER_SESSION_PORT', 3020);
const paths = homePaths(resolveHome());
let snapshot: Snapshot | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

const files = dashboardFiles();

function command(
  op: SkillOp | 'backfill', skill: string,
  opts: { force?: boolean; note?: string; args?: Record<string, unknown> } = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new ClawError('CK_UNAVAILABLE', 'gateway', 'the host did not answer within 2 s'));
    }, 2000);
    pending.set(id, { resolve, reject, timer });
    toHost({
      type: 'command', id, op, skill, ...(opts.force ? { force: true } : {}),
      ...(opts.note !== undefined ? { note: opts.note } : {}), ...(opts.args ? { args: opts.args } : {}),
    });
  });
}

// Set once listening (listen-loopback.ts): `[::1]` is a Host name only where ::1 is ours.
let ipv6 = false;
// A snapshot the host stopped refreshing says so: a frozen host never looks green.
// Connections that have not authenticated are few, short-lived and give way to newcomers; an
// authenticated one is never evicted (connection-guard.ts). No socket cap refuses everyone alike.
const guard = new ConnectionGuard();
const handler = createGatewayHandler({
  get port() { return port; }, sessionPort, paths, tokens: new TokenSource(paths.token),
  snapshot: () => (snapshot ? withLiveness(snapshot, Date.now()) : null), command, files,
  hostNames: () => loopbackNames(ipv6), onAuthenticated: (req) => guard.prove(req.socket),
});

onHost((msg) => {
  if (msg.type === 'snapshot') snapshot = withScheduleWords(msg.snapshot);
  else if (msg.type === 'login-code') handler.addLoginCode(msg.code, msg.expiresAt);
  else if (msg.type === 'reply') {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    // The host's refusal, word for word as the CLI prints it ("[host] …"), not wrapped in "[gateway]".
    else p.reject(
      new ClawError(
        (msg.error?.code as 'CK_CONFLICT') ?? 'CK_INTERNAL', 'host',
        (msg.error?.message ?? 'the host refused').replace(/^\[host\] /, ''),
      ),
    );
  }
});
exitWithHost();

// A standby taking over retries while the dead layer's port is not yet released (standby.ts).
const makeServer = () => {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, handler);
  guard.attach(server);
  return server;
};
retryAddrInUse(() => listenLoopback(makeServer, port)).then(
  (l) => {
    ipv6 = l.ipv6;
    port = l.port;
    for (const s of l.servers) s.on('error', (err) => console.error(`[gateway] ${err.message}`));
    toHost({ type: 'ready', port: l.port });
  },
  (err: NodeJS.ErrnoException) => {
    toHost({ type: 'fatal', code: err.code ?? 'ERROR', message: listenFailure(err, port, 'CLAWKEEPER_GATEWAY_PORT') });
    setTimeout(() => process.exit(1), 50);
  },
);
