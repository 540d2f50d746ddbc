/**
 * Guest phone numbers used by e2e tests. Every number a test hands to n8n is registered here so
 * the global teardown can check that none of them is left in plaintext in n8n's database, logs
 * or binary data (test/support/plaintextScan.ts). Numbers the fake Cloud API sees (recipients,
 * inbound senders) are collected by the teardown on its own.
 */
import { randomInt } from 'crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'fs';
import path from 'path';

import { REPO_ROOT } from '../../scripts/n8n-runtime';

export const GUEST_PHONES_FILE = path.join(REPO_ROOT, '.tmp', 'e2e-guest-phones.txt');
/** Numbers a test sends in plaintext on purpose (its point is plaintext behaviour): not scanned, reported. */
export const PLAINTEXT_PHONES_FILE = path.join(REPO_ROOT, '.tmp', 'e2e-plaintext-phones.txt');

function append(file: string, line: string): void {
	mkdirSync(path.dirname(file), { recursive: true });
	appendFileSync(file, `${line}\n`);
}

/** Registers a number the test gives to n8n (booking events, fixtures); returns it unchanged. */
export function registerGuestPhone<T extends string>(phone: T): T {
	append(GUEST_PHONES_FILE, phone);
	return phone;
}

/** A fresh Spanish mobile number, `+346…` (11 digits), registered for the plaintext scan. */
export function guestPhone(): string {
	return registerGuestPhone(`+346${String(randomInt(0, 100_000_000)).padStart(8, '0')}`);
}

/**
 * A number a test deliberately lets n8n see in plaintext (e.g. sending without a guest-data
 * credential). It is left out of the scan and listed in the teardown summary with `why`.
 * Reserved range `+1 555 01xx xxx` (fictional), so it can never be a guest number of another test.
 */
export function plaintextOnPurpose(why: string): string {
	const phone = `+155501${String(randomInt(0, 100_000)).padStart(5, '0')}`;
	append(PLAINTEXT_PHONES_FILE, `${phone}\t${why.replace(/\s+/g, ' ')}`);
	return phone;
}

export function readPhoneFile(file: string): Array<{ phone: string; note?: string }> {
	if (!existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.trim())
		.map((line) => {
			const [phone, note] = line.split('\t');
			return { phone: phone.trim(), note };
		});
}
