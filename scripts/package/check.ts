// Checks a packed app (resources/app.asar + app.asar.unpacked) against what the app loads at run
// time (runtime-files.ts) and against the paths the app computes in that layout.
import asar from '@electron/asar';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { appRootFrom, bundledSkillsDirFrom } from '../../main/core/home/app-paths.ts';
import { dashboardFiles } from '../../main/core/layers/gateway/dashboard-files.ts';
import { relativeList, traceDashboard, traceModules } from './runtime-files.ts';

export interface PackageReport {
  /** Files the app loads, relative to the app root. */
  required: string[];
  /** Required files that are not in the package. */
  missing: string[];
  /** Anything else wrong, one line each. */
  problems: string[];
  unresolved: string[];
}

/** The files the app loads at run time, from the built app in `root` (run `npm run build` first). */
export function requiredFiles(root: string): { required: string[]; unresolved: string[] } {
  const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string }).main;
  const traced = traceModules([join(root, main)], root);
  traceDashboard(['/', '/login.html'], dashboardFiles(), root, traced);
  traced.files.add(join(root, 'package.json'));
  return { required: relativeList(traced.files, root), unresolved: [...new Set(traced.unresolved)] };
}

export function checkPackage(repo: string, resources: string, required = requiredFiles(repo)): PackageReport {
  const archive = join(resources, 'app.asar');
  const unpackedDir = join(resources, 'app.asar.unpacked');
  const problems: string[] = [];
  if (!existsSync(archive)) return {
    required: required.required, missing: required.required, problems: [`no ${archive}`],
    unresolved: required.unresolved,
  };
  // listPackage names entries with a leading separator; unpacked ones are listed too, their bytes live beside.
  const listed = new Set(asar.listPackage(archive, { isPack: false }).map((p) => p.split(sep).join('/').replace(/^\//, '')));
  const inArchive = (rel: string) => listed.has(rel);
  const missing = required.required.filter((rel) => !inArchive(rel));
  for (const rel of required.required) {
    if (!inArchive(rel)) continue;
    const header = asar.statFile(archive, rel) as { unpacked?: boolean };
    if (header.unpacked && !existsSync(join(unpackedDir, rel))) problems.push(`${rel} is marked unpacked but is not in app.asar.unpacked`);
  }

  // Paths the app computes, from where its modules sit in the package. Electron's fs reads into
  // the archive, so "exists" means listed in it, or on disk.
  const exists = (p: string) => {
    const rel = relative(archive, p).split(sep).join('/');
    return (!rel.startsWith('..') && (rel === '' || listed.has(rel))) || existsSync(p);
  };
  const packagedRoot = appRootFrom(join(archive, 'dist', 'main', 'core'), exists);
  if (packagedRoot !== archive) problems.push(`appRoot() in the package is ${packagedRoot}, not ${archive}`);
  const skills = bundledSkillsDirFrom(packagedRoot);
  if (skills.split(sep).includes('app.asar')) problems.push(
    `bundledSkillsDir() points into the archive (${skills}): a skill cannot run there`,
  );
  else if (!existsSync(skills) || !statSync(skills).isDirectory()) problems.push(`bundledSkillsDir() is not a real folder: ${skills}`);
  else {
    for (const name of readdirSync(join(repo, 'skills'))) {
      const dir = join(skills, name);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) problems.push(`bundled skill ${name}: ${dir} is not a real folder`);
      else if (!existsSync(join(dir, 'skill.json'))) problems.push(`bundled skill ${name}: no skill.json in ${dir}`);
    }
  }
  return { required: required.required, missing, problems, unresolved: required.unresolved };
}
