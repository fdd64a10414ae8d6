import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './net.ts';
import { ROOT } from './home.ts';

/** A real `clawkeeper ...` process; the gateway port is a free one nothing listens on unless given. */
export async function runCli(home: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const gw = env.CLAWKEEPER_GATEWAY_PORT ?? String(await freePort());
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), ...args], { env: { ...process.env, CLAWKEEPER_HOME: home, NO_COLOR: '1', ...env, CLAWKEEPER_GATEWAY_PORT: gw } });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
