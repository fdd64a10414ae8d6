// The size limits of docs/design.md, kept by the suite: no source or test file over 400 lines,
// no function over 80, no more than 80 lines of top-level code (scripts/size-check.ts). The checker
// itself is tried on a folder made to fail.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describe as words, MAX_FILE_LINES, MAX_FUNCTION_LINES, sizeOffenders, sourceFiles, TOP_LEVEL } from '../../scripts/size-check.ts';
import { ROOT } from '../helpers/home.ts';

describe('size limits', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ck-size-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds a long file, a long function and a long arrow function, and leaves generated code out', () => {
    const tmpMain = join(tmp, 'main');
    mkdirSync(join(tmpMain, 'core', 'generated'), { recursive: true });
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    writeFileSync(
      join(tmp, 'main', 'core', 'long.ts'),
      `export function tooLong(): void {\n${body(MAX_FUNCTION_LINES)}\n}\n` + `export const fine = (): number => 1;\n`,
    );
    writeFileSync(join(tmp, 'main', 'core', 'arrow.ts'), `export const handler = (): void => {\n${body(MAX_FUNCTION_LINES - 1)}\n};\n`);
    writeFileSync(
      join(tmp, 'main', 'core', 'big.js'),
      Array.from({ length: MAX_FILE_LINES + 1 }, (_, i) => `// line ${i}`).join('\n') + '\n',
    );
    writeFileSync(join(tmp, 'main', 'core', 'generated', 'huge.js'), Array.from({ length: 1000 }, () => '//').join('\n'));
    const found = sizeOffenders(tmp).map(words).sort();
    assert.deepEqual(found, [
      `main/core/arrow.ts:1 function handler is ${MAX_FUNCTION_LINES + 1} lines (limit ${MAX_FUNCTION_LINES})`,
      `main/core/big.js is ${MAX_FILE_LINES + 1} lines (limit ${MAX_FILE_LINES})`,
      `main/core/long.ts:1 function tooLong is ${MAX_FUNCTION_LINES + 2} lines (limit ${MAX_FUNCTION_LINES})`,
    ]);
  });

  it('counts a file\'s top-level code as one function, less its functions, types, classes and data tables', () => {
    const root = join(tmp, 'top');
    mkdirSync(join(root, 'main', 'electron'), { recursive: true });
    const calls = (n: number) => Array.from({ length: n }, (_, i) => `console.log(${i});`).join('\n');
    // Interleaved with a long function, a class, a type and a table: only the calls count.
    const table = `export const TABLE = {\n${Array.from({ length: 100 }, (_, i) => `  k${i}: ${i},`).join('\n')}\n};`;
    const fn = `function f(): void {\n${Array.from({ length: 70 }, () => '  console.log(1);').join('\n')}\n}`;
    const klass = `class C {\n${Array.from({ length: 90 }, (_, i) => `  f${i} = ${i};`).join('\n')}\n}`;
    const parts = [calls(40), fn, '// a comment', '', klass, 'type T = {\n  a: 1;\n};', table, calls(MAX_FUNCTION_LINES - 40 + 1)];
    writeFileSync(join(root, 'main', 'electron', 'main.ts'), parts.join('\n') + '\n');
    writeFileSync(join(root, 'main', 'electron', 'fits.ts'), calls(MAX_FUNCTION_LINES) + '\n');
    assert.deepEqual(sizeOffenders(root).map(words), [
      `main/electron/main.ts:1 function ${TOP_LEVEL} is ${MAX_FUNCTION_LINES + 1} lines (limit ${MAX_FUNCTION_LINES})`,
    ]);
  });

  it('checks test/ and e2e/ too: a long test fails, a long describe group only by its own code', () => {
    const root = join(tmp, 'tests');
    mkdirSync(join(root, 'test'), { recursive: true });
    mkdirSync(join(root, 'e2e'), { recursive: true });
    const stmts = (n: number) => Array.from({ length: n }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const test = (name: string, n: number) => `  it('${name}', () => {\n${stmts(n)}\n  });`;
    // A group of many short tests is fine; a group whose own setup is long is not.
    const group = `describe('many short tests', () => {\n${[1, 2, 3].map((i) => test(`t${i}`, 60)).join('\n')}\n});\n`;
    const setup = `describe('long setup', () => {\n${stmts(MAX_FUNCTION_LINES + 1)}\n});\n`;
    writeFileSync(join(root, 'test', 'group.test.ts'), group + setup);
    writeFileSync(join(root, 'e2e', 'long.test.ts'), `describe('one long test', () => {\n${test('long', MAX_FUNCTION_LINES - 1)}\n});\n`);
    assert.deepEqual(sizeOffenders(root).map(words).sort(), [
      `e2e/long.test.ts:2 function it callback is ${MAX_FUNCTION_LINES + 1} lines (limit ${MAX_FUNCTION_LINES})`,
      `test/group.test.ts:${3 * 62 + 4} function describe callback is ${MAX_FUNCTION_LINES + 1} lines (limit ${MAX_FUNCTION_LINES})`,
    ]);
  });

  it(`this repository: no source file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, () => {
    assert.ok(sourceFiles(ROOT).length > 100, 'the checker sees the source');
    assert.deepEqual(sizeOffenders(ROOT).map(words), []);
  });
});
