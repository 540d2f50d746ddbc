/** Collects every guest phone an e2e run used, from the fake Cloud API's records and the tests' registry. */
import type { FakeCloudApi } from '../../scripts/fake-cloud-api/server';
import { GUEST_PHONES_FILE, PLAINTEXT_PHONES_FILE, readPhoneFile } from './guestPhones';
import { phoneDigits } from './plaintextScan';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Senders and recipients in a Meta webhook envelope (messages[].from, contacts[].wa_id, statuses[].recipient_id). */
export function phonesInWebhook(body: unknown, out: Set<string>): void {
	for (const entry of arr(isObj(body) ? body.entry : undefined)) {
		for (const change of arr(isObj(entry) ? entry.changes : undefined)) {
			const value = isObj(change) && isObj(change.value) ? change.value : {};
			for (const m of arr(value.messages)) if (isObj(m)) addPhone(out, str(m.from));
			for (const c of arr(value.contacts)) if (isObj(c)) addPhone(out, str(c.wa_id));
			for (const s of arr(value.statuses)) if (isObj(s)) addPhone(out, str(s.recipient_id));
		}
	}
}

function addPhone(out: Set<string>, value: string | undefined): void {
	const digits = value ? phoneDigits(value) : undefined;
	if (digits) out.add(digits);
}

/** Unparseable bodies (fuzz): any "from"/"wa_id"/"recipient_id" that looks like a number. */
function phonesInRawText(text: string, out: Set<string>): void {
	for (const m of text.matchAll(/"(?:from|wa_id|recipient_id)"\s*:\s*"(\+?\d{8,15})"/g)) addPhone(out, m[1]);
}

export interface E2ePhoneSet {
	/** Digits of every guest number to look for. */
	phones: Set<string>;
	fromFake: number;
	fromTests: number;
	/** Numbers tests declared plaintext on purpose (left out), with the reason. */
	onPurpose: Array<{ phone: string; note?: string }>;
}

/** Everything the fake saw (send recipients, Meta's contacts in answers, webhook senders/recipients) ∪ the tests' registry. */
export function collectE2ePhones(fakeRecords: Array<{ requests: unknown[]; webhooks: unknown[] }>, businessNumbers: string[]): E2ePhoneSet {
	const fromFake = new Set<string>();
	for (const batch of fakeRecords) {
		for (const r of batch.requests) {
			if (!isObj(r)) continue;
			if (r.kind === 'messages' && isObj(r.body)) addPhone(fromFake, str(r.body.to));
			if (isObj(r.response)) {
				for (const c of arr(r.response.contacts)) if (isObj(c)) (addPhone(fromFake, str(c.input)), addPhone(fromFake, str(c.wa_id)));
			}
		}
		for (const d of batch.webhooks) {
			if (!isObj(d)) continue;
			if (d.payload) phonesInWebhook(d.payload, fromFake);
			else if (typeof d.body === 'string') {
				try {
					phonesInWebhook(JSON.parse(d.body), fromFake);
				} catch {
					phonesInRawText(d.body, fromFake);
				}
			}
		}
	}
	for (const business of businessNumbers) {
		const digits = phoneDigits(business);
		if (digits) fromFake.delete(digits);
	}
	const fromTests = new Set(readPhoneFile(GUEST_PHONES_FILE).map((p) => phoneDigits(p.phone)).filter((d): d is string => d !== undefined));
	const onPurpose = readPhoneFile(PLAINTEXT_PHONES_FILE);
	const phones = new Set([...fromFake, ...fromTests]);
	for (const p of onPurpose) {
		const digits = phoneDigits(p.phone);
		if (digits) phones.delete(digits);
	}
	return { phones, fromFake: fromFake.size, fromTests: fromTests.size, onPurpose };
}

/** Keeps the fake's records even if something clears them during the run. */
export function snapshotFake(fake: FakeCloudApi, into: Array<{ requests: unknown[]; webhooks: unknown[] }>): void {
	into.push({ requests: fake.requests(), webhooks: fake.webhooks() });
}
