import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { collectE2ePhones } from '../support/e2ePhones';
import { base64Cores, formatHits, listFiles, scanBuffer, scanFiles } from '../support/plaintextScan';
import { encryptPhone, maskPhone } from '../../lib/privacy';

const PHONE = '+34612345678';
const OTHER = '+34698765432';
const KEY = 'b'.repeat(64);

describe('plaintext phone scan', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'plaintext-scan-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('finds a planted number in a file among others and reports where, masked, with context', () => {
		const clean = `{"from":"${encryptPhone(PHONE, KEY)}","fromMasked":"${maskPhone(PHONE)}","ts":1764072543000}`;
		const leaky = `${'x'.repeat(1000)}{"messaging_product":"whatsapp","to":"${PHONE}","type":"text"}`;
		writeFileSync(path.join(dir, 'clean.log'), clean);
		mkdirSync(path.join(dir, 'sub'));
		writeFileSync(path.join(dir, 'sub', 'database.sqlite'), Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(leaky)]));
		const files = listFiles(dir);
		const result = scanFiles(files, [PHONE, OTHER]);
		expect(result.filesScanned).toHaveLength(2);
		expect(result.bytesScanned).toBe(Buffer.byteLength(clean) + Buffer.byteLength(leaky) + 4);
		expect(result.phonesChecked).toBe(2);
		expect(result.hits).toHaveLength(1);
		const [hit] = result.hits;
		expect(hit.file).toBe(path.join(dir, 'sub', 'database.sqlite'));
		// '+' is not part of the digits; the offset is the first digit's byte.
		expect(hit.offset).toBe(4 + 1000 + leaky.slice(1000).indexOf(PHONE) + 1);
		expect(hit.form).toBe('digits');
		expect(hit.phone).toBe('+34•••••••78');
		expect(hit.context).toContain('"to":"+34•••••••78","type":"text"}');
		expect(hit.context).not.toContain('612345678');
		expect(formatHits(result.hits)).toContain('database.sqlite @');
	});

	it('finds digits-only, formatted and bracketed forms, but not a longer id that contains the digits', () => {
		const digits = PHONE.slice(1);
		const text = [
			`wa_id=${digits};`,
			'tel: +34 612 34 56 78 at 12:00',
			'call (+34) 612-345-678',
			`id 9${digits}1 is not a phone`,
			'+34.612.345.679 is another number',
		].join('\n');
		const hits = scanBuffer('mem', Buffer.from(text), [PHONE]);
		expect(hits.map((h) => h.form)).toEqual(['digits', 'formatted', 'formatted']);
		expect(hits.every((h) => h.phone === '+34•••••••78')).toBe(true);
	});

	it('finds base64 of the number at any alignment, only in binary-data files', () => {
		for (const prefix of ['', 'a', 'ab', '{"body":"']) {
			for (const form of [PHONE, PHONE.slice(1)]) {
				const b64 = Buffer.from(`${prefix}${form}","more":1}`).toString('base64');
				const data = Buffer.from(`raw:${b64}`);
				expect(scanBuffer('storage/x', data, [PHONE], { isBinaryData: () => true }).map((h) => h.form)).toContain('base64');
				expect(scanBuffer('database.sqlite', data, [PHONE])).toEqual([]);
			}
		}
		expect(base64Cores('34612345678').length).toBeGreaterThanOrEqual(3);
	});

	it('is clean when only the encrypted and masked forms are present', () => {
		const data = Buffer.from(JSON.stringify({ to: encryptPhone(PHONE, KEY), masked: maskPhone(PHONE) }));
		expect(scanBuffer('f', data, [PHONE, OTHER], { isBinaryData: () => true })).toEqual([]);
	});
});

describe('e2e phone set', () => {
	it('takes recipients and senders from the fake, not the business number, not plaintext-on-purpose ones', () => {
		const inbound = { object: 'whatsapp_business_account', entry: [{ changes: [{ value: { metadata: { display_phone_number: '15550001111' }, contacts: [{ wa_id: '34611000001' }], messages: [{ from: '34611000001', context: { from: '15550001111' } }] } }] }] };
		const status = { object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ recipient_id: '34611000002' }] } }] }] };
		const set = collectE2ePhones(
			[
				{
					requests: [{ kind: 'messages', body: { to: '+34611000003' }, response: { contacts: [{ input: '+34611000003', wa_id: '34611000003' }] } }],
					webhooks: [{ payload: inbound }, { payload: null, body: JSON.stringify(status) }, { payload: null, body: '{"from":"34611000004", broken' }],
				},
			],
			['15550001111'],
		);
		expect([...set.phones].sort()).toEqual(expect.arrayContaining(['34611000001', '34611000002', '34611000003', '34611000004']));
		expect(set.phones.has('15550001111')).toBe(false);
	});
});
