// Lint rules, including the layer boundary (as VS Code enforces its `common/node/electron-main` split):
// main/common is pure (no Node, no Electron), main/core is Node only (never `electron`,
// which from Electron 42 on tries to download a binary when required outside Electron).
import tseslint from 'typescript-eslint';

const noElectron = {
  name: 'electron',
  message: 'main/core and main/common must run under plain Node: put Electron code in main/electron and pass it in through an interface.',
};

// Do not relax these rules. The folders of main/core in their order, lowest first
// (docs/design.md, "Order of folders"): a folder imports from main/common and from folders
// before it, never from one after it, so no two folders depend on each other and a folder can
// be read (and tested) knowing only what is below it. Above them all: main/cli, then
// main/electron. When a lower folder needs something of a higher one, pass it in through an
// interface the lower folder owns (as `Host.alerts` is a `HostAlertsPort`), or move what both
// need lower (as `main/common/host-events.ts`); never add an exception here.
// (Checked by test/scripts/import-direction.test.ts, as VS Code's `code-import-patterns` does.)
export const CORE_FOLDERS_IN_ORDER = [
  'home', 'install', 'auth', 'scheduling', 'alerts', 'models', 'dependencies', 'skills', 'export',
  'runs', 'health', 'layers', 'supervision', 'host', 'front', 'app',
];

/** The longest line (issue #23); `max-len` below. */
const MAX_LINE = 140;
/**
 * The lines `max-len` lets be longer: a test or group's opening line (its name is a sentence),
 * and a line that is one string (a message, optionally after `key:`, `return`, `?` or `:`).
 */
const LONG_LINES_KEPT = String.raw`^\s*((it|describe|test)\(|([\w$.]+:\s*|return\s+|[?:]\s+)?(['"\x60]).*\4[,;)]*$)`;

/** A relative import that climbs into one of `folders` (`../host/…`, `../../host/…`). */
const into = (folders) => `(^|/)\\.\\./(${folders.join('|')})/`;

const directionBlocks = CORE_FOLDERS_IN_ORDER.map((folder, i) => {
  const below = CORE_FOLDERS_IN_ORDER.slice(0, i);
  const above = [...CORE_FOLDERS_IN_ORDER.slice(i + 1), 'cli', 'electron'];
  return {
    name: `clawkeeper/import-direction/core/${folder}`,
    files: [`main/core/${folder}/**/*.ts`, `main/core/${folder}/**/*.js`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{
          regex: into(above),
          message: `main/core/${folder} imports only main/common${below.length ? ` and main/core/{${below.join(',')}}` : ''} (the order of folders, docs/design.md): pass what it needs from a higher folder in through an interface, or move it lower.`,
        }],
      }],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'main/core/skills/generated/**',
      'test-results/**',
      'bench/results/**',
      'renderer/vendor/**',
      'scratch/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'skills/*/*.mjs', 'test/fixtures/code/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-imports': ['error', { paths: [noElectron] }],
      // Width hides size (issue #23): a line holds at most 140 characters. Core `max-len` is
      // deprecated in ESLint 9 but still works; its successor is `@stylistic/max-len`
      // (@stylistic/eslint-plugin), to switch to with the next dependency change. Not wrapped:
      // a URL, a regular expression, a test's name (`it('…'`: a behaviour sentence, found by
      // grep) and a line that is one message string (a user-facing sentence split in two can no
      // longer be grepped for). Markup in the dashboard's htm templates is wrapped like code.
      'max-len': ['error', {
        code: MAX_LINE,
        ignoreUrls: true,
        ignoreRegExpLiterals: true,
        ignorePattern: LONG_LINES_KEPT,
      }],
    },
  },
  {
    name: 'clawkeeper/import-direction/common',
    files: ['main/common/**/*.ts', 'main/common/**/*.js'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          {
            group: ['node:*', 'fs', 'path', 'child_process', 'os'],
            message: 'main/common is shared with the renderer: keep it free of Node APIs.',
          },
          {
            regex: into(['core', 'cli', 'electron']),
            message: 'main/common is the bottom of the order of folders (docs/design.md): it imports nothing of main/core, main/cli or main/electron.',
          },
        ],
      }],
    },
  },
  ...directionBlocks,
  {
    name: 'clawkeeper/import-direction/cli',
    files: ['main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{
          regex: into(['electron']),
          message: 'main/cli sits below main/electron in the order of folders (docs/design.md): the desktop app runs the CLI, not the other way round.',
        }],
      }],
    },
  },
  {
    // The renderer is JSDoc-typed JS with `any` snapshots; its tests read them as such.
    files: ['test/renderer/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['main/electron/**/*.ts', 'e2e/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain JS elsewhere (bin, the dashboard, fixtures) is linted without types. The plain-JS
    // files of main/ (loaded by child processes without type stripping, docs/design.md) are
    // `// @ts-check`ed by tsc and keep the type-aware rules like the TypeScript around them.
    files: ['**/*.js', '**/*.mjs'],
    ignores: ['main/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // What they handle is mostly IPC messages and JSON, `any` by nature: the no-unsafe family
    // would ask for a cast at every access. The rest (floating promises, misused promises,
    // awaiting non-promises...) applies as in TypeScript.
    files: ['main/**/*.js'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
