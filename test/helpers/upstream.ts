import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, waitFor } from './home.ts';

export interface Upstream {
  port: number;
  url: string;
  proc: ChildProcess;
  /** SIGKILL: connections are refused from now on. */
  kill(): Promise<void>;
  /** SIGSTOP: connections are accepted by the kernel and never answered (a blackhole). */
  freeze(): void;
  thaw(): void;
}

/** A real HTTP upstream on 127.0.0.1 in its own process (test/fixtures/upstream-server.mjs). */
export async function startUpstream(port = 0, env: Record<string, string> = {}): Promise<Upstream> {
  const proc = spawn(process.execPath, [join(ROOT, 'test', 'fixtures', 'upstream-server.mjs')], {
    env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const p = Number(await waitFor('the upstream to listen', () => /ready (\d+)/.exec(out)?.[1], 10_000, 10));
  return {
    port: p,
    url: `http://127.0.0.1:${p}/`,
    proc,
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await gone;
    },
    freeze: () => void proc.kill('SIGSTOP'),
    thaw: () => void proc.kill('SIGCONT'),
  };
}
