#!/usr/bin/env node
// Launcher. Runs the built JavaScript (dist/, from `npm run build`) when it is newer than every
// source file, since the TypeScript stripper costs the host ~30 MB of memory; otherwise runs the
// TypeScript sources under a Node that strips types (>= 22.18). On a Node older than that it
// re-runs itself with the Node 24 the package installs (the `node` dependency), built or not.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function builtEntry() {
  const entry = here('../dist/main/cli/index.js');
  if (process.env.CLAWKEEPER_FROM_SOURCE === '1' || !existsSync(entry)) return null;
  return statSync(entry).mtimeMs >= newestSource(here('../main')) ? entry : null;
}

const built = builtEntry();
// The engines range (package.json): the built code needs it too (node:sqlite for the OpenClaw
// import, among others), not only the TypeScript sources.
const [major, minor] = process.versions.node.split('.').map(Number);
const tooOld = major < 22 || (major === 22 && minor < 18);
if (tooOld || (!built && !process.features.typescript)) {
  const bundled = here('../node_modules/node/bin/node');
  if (!existsSync(bundled)) {
    process.stderr.write('clawkeeper: needs Node >= 22.18; run `npm install` to get the pinned Node 24\n');
    process.exit(1);
  }
  const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
await import(built ?? here('../main/cli/index.ts'));
