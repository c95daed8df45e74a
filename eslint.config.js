// Lint: typescript-eslint's recommended rules; formatting is Prettier's job (.prettierrc.json).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'test/bed/state/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // a leading underscore names what is left out on purpose (a destructured field, an argument)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // tests read JSON documents (plans, --json output, schemas) whose shape is what they check
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
