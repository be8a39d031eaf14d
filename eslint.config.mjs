import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Pure and util libraries must stay free of the framework and the ORM, so a third party can run them alone.
const frameworkImports = ['@nestjs/*', 'typeorm', '@nestjs/typeorm', 'pg'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', 'tmp', '.nx', '.attest', 'coverage', '**/*.cjs', '**/*.mjs', 'apps/portal/**/*.js'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['^@attest/db/testing$'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:pure', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:pure', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:pure', 'type:util'] },
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure', 'type:util'], bannedExternalImports: frameworkImports },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'], bannedExternalImports: frameworkImports },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform'] },
            // Domain libs use the platform and may record audit events; the gateway composes them.
            ...['pii', 'policy', 'inference', 'identity', 'registry'].map((scope) => ({
              sourceTag: `scope:${scope}`,
              onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:platform', 'scope:audit'],
            })),
            { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:platform'] },
            // The governed request path composes every domain.
            { sourceTag: 'scope:governance', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // A domain lib's core is pure TypeScript: a third party runs it (the audit verifier) without the framework.
    files: ['libs/*/src/core/**/*.ts', 'libs/*/src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nestjs/*', 'typeorm', 'pg', '**/nest', '**/nest/**', '@attest/db', '@attest/*/nest'], message: 'core code stays free of NestJS, TypeORM and the database' }] },
      ],
    },
  },
  {
    // Nest injects by the runtime type of constructor parameters: those imports must stay value imports.
    files: ['apps/**/*.ts', 'libs/**/*.module.ts', 'libs/**/*.service.ts', 'libs/**/*.controller.ts', 'libs/**/*.repository.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // End-to-end projects drive the composed application in-process: they import the app they test.
    files: ['apps/*-e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
