import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noElectron = { name: 'electron', message: 'Only the thin shell in src/main may import electron.' };
// Outside src/engine, the engine is reached through its one entry (src/engine/index.ts) only.
const engineFrontDoor = { regex: '(^|/)engine/(?!index$)', message: 'Import the engine from its entry (src/engine, i.e. src/engine/index.ts), not its insides.' };

// Layer boundaries (ARCHITECTURE.md): shared is pure TS; the engine and the CLI are pure Node; the
// engine is reached through its one entry; the renderer talks only to the typed API.
export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron, ...nodeBuiltins.map((name) => ({ name, message: 'src/shared is pure TypeScript: no Node built-ins.' }))],
      }],
    },
  },
  {
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/cli/**', '**/main/**', '**/renderer/**', '**/preload/**'], message: 'The engine depends on src/shared only: front ends depend on it, not the other way.' }],
      }],
    },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron], patterns: [engineFrontDoor] }] },
  },
  {
    files: ['src/main/**', 'scripts/**', 'e2e/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [engineFrontDoor] }] },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron, ...nodeBuiltins.map((name) => ({ name, message: 'The renderer talks only to the typed API.' }))],
        patterns: [{ group: ['**/main/**', '**/cli/**', '**/preload/**', '**/engine', '**/engine/**'], message: 'The renderer talks only to the typed API (src/shared).' }],
      }],
    },
  },
  {
    files: ['src/preload/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/cli/**', '**/engine', '**/engine/**'], message: 'The preload exposes the API; it does not import the engine.' }] }] },
  },
);
