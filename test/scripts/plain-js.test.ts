// The plain-JS files of main/ (loaded by child processes without type stripping, or by the
// dashboard without a build: docs/design.md, "Plain-JS files") are held to the TypeScript's bar.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers/home.ts';

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : jsFiles(p);
    return e.name.endsWith('.js') ? [p] : [];
  });
}

const files = jsFiles(join(ROOT, 'main'));

describe('plain-JS files in main/', () => {
  it('there are some, and each starts with `// @ts-check`, so tsc checks it', () => {
    assert.ok(files.length >= 10, `${files.length} files`);
    const unchecked = files.filter((f) => !readFileSync(f, 'utf8').startsWith('// @ts-check\n')).map((f) => relative(ROOT, f));
    assert.deepEqual(unchecked, []);
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { allowJs?: boolean }; include: string[];
    };
    assert.equal(tsconfig.compilerOptions.allowJs, true);
    assert.ok(tsconfig.include.includes('main'));
  });

  it('each imports only plain JS or packages, never a .ts file a child process could not load', () => {
    const bad = files.flatMap(
      (f) => [
        ...readFileSync(f, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+\.(?:ts|cts|mts))['"]/g),
      ].map((m) => `${relative(ROOT, f)} imports ${m[1]}`),
    );
    assert.deepEqual(bad, []);
  });

  it('eslint lints them with type information: a floating promise in one is an error', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const [r] = await eslint.lintText('// @ts-check\nasync function later() {\n  await Promise.resolve();\n}\nlater();\nexport {};\n', {
      filePath: join(ROOT, 'main', 'core', 'runs', 'skill-child.js'),
    });
    assert.deepEqual(r!.messages.map((m) => m.ruleId), ['@typescript-eslint/no-floating-promises']);
  });
});
