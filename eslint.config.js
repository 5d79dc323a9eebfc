// The JupyterLab extension template's lint settings, in ESLint's flat config.
import js from '@eslint/js';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'lib/',
      'build/',
      'jupyterlab_provenance/labextension/',
      'jupyterlab_provenance/agent/',
      'test-results/',
      'test-reports/',
      'playwright-report/',
      '.venv/',
      '**/*.d.ts'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettierRecommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
      // Stricter than the template: STYLE.md asks for no `any`.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // core/ runs in the browser and in Node: neither's APIs may be imported.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'core/ must not use Node APIs.' },
            {
              group: ['**/lab/**', '**/agent/**'],
              message: 'core/ depends on nothing else.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/lab/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/agent/**'],
              message: 'lab/ and agent/ never import each other.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/lab/**',
                '@jupyterlab/application',
                '@jupyterlab/notebook'
              ],
              message: 'lab/ and agent/ never import each other.'
            }
          ]
        }
      ]
    }
  }
);
