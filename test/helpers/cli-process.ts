import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './home.ts';

/** Runs bin/clawkeeper.js in its own process with a home folder; never blocks the test's event loop. */
export function clawkeeper(
  home: string, args: string[], env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), ...args], {
      cwd: ROOT, env: { ...process.env, CLAWKEEPER_HOME: home, NO_COLOR: '1', ...env },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}
