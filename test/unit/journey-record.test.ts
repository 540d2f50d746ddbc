import { checkJourneyRecord, encryptPhone, maskPhone, phoneLookupKey } from '../../lib';

const keys = { encryptionKey: 'e'.repeat(64), lookupKey: 'l'.repeat(64) };
const PHONE = '+34600123456';

function goodRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		id: 7,
		bookingId: 'bk-1',
		stage: 'abandoned',
		reminder1Sent: true,
		reminder2Sent: false,
		guestKey: phoneLookupKey(PHONE, keys.lookupKey),
		phoneEncrypted: encryptPhone(PHONE, keys.encryptionKey),
		phone: maskPhone(PHONE),
		...overrides,
	};
}

const codes = (row: Record<string, unknown>, options = {}) => checkJourneyRecord(row, { keys, ...options }).map((p) => `${p.field}:${p.code}`);

describe('checkJourneyRecord', () => {
	test('a consistent row has no problems', () => {
		expect(codes(goodRow())).toEqual([]);
		expect(codes(goodRow(), { expectedGuestKey: phoneLookupKey(PHONE, keys.lookupKey) })).toEqual([]);
		expect(codes(goodRow({ stage: 'converted', amountValue: 1240, amountCurrency: 'EUR' }))).toEqual([]);
	});

	test('missing identity and stage are named', () => {
		expect(codes(goodRow({ bookingId: '  ', stage: null }))).toEqual(['bookingId:missing', 'stage:missing']);
		expect(codes(goodRow({ stage: 'paid' }))).toEqual(['stage:unknown_stage']);
	});

	test('a tampered or foreign ciphertext is caught by GCM authentication', () => {
		const token = String(goodRow().phoneEncrypted);
		const [v, iv, tag, data] = token.split('.');
		const flipped = `${v}.${iv}.${tag}.${data.startsWith('A') ? 'B' : 'A'}${data.slice(1)}`;
		expect(codes(goodRow({ phoneEncrypted: flipped }))).toEqual(['phoneEncrypted:phone_unreadable']);
		const otherKey = encryptPhone(PHONE, 'x'.repeat(64));
		expect(codes(goodRow({ phoneEncrypted: otherKey }))).toEqual(['phoneEncrypted:phone_unreadable']);
	});

	test('a row whose number and lookup key disagree, or that is another guest’s, is caught', () => {
		const other = '+34600999888';
		expect(codes(goodRow({ phoneEncrypted: encryptPhone(other, keys.encryptionKey) }))).toEqual([
			'guestKey:phone_key_mismatch',
			'phone:masked_mismatch',
		]);
		expect(codes(goodRow(), { expectedGuestKey: phoneLookupKey(other, keys.lookupKey) })).toEqual(['guestKey:other_guest']);
	});

	test('inconsistent flags and a bad conversion amount are caught', () => {
		expect(codes(goodRow({ reminder1Sent: false, reminder2Sent: true }))).toEqual(['reminder2Sent:flags_inconsistent']);
		expect(codes(goodRow({ stage: 'converted', amountValue: -5, amountCurrency: 'euro' }))).toEqual([
			'amountValue:amount_invalid',
			'amountCurrency:amount_invalid',
		]);
	});

	test('without keys the crypto checks are skipped but presence is still required', () => {
		expect(checkJourneyRecord(goodRow({ phoneEncrypted: 'v1.a.b.c' }))).toEqual([]);
		expect(checkJourneyRecord(goodRow({ phoneEncrypted: '', guestKey: '' })).map((p) => p.field)).toEqual(['guestKey', 'phoneEncrypted']);
	});

	test('messages never contain the number', () => {
		const other = '+34600999888';
		const problems = checkJourneyRecord(goodRow({ phoneEncrypted: encryptPhone(other, keys.encryptionKey) }), { keys });
		for (const p of problems) {
			expect(p.message).not.toContain('600999888');
			expect(p.message).not.toContain('600123456');
		}
	});
});
