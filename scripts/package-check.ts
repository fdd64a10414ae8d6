// `npm run package:check`: packs the app with electron-builder against a stand-in Electron
// (scripts/package/pack.ts) and checks that every file it loads at run time is inside and that
// the paths it computes in the packaged layout are real (scripts/package/check.ts).
// --keep leaves the packed app in the temp folder it names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPackage } from './package/check.ts';
import { packWithStandIn } from './package/pack.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ck-package-'));
try {
  const packed = await packWithStandIn(repo, work);
  const r = checkPackage(repo, packed.resources);
  process.stdout.write(
    `package check: ${r.required.length} run-time files traced from the Electron entry, its process targets and the dashboard\n`,
  );
  for (const u of r.unresolved) process.stdout.write(`  (not followed) ${u}\n`);
  for (const m of r.missing) process.stdout.write(`  MISSING from app.asar: ${m}\n`);
  for (const p of r.problems) process.stdout.write(`  PROBLEM: ${p}\n`);
  if (r.missing.length || r.problems.length) process.exitCode = 1;
  else process.stdout.write(`package check: ok (${packed.resources})\n`);
} finally {
  if (process.argv.includes('--keep')) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
