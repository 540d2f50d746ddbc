/** Two projects: fast unit tests of the pure core, and end-to-end tests in a real n8n. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.tools.json' }];

module.exports = {
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			// Queue mode starts its own n8n, Postgres and Redis: project `queue` below.
			testPathIgnorePatterns: ['/node_modules/', '/test/e2e/queue-mode\\.test\\.ts$'],
			globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
			globalTeardown: '<rootDir>/test/e2e/globalTeardown.ts',
		},
		// n8n queue mode (main + 2 workers, own Postgres + Redis; ~10 min): only with RELIABILITY_QUEUE=1.
		...(process.env.RELIABILITY_QUEUE === '1'
			? [
					{
						displayName: 'queue',
						testEnvironment: 'node',
						transform: { '^.+\\.ts$': tsJest },
						testMatch: ['<rootDir>/test/e2e/queue-mode.test.ts'],
					},
				]
			: []),
	],
};
