// The linter: ESLint's and typescript-eslint's recommended rules over the library, tests, demo and examples.
// Formatting is Prettier's job (npm run format:check), so no stylistic rules here but max-len, for what Prettier skips.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'demo/dist/', 'coverage/', 'node_modules/', 'test/consumers/apps/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_unused` names document a deliberately ignored value (a destructured field, a callback parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Nest modules and DTOs are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': 'off',
      // Prettier wraps code at 120 columns but never comments, so without this a long JSDoc or // line goes unnoticed.
      // Strings, template literals, regexes and URLs may run long: splitting them could change the value they hold.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
        },
      ],
    },
  },
  {
    // Tests read ECPay's decrypted JSON, whose shape is what they assert.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'bench/**', 'scripts/**'],
    languageOptions: { globals: { ...globals.node } },
  },
);
