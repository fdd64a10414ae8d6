// Packs the app with electron-builder exactly as for a release (app.asar, asarUnpack,
// files/excludes from build/electron-builder.yml), but `--linux dir` against a stand-in Electron
// distribution: a folder with a placeholder executable named `electron` (electron-builder
// renames it to the product's executable). Nothing is downloaded and no native module rebuilt.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export interface Packed {
  /** <out>/linux-unpacked/resources: app.asar and app.asar.unpacked. */
  resources: string;
  output: string;
}

export async function packWithStandIn(root: string, work: string): Promise<Packed> {
  const dist = join(work, 'electron-stand-in');
  mkdirSync(join(dist, 'resources'), { recursive: true });
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho "ClawKeeper package check: a stand-in for the Electron binary" >&2\nexit 1\n');
  chmodSync(join(dist, 'electron'), 0o755);
  const out = join(work, 'out');
  // The release config, less its fuses: flipping them needs a real Electron binary (the sentinel
  // bytes), which a stand-in is not. test/electron/web-guards.test.ts checks the fuses requested.
  const config = parse(readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  delete config.electronFuses;
  const configFile = join(work, 'electron-builder.yml');
  writeFileSync(configFile, stringify(config));
  const args = [
    join(root, 'node_modules', 'electron-builder', 'cli.js'),
    '--config', configFile,
    '--linux', 'dir',
    '--publish', 'never',
    `-c.electronDist=${dist}`,
    `-c.directories.output=${out}`,
    '-c.npmRebuild=false',
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.stderr.on('data', (b: Buffer) => (text += b.toString()));
    child.on('error', reject);
    child.on(
      'close',
      (code) => (code === 0 ? resolve(text) : reject(new Error(`package check: electron-builder exited with ${code}:\n${text}`))),
    );
  });
  return { resources: join(out, 'linux-unpacked', 'resources'), output };
}
