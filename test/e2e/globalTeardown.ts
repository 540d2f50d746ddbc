import { existsSync } from 'fs';
import path from 'path';

import type { FakeCloudApi } from '../../scripts/fake-cloud-api/server';
import type { N8nInstance } from '../../scripts/n8n-runtime';
import { collectE2ePhones, snapshotFake } from '../support/e2ePhones';
import { formatHits, listFiles, maskDigits, phoneDigits, scanFiles } from '../support/plaintextScan';

interface Handles {
	fake: FakeCloudApi;
	n8n: N8nInstance;
	fakeRecords: Array<{ requests: unknown[]; webhooks: unknown[] }>;
}

/** Code, not data: our installed package and n8n's editor assets. */
const CODE_DIRS = [path.join('.n8n', 'nodes'), path.join('.cache', 'n8n')];

export default async function globalTeardown(): Promise<void> {
	const handles = (globalThis as Record<string, unknown>).__E2E__ as Handles | undefined;
	if (!handles) return;
	const { fake, n8n, fakeRecords } = handles;
	snapshotFake(fake, fakeRecords);
	const businessNumbers = fake.phoneNumbers().map((p) => p.displayPhoneNumber ?? '');
	// n8n stopped first: SQLite is closed (WAL checkpointed) and every log line is written.
	await n8n.stop();
	await fake.close();
	scanForPlaintextPhones(n8n, fakeRecords, businessNumbers);
}

/**
 * Whole-suite privacy check: no guest phone of this run may be left in plaintext anywhere in
 * n8n's user folder (SQLite database, WAL, logs, event log, binary data) or n8n's log file.
 */
function scanForPlaintextPhones(n8n: N8nInstance, fakeRecords: Handles['fakeRecords'], businessNumbers: string[]): void {
	const { phones, fromFake, fromTests, onPurpose } = collectE2ePhones(fakeRecords, businessNumbers);
	const root = n8n.userFolder;
	const skip = (dir: string) => CODE_DIRS.some((code) => dir === path.join(root, code));
	const files = listFiles(root, skip);
	if (!files.includes(n8n.logFile) && existsSync(n8n.logFile)) files.push(n8n.logFile);
	// n8n 2.40.7 keeps binary data in the filesystem mode under .n8n/storage (N8N_BINARY_DATA_STORAGE_PATH).
	const isBinaryData = (file: string) => /(^|[\\/])(storage|binaryData)[\\/]/.test(path.relative(root, file));
	const result = scanFiles(files, phones, { isBinaryData });
	// A scan that missed n8n's database would prove nothing.
	if (!result.filesScanned.some((file) => path.basename(file) === 'database.sqlite')) {
		throw new Error(`plaintext phone scan: no database.sqlite found under ${root}; scanned ${result.filesScanned.join(', ')}`);
	}
	const purposeNote = onPurpose.length
		? `; ${onPurpose.length} number(s) plaintext on purpose, not scanned: ${onPurpose.map((p) => `${maskDigits(phoneDigits(p.phone) ?? p.phone)} (${p.note ?? 'no reason'})`).join('; ')}`
		: '';
	const summary = `${result.phonesChecked} guest phones (${fromFake} seen by the fake Cloud API, ${fromTests} registered by tests) checked in ${result.filesScanned.length} files, ${(result.bytesScanned / 1e6).toFixed(1)} MB under ${root}${purposeNote}`;
	if (result.hits.length === 0) {
		process.stderr.write(`[e2e] plaintext phone scan clean: ${summary}\n`);
		return;
	}
	const byFile = new Map<string, number>();
	for (const hit of result.hits) byFile.set(hit.file, (byFile.get(hit.file) ?? 0) + 1);
	throw new Error(
		`Guest phone numbers found in plaintext after the e2e run (${result.hits.length} hits shown, ${[...new Set(result.hits.map((h) => h.phone))].length} numbers; ${summary}):\n${formatHits(result.hits)}`,
	);
}
