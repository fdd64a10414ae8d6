import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanupsPerTest } from './per-test.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE_CODE = join(ROOT, 'test', 'fixtures', 'code');
export const BUNDLED_SKILLS = join(ROOT, 'skills');

/** A fresh CLAWKEEPER_HOME in the temp folder; removed by `cleanup`. */
export function tempHome(prefix = 'ck-test-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * Fresh homes for the tests of the describe block (or file) this is called in: each call of the
 * returned function makes one, and every home a test made is removed after that test, whatever it
 * asserted. Replaces `let cleanup = () => {}` + `afterEach(() => cleanup())` + `cleanup = t.cleanup`.
 */
export function tempHomePerTest(prefix = 'ck-test-'): () => { home: string } {
  const afterTest = cleanupsPerTest();
  return () => {
    const { home, cleanup } = tempHome(prefix);
    afterTest(cleanup);
    return { home };
  };
}

/** A fresh home for the tests of a describe block: made in `before`, removed in `after`. */
export function tempHomeForSuite(prefix = 'ck-test-'): { readonly home: string } {
  let home = '';
  before(() => {
    home = tempHome(prefix).home;
  });
  after(() => rmSync(home, { recursive: true, force: true }));
  return {
    get home() {
      if (!home) throw new Error('tempHomeForSuite: the home is made in before(); read it inside a hook or a test');
      return home;
    },
  };
}

/** Writes skills/<name>/skill.json (and index.mjs from a fixture) into a home. */
export function writeSkill(home: string, name: string, manifest: Record<string, unknown>, fixture?: string): string {
  const dir = join(home, 'skills', name);
  mkdirSync(dir, { recursive: true });
  if (fixture) copyFileSync(join(FIXTURE_CODE, fixture), join(dir, 'index.mjs'));
  writeFileSync(join(dir, 'skill.json'), JSON.stringify({ name, entry: fixture ? 'index.mjs' : undefined, ...manifest }, null, 2));
  return dir;
}

export function readLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

export function readLedger(home: string, skill: string): Record<string, unknown>[] {
  if (!existsSync(join(home, 'runs', `${skill}.jsonl`))) return [];
  return readLines(join(home, 'runs', `${skill}.jsonl`)).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function waitFor<T>(
  what: string, fn: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs = 20_000,
  everyMs = 25,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
