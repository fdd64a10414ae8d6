#!/usr/bin/env node
// `npm start`: the desktop app where Electron can start; otherwise one line saying why, then the
// headless host (which prints the dashboard login URL). The decision (main/cli/electron-binary.ts)
// obtains the Electron binary the way Electron 45 expects (its install.js), bounded in time and
// with progress; CI=true or CLAWKEEPER_NO_ELECTRON_DOWNLOAD=1 never download.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
// `prestart` builds dist/; the sources run too under a Node that strips types.
const lib = (name) => (existsSync(
  here(`../dist/main/cli/${name}.js`),
) ? here(`../dist/main/cli/${name}.js`) : here(`../main/cli/${name}.ts`));
const { chooseDesktop, installedElectron } = await import(lib('electron-binary'));
const { boundedDownload, FETCH_SCRIPT, progressPrinter } = await import(lib('electron-download'));

const electronDir = here('../node_modules/electron');
const decision = await chooseDesktop({
  platform: process.platform,
  env: process.env,
  argv: process.argv.slice(2),
  onProgress: progressPrinter(process.stdout, 'Downloading the Electron binary (first start only)'),
  probes: {
    installed: () => (existsSync(electronDir) ? installedElectron(electronDir) : null),
    download: (onProgress) => {
      if (!existsSync(electronDir)) return Promise.resolve({ ok: false, why: 'node_modules/electron is not installed (npm install)' });
      process.stdout.write('Obtaining the Electron binary (at most 5 min; CLAWKEEPER_NO_ELECTRON_DOWNLOAD=1 skips this)…\n');
      return boundedDownload({ command: process.execPath, args: [FETCH_SCRIPT, electronDir], onProgress });
    },
  },
});
let child;
if (decision.mode === 'electron') {
  child = spawn(decision.bin, [here('..')], { stdio: 'inherit' });
} else {
  if (decision.why) process.stdout.write(`ClawKeeper desktop app cannot start here: ${decision.why}. Running headless instead.\n`);
  child = spawn(process.execPath, [here('./clawkeeper.js'), 'start', '--headless'], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
