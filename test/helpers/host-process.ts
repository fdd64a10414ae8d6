import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { freePort } from './net.ts';
import { ROOT, tempHome, waitFor } from './home.ts';
import { cleanupsPerTest } from './per-test.ts';

export interface HostProcess {
  proc: ChildProcess;
  home: string;
  gatewayPort: number;
  sessionPort: number;
  token: () => string;
  loginUrl: string;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** A real `clawkeeper start --headless` with its gateway and session processes, on free ports. */
export async function startHostProcess(
  home: string, extraEnv: Record<string, string> = {}, opts: { detached?: boolean } = {},
): Promise<HostProcess> {
  const gatewayPort = await freePort();
  let sessionPort = await freePort();
  while (sessionPort === gatewayPort) sessionPort = await freePort();
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
    env: {
      ...process.env, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: String(gatewayPort),
      CLAWKEEPER_SESSION_PORT: String(sessionPort), ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal's foreground job: a test can signal the whole group.
    detached: opts.detached === true,
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const loginUrl = await waitFor('the dashboard login line', () => /Dashboard: (http\S+)/.exec(out)?.[1], 30_000, 20).catch((e: Error) => {
    proc.kill('SIGKILL');
    throw new Error(`${e.message}\n${out}`);
  });
  // The gateway is up (it printed the login line); wait for the session layer too.
  await waitFor('both layers ok', async () => {
    try {
      const r = await http(gatewayPort, 'GET', '/health');
      return (JSON.parse(r.body) as { layers: { session: string } }).layers.session === 'ok';
    } catch {
      return false;
    }
  }, 30_000, 20);
  return {
    proc,
    home,
    gatewayPort,
    sessionPort,
    token: () => readFileSync(join(home, 'token'), 'utf8').trim(),
    loginUrl,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * A real host (`startHostProcess`) for the tests of the describe block this is called in: `before`
 * makes a temp home, lets `prepare` write into it (skills, config.json), and starts the host on free
 * ports, with `extraEnv` (a function: read after `prepare`); `after` stops it and removes the home.
 * The returned object stands for the started host (reading it before `before` has run throws, saying
 * so). Hooks run in the order they are added: a `before` added after this call runs once the host is
 * up; an `after` added before it runs before the host stops.
 */
export function hostForSuite(
  prepare: (home: string) => unknown = () => undefined,
  extraEnv: Record<string, string> | (() => Record<string, string>) = {},
): HostProcess {
  let host: HostProcess | undefined;
  let home = '';
  before(async () => {
    home = tempHome().home;
    await prepare(home);
    host = await startHostProcess(home, typeof extraEnv === 'function' ? extraEnv() : extraEnv);
  });
  after(async () => {
    await host?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return new Proxy({} as HostProcess, {
    get(_, key) {
      if (!host) throw new Error(`hostForSuite: the host starts in before(); read .${String(key)} inside a hook or a test`);
      return Reflect.get(host, key) as unknown;
    },
  });
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/**
 * For the tests of the describe block this is called in: each call spawns a bare `clawkeeper start
 * --headless` over `home` on ports the OS picks, without waiting for it (for tests that kill -9 a
 * host and start another over the same home). Every host a test spawned is killed (SIGKILL) and
 * waited for after that test; call this before `tempHomePerTest()` so the hosts are gone before
 * their home is removed (hooks run in the order they were added).
 */
export function headlessHostsPerTest(stdio: StdioOptions = ['ignore', 'pipe', 'pipe']): (home: string) => ChildProcess {
  const afterTest = cleanupsPerTest();
  return (home) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
      env: { ...process.env, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0' },
      stdio,
    });
    afterTest(() => {
      child.kill('SIGKILL');
      return exited(child);
    });
    return child;
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => unknown;
}

export function http(
  port: number, method: string, path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; host?: string } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, method, path, headers: { host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers },
      timeout: 5000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as unknown }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function snapshotOf(h: HostProcess): Promise<{
  host: { layerPids: { gateway: number; session: number } }; layers: Record<string, { status: string }>; mode: string;
  scenario: { id: string } | null; metrics: unknown;
}> {
  const r = await http(h.gatewayPort, 'GET', '/api/snapshot', { headers: { authorization: `Bearer ${h.token()}` } });
  if (r.status !== 200) throw new Error(`snapshot: ${r.status} ${r.body}`);
  return r.json() as never;
}

/** Until the public /health says ok (the gateway may be down or restarting meanwhile). */
export async function waitOperational(h: HostProcess, timeoutMs = 30_000): Promise<void> {
  await waitFor('operational', async () => {
    try {
      return ((await http(h.gatewayPort, 'GET', '/health')).json() as { status: string }).status === 'ok';
    } catch {
      return false;
    }
  }, timeoutMs, 50);
}
