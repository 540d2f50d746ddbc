import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

// n8n's community-node rules apply unchanged to everything that ships (lib/, nodes/, credentials/,
// package.json). The dev tooling that never runs inside n8n (the fake Cloud API, the n8n runtime
// scripts, tests, benchmarks) needs `process`, timers and npm packages, so it is left out here and
// type-checked by tsconfig.tools.json instead.
export default [globalIgnores(['scripts/**', 'test/**', 'bench/**', '.tmp/**', '.cache/**', 'gulpfile.js', 'jest.config.js']), ...config];
