// Lint rules, including the layer boundary (as VS Code enforces its `common/node/electron-main` split):
// main/common is pure (no Node, no Electron), main/core is Node only (never `electron`,
// which from Electron 42 on tries to download a binary when required outside Electron).
import tseslint from 'typescript-eslint';

const noElectron = {
  name: 'electron',
  message: 'main/core and main/common must run under plain Node: put Electron code in main/electron and pass it in through an interface.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'main/core/skills/generated/**', 'test-results/**', 'bench/results/**', 'renderer/vendor/**', 'scratch/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'skills/*/*.mjs', 'test/fixtures/code/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-imports': ['error', { paths: [noElectron] }],
    },
  },
  {
    files: ['main/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['node:*', 'fs', 'path', 'child_process', 'os'], message: 'main/common is shared with the renderer: keep it free of Node APIs.' }],
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
