import { createHmac, randomBytes } from 'crypto';
import { validateBookingEvent, type BookingEvent } from '../../lib/booking';
import { decryptPhone, encryptPhone, maskPhone, PhoneCryptoError, phoneLookupKey, protectGuest, resolveKey } from '../../lib/privacy';
import confirmed from '../../templates/examples/booking/reservation-confirmed.json';

const HEX_KEY = 'a'.repeat(64);
const B64_KEY = randomBytes(32).toString('base64');
const LOOKUP_KEY = Buffer.alloc(32, 7).toString('hex');

describe('phone encryption (AES-256-GCM)', () => {
	it('round-trips and normalises to E.164', () => {
		const token = encryptPhone('+34 600-123-456', HEX_KEY);
		expect(token).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
		expect(decryptPhone(token, HEX_KEY)).toBe('+34600123456');
		expect(decryptPhone(encryptPhone('34600123456', B64_KEY), B64_KEY)).toBe('+34600123456');
	});

	it('uses a fresh IV: same phone, different ciphertexts', () => {
		expect(encryptPhone('+34600123456', HEX_KEY)).not.toBe(encryptPhone('+34600123456', HEX_KEY));
	});

	it('detects tampering with any part', () => {
		const token = encryptPhone('+34600123456', HEX_KEY);
		const parts = token.split('.');
		for (const i of [1, 2, 3]) {
			const p = [...parts];
			const buf = Buffer.from(p[i], 'base64url');
			buf[0] ^= 1;
			p[i] = buf.toString('base64url');
			expect(() => decryptPhone(p.join('.'), HEX_KEY)).toThrow(PhoneCryptoError);
		}
		expect(() => decryptPhone(token.replace(/^v1/, 'v2'), HEX_KEY)).toThrow('not an encrypted phone');
		expect(() => decryptPhone('v1.a.b', HEX_KEY)).toThrow(PhoneCryptoError);
	});

	it('refuses the wrong key', () => {
		const token = encryptPhone('+34600123456', HEX_KEY);
		expect(() => decryptPhone(token, 'b'.repeat(64))).toThrow('failed authentication (wrong key or tampered)');
	});

	it('accepts hex, base64, base64url and prefixed keys; passphrases go through scrypt (cached)', () => {
		const raw = randomBytes(32);
		expect(resolveKey(raw.toString('hex'))).toEqual(raw);
		expect(resolveKey(`hex:${raw.toString('hex')}`)).toEqual(raw);
		expect(resolveKey(raw.toString('base64'))).toEqual(raw);
		expect(resolveKey(raw.toString('base64url'))).toEqual(raw);
		expect(resolveKey(`base64:${raw.toString('base64')}`)).toEqual(raw);
		expect(() => resolveKey('hex:abcd')).toThrow(PhoneCryptoError);
		expect(() => resolveKey('')).toThrow(PhoneCryptoError);

		const derived = resolveKey('correct horse battery staple');
		expect(resolveKey('correct horse battery staple')).toBe(derived); // same Buffer: from the cache
		expect(derived).toHaveLength(32);
		expect(resolveKey('correct horse battery staple', 'lookup')).not.toEqual(derived);
		const token = encryptPhone('+351912345678', 'correct horse battery staple');
		expect(decryptPhone(token, 'correct horse battery staple')).toBe('+351912345678');
	});
});

describe('phoneLookupKey (HMAC-SHA256)', () => {
	it('same phone (any formatting) → same key; different key → different', () => {
		const a = phoneLookupKey('+34600123456', LOOKUP_KEY);
		expect(a).toMatch(/^[0-9a-f]{64}$/);
		expect(phoneLookupKey('34 600 123 456', LOOKUP_KEY)).toBe(a);
		expect(phoneLookupKey('+34600123457', LOOKUP_KEY)).not.toBe(a);
		expect(phoneLookupKey('+34600123456', HEX_KEY)).not.toBe(a);
	});
	it('matches the documented construction', () => {
		expect(phoneLookupKey('+34600123456', LOOKUP_KEY)).toBe(
			createHmac('sha256', Buffer.from(LOOKUP_KEY, 'hex')).update('+34600123456').digest('hex'),
		);
	});
});

describe('protectGuest', () => {
	const event = (() => {
		const r = validateBookingEvent(confirmed);
		if (!r.ok) throw new Error('example invalid');
		return r.event;
	})();
	const keys = { encryptionKey: HEX_KEY, lookupKey: LOOKUP_KEY };

	it('replaces guest.phone with encrypted, lookupKey and masked — no plaintext left', () => {
		const p = protectGuest(event, keys);
		expect(p.guest.phone).toEqual({
			encrypted: expect.stringMatching(/^v1\./),
			lookupKey: phoneLookupKey('+34600123456', LOOKUP_KEY),
			masked: '+34•••••••56',
		});
		expect(maskPhone('+34600123456')).toBe('+34•••••••56');
		expect(JSON.stringify(p)).not.toContain('600123456');
		expect(decryptPhone(p.guest.phone!.encrypted, HEX_KEY)).toBe('+34600123456');
		expect({ ...p, guest: { ...p.guest, phone: undefined } }).toEqual({ ...event, guest: { ...event.guest, phone: undefined } });
		expect(event.guest.phone).toBe('+34600123456'); // input not mutated
	});

	it('leaves a guest without phone as is', () => {
		const { phone: _p, ...guest } = event.guest;
		const noPhone = { ...event, guest } as BookingEvent;
		expect(protectGuest(noPhone, keys)).toEqual(noPhone);
	});
});
