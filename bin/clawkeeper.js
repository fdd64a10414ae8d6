#!/usr/bin/env node
// Launcher: runs the TypeScript CLI under a Node that strips types (>= 22.18). On an older Node it
// re-runs itself with the Node 24 the package installs (the `node` dependency).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
if (!process.features.typescript) {
  const bundled = here('../node_modules/node/bin/node');
  if (!existsSync(bundled)) {
    process.stderr.write('clawkeeper: needs Node >= 22.18; run `npm install` to get the pinned Node 24\n');
    process.exit(1);
  }
  const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
await import(here('../main/cli/index.ts'));
