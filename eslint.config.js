// ESLint flat config: the recommended rules of ESLint, typescript-eslint and eslint-plugin-svelte,
// nothing tuned beyond what the code base needs to say why.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  // What .gitignore ignores (build outputs, caches) and the generated fixtures.
  {
    ignores: [
      'dist/',
      'dev-dist/',
      'node_modules/',
      '.cache/',
      'bench/.cache/',
      'test-results/',
      'test/fixtures/generated/',
      '.gl/',
      '.whl/',
      '.gpu-bench/',
    ],
  },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  // `const { omitted: _, ...rest } = x` is how the code drops a key from an object.
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
);
