// The size limits of docs/design.md, kept by the suite: no source file over 400 lines, no
// function over 80 (scripts/size-check.ts). The checker itself is tried on a folder made to fail.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describe as words, MAX_FILE_LINES, MAX_FUNCTION_LINES, sizeOffenders, sourceFiles } from '../../scripts/size-check.ts';
import { ROOT } from '../helpers/home.ts';

describe('size limits', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ck-size-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds a long file, a long function and a long arrow function, and leaves generated code out', () => {
    mkdirSync(join(tmp, 'main', 'core', 'generated'), { recursive: true });
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    writeFileSync(join(tmp, 'main', 'core', 'long.ts'), `export function tooLong(): void {\n${body(MAX_FUNCTION_LINES)}\n}\n` + `export const fine = (): number => 1;\n`);
    writeFileSync(join(tmp, 'main', 'core', 'arrow.ts'), `export const handler = (): void => {\n${body(MAX_FUNCTION_LINES - 1)}\n};\n`);
    writeFileSync(join(tmp, 'main', 'core', 'big.js'), Array.from({ length: MAX_FILE_LINES + 1 }, (_, i) => `// line ${i}`).join('\n') + '\n');
    writeFileSync(join(tmp, 'main', 'core', 'generated', 'huge.js'), Array.from({ length: 1000 }, () => '//').join('\n'));
    const found = sizeOffenders(tmp).map(words).sort();
    assert.deepEqual(found, [
      `main/core/arrow.ts:1 function handler is ${MAX_FUNCTION_LINES + 1} lines (limit ${MAX_FUNCTION_LINES})`,
      `main/core/big.js is ${MAX_FILE_LINES + 1} lines (limit ${MAX_FILE_LINES})`,
      `main/core/long.ts:1 function tooLong is ${MAX_FUNCTION_LINES + 2} lines (limit ${MAX_FUNCTION_LINES})`,
    ]);
  });

  it(`this repository: no source file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, () => {
    assert.ok(sourceFiles(ROOT).length > 100, 'the checker sees the source');
    assert.deepEqual(sizeOffenders(ROOT).map(words), []);
  });
});
