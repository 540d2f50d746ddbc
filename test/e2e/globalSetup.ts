/**
 * One real n8n (pinned, SQLite, our package installed like a community package) and one fake
 * Cloud API for the whole e2e run. Test files provision their own phone numbers, credentials
 * and workflows, so they do not depend on each other.
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import path from 'path';

import { startFakeCloudApi } from '../../scripts/fake-cloud-api/server';
import { installN8n, REPO_ROOT, startN8n } from '../../scripts/n8n-runtime';
import { E2E_ENV_FILE, type E2eEnv } from '../support/e2e';
import { snapshotFake } from '../support/e2ePhones';
import { GUEST_PHONES_FILE, PLAINTEXT_PHONES_FILE } from '../support/guestPhones';

export default async function globalSetup(): Promise<void> {
	const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);
	await installN8n({ log });
	const fake = await startFakeCloudApi({ port: 0, statusDelayMs: 20 });
	// The teardown scans n8n's files for every guest phone of this run (see globalTeardown.ts).
	rmSync(GUEST_PHONES_FILE, { force: true });
	rmSync(PLAINTEXT_PHONES_FILE, { force: true });
	const fakeRecords: Array<{ requests: unknown[]; webhooks: unknown[] }> = [];
	for (const method of ['reset', 'clearRequests', 'clearWebhooks'] as const) {
		const original = fake[method] as (...args: unknown[]) => void;
		(fake as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
			snapshotFake(fake, fakeRecords);
			original(...args);
		};
	}
	const n8n = await startN8n({
		extensionsDir: REPO_ROOT,
		log,
		logLevel: 'info',
		keepUserFolder: true,
		// n8n answers every request 503 "Database is not ready!" after one `SELECT 1` ping slower than
		// 5 s; on a machine shared by several n8n instances that happened for minutes on end.
		env: { DB_PING_TIMEOUT_MS: '60000' },
	});
	log(`n8n ${n8n.baseUrl} ready in ${n8n.startupSeconds.toFixed(1)} s; fake Cloud API ${fake.url}`);
	(globalThis as Record<string, unknown>).__E2E__ = { fake, n8n, fakeRecords };
	const env: E2eEnv = {
		n8nUrl: n8n.baseUrl,
		owner: n8n.owner,
		fakeUrl: fake.url,
		userFolder: n8n.userFolder,
		logFile: n8n.logFile,
	};
	mkdirSync(path.dirname(E2E_ENV_FILE), { recursive: true });
	writeFileSync(E2E_ENV_FILE, JSON.stringify(env, null, 2));
}
