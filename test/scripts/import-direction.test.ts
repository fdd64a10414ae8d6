// The order of folders (docs/design.md, "Order of folders") is a lint rule in eslint.config.js:
// a folder of main/core imports only main/common and the folders below it. These tests lint
// forbidden imports through the repository's own config, and the whole of main/ through the
// rule's blocks alone (without types, so it takes seconds).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import config, { CORE_FOLDERS_IN_ORDER } from '../../eslint.config.js';
import { ROOT } from '../helpers/home.ts';

const RULE = 'no-restricted-imports';

/** The rule's messages when `code` is the text of `file` (a real file, so typed lint finds its project). */
async function lintAs(eslint: ESLint, file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  const fatal = r!.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${file} did not parse`);
  return r!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

/** Only the import-direction blocks of the config, on a parser without types. */
function directionOnly(): ESLint {
  const blocks = (config as Linter.Config[]).filter((c) => c.name?.startsWith('clawkeeper/import-direction/'));
  assert.ok(blocks.length >= CORE_FOLDERS_IN_ORDER.length, `${blocks.length} direction blocks in eslint.config.js`);
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      { ignores: ['main/core/skills/generated/**'] },
      { files: ['**/*.ts', '**/*.js'], languageOptions: { parser: tseslint.parser } },
      ...blocks,
    ],
  });
}

describe('the order of folders in main/', () => {
  it('a lower folder importing a higher one fails lint, naming the rule and what the folder may import', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const runs = await lintAs(eslint, 'main/core/runs/ledger.ts', "import type { Host } from '../host/host.ts';\nexport type H = Host;\n");
    assert.equal(runs.length, 1, runs.join('\n'));
    assert.match(
      runs[0]!,
      /main\/core\/runs imports only main\/common and main\/core\/\{home,.*skills,export\} \(the order of folders, docs\/design\.md\)/,
    );
    // The cycle this replaced: supervision (the layer link) reached back into the host.
    const supervision = await lintAs(
      eslint, 'main/core/supervision/supervisor.ts',
      "import { executeCommand } from '../front/host-commands.ts';\nexport const run = executeCommand;\n",
    );
    assert.equal(supervision.length, 1, supervision.join('\n'));
  });

  it('holds in nested folders, for type-only imports and re-exports, and keeps main/common at the bottom', async () => {
    const eslint = directionOnly();
    const cases: [file: string, code: string][] = [
      ['main/core/layers/gateway/gateway.ts', "import type { Host } from '../../host/host.ts';\nexport type H = Host;\n"],
      ['main/core/host/host.ts', "export { executeCommand } from '../front/host-commands.ts';\n"],
      ['main/core/models/day-budget.ts', "import type { FinishedRun } from '../runs/runner.ts';\nexport type F = FinishedRun;\n"],
      ['main/core/runs/skill-child.js', "// @ts-check\nimport { startHeadless } from '../app/headless.ts';\nexport { startHeadless };\n"],
      ['main/core/app/headless.ts', "import { main } from '../../cli/index.ts';\nexport { main };\n"],
      ['main/common/types.ts', "import type { Host } from '../core/host/host.ts';\nexport type H = Host;\n"],
      ['main/cli/status.ts', "import { trayView } from '../electron/tray-model.ts';\nexport { trayView };\n"],
    ];
    for (const [file, code] of cases) assert.equal((await lintAs(eslint, file, code)).length, 1, `${file} may not: ${code}`);
  });

  it('an import down the order, or within a folder, passes', async () => {
    const eslint = directionOnly();
    assert.deepEqual(
      await lintAs(
        eslint, 'main/core/runs/ledger.ts',
        "import type { Clock } from '../scheduling/clock.ts';\nimport type { X } from './run-env.ts';\nexport type C = [Clock, X];\n",
      ),
      [],
    );
    assert.deepEqual(
      await lintAs(
        eslint, 'main/core/app/headless.ts',
        "import type { Host } from '../host/host.ts';\nimport type { L } from '../front/layer-link.ts';\nexport type H = [Host, L];\n",
      ),
      [],
    );
    assert.deepEqual(
      await lintAs(
        eslint, 'main/core/layers/gateway/gateway.ts',
        "import type { G } from '../guard.ts';\nimport type { S } from '../session/session.ts';\nexport type X = [G, S];\n",
      ),
      [],
    );
  });

  it('every folder of main/core has its place in the order, so none is left unchecked', () => {
    const folders = readdirSync(join(ROOT, 'main', 'core'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual([...folders].sort(), [...CORE_FOLDERS_IN_ORDER].sort());
  });

  it('the tree as it is follows the order', async () => {
    const results = await directionOnly().lintFiles(['main']);
    assert.ok(results.length > 150, `${results.length} files linted`);
    const broken = results.flatMap(
      (r) => r.messages.filter((m) => m.fatal || m.ruleId === RULE).map(
        (m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line} ${m.message}`,
      ),
    );
    assert.deepEqual(broken, []);
  });
});
