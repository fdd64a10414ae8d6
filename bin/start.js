#!/usr/bin/env node
// `npm start`: the desktop app where Electron can start; otherwise one line saying why, then the
// headless host (which prints the dashboard login URL).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function electronBinary() {
  const pathFile = here('../node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return { ok: false, why: 'no Electron binary (node_modules/electron was installed without its download)' };
  const bin = here(`../node_modules/electron/dist/${readFileSync(pathFile, 'utf8').trim()}`);
  if (!existsSync(bin)) return { ok: false, why: `no Electron binary at ${bin}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { ok: false, why: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  return { ok: true, bin };
}

const e = electronBinary();
let child;
if (e.ok && !process.argv.includes('--headless')) {
  child = spawn(e.bin, [here('..')], { stdio: 'inherit' });
} else {
  if (!e.ok) process.stdout.write(`ClawKeeper desktop app cannot start here: ${e.why}. Running headless instead.\n`);
  child = spawn(process.execPath, [here('./clawkeeper.js'), 'start', '--headless'], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
