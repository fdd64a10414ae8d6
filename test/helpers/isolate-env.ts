// Loaded before every test file (package.json: node --test --import): the running-host pointer
// (`$XDG_CONFIG_HOME/clawkeeper/current-host.json`, main/core/home/current-host.ts) goes to a
// folder of this test process, inherited by every CLI and host it spawns. Without this, a host a
// test starts would point the developer's own `clawkeeper` at a temporary home, and a test's CLI
// without CLAWKEEPER_HOME would follow another test's (or the developer's) running host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.CLAWKEEPER_TEST_KEEP_CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), 'ck-test-config-'));
  process.env.XDG_CONFIG_HOME = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
