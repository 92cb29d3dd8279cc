// ESLint's recommended rules and typescript-eslint's, without type information (fast enough for every CI run).
// Style is Prettier's job (.prettierrc.json); rules that would force large rewrites of working code are off.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'test-artifacts/', '.audit-trail/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // A leading underscore marks what must be named but is not used: an Express error handler's `next`,
      // a key left out of a rest copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/viewer/client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
