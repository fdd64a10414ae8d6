import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './home.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * A real `clawkeeper` process (async: a spawnSync would block an in-process host's event loop).
 * The ports default to 1, where nothing listens (never 3019/3020), unless `env` says otherwise;
 * an `undefined` in `env` removes that variable.
 */
export function runCli(home: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const full: NodeJS.ProcessEnv = {
    ...process.env, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: '1', CLAWKEEPER_SESSION_PORT: '1', NO_COLOR: '1',
    ...env,
  };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), ...args], {
      env: full,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
