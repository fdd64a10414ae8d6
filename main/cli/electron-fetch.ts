// Child process of `npm start` (electron-download.ts): downloads the Electron zip into
// @electron/get's cache with the same version, platform, arch and checksums as Electron's own
// node_modules/electron/install.js, printing progress as JSON lines; then runs that install.js,
// which finds the zip in the cache, unpacks it and writes path.txt, exactly as `npx
// install-electron` would. Argument: the node_modules/electron folder.
import { downloadArtifact } from '@electron/get';
import { execSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const electronDir = process.argv[2];
if (!electronDir) {
  process.stderr.write('electron-fetch: usage: electron-fetch <node_modules/electron>\n');
  process.exit(2);
}
const env = process.env;
const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
const checksums = JSON.parse(readFileSync(join(electronDir, 'checksums.json'), 'utf8')) as Record<string, string>;
const platform = env.ELECTRON_INSTALL_PLATFORM || env.npm_config_platform || process.platform;
let arch = env.ELECTRON_INSTALL_ARCH || env.npm_config_arch || process.arch;
// As install.js: an x64 Node under Rosetta on Apple silicon gets the arm64 build.
if (platform === 'darwin' && process.platform === 'darwin' && arch === 'x64' && env.npm_config_arch === undefined) {
  try {
    if (execSync('sysctl -in sysctl.proc_translated').toString().trim() === '1') arch = 'arm64';
  } catch {
    // not under Rosetta
  }
}
try {
  await downloadArtifact({
    version,
    artifactName: 'electron',
    platform,
    arch,
    cacheRoot: env.electron_config_cache,
    checksums: env.electron_use_remote_checksums || env.npm_config_electron_use_remote_checksums ? undefined : checksums,
    downloadOptions: {
      quiet: true,
      getProgressCallback: (p: { transferred: number; total: number | null }) => {
        process.stdout.write(`${JSON.stringify({ transferred: p.transferred, total: p.total })}\n`);
        return Promise.resolve();
      },
    },
  });
} catch (err) {
  const e = err as Error & { cause?: { message?: string; code?: string } };
  process.stderr.write(`${[e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ')}\n`);
  process.exit(1);
}
const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'], env });
if (r.status !== 0) {
  process.stderr.write(`${r.stderr.toString().trim().split('\n').pop() ?? `install.js exited with ${r.status}`}\n`);
  process.exit(1);
}
