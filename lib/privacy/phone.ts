/**
 * Guest phone numbers at rest: AES-256-GCM encryption (reversible, for sending) plus a keyed
 * HMAC-SHA256 lookup key (irreversible, for finding a guest by number without decrypting).
 *
 * Keys come from credentials: a 32-byte key as hex (64 chars) or base64/base64url (43–44 chars),
 * optionally prefixed `hex:` / `base64:`; anything else is a passphrase stretched with scrypt
 * (derived keys are cached — scrypt is deliberately slow). Use different keys for encryption and
 * lookup so that leaking one does not give away the other.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from 'crypto';
import { maskPhone, normalizeRecipient } from '../whatsapp/payloads';
import type { BookingEvent, Guest } from '../booking/schema';

export { maskPhone };

const VERSION = 'v1';
const AAD = Buffer.from('resort-whatsapp/phone/v1', 'utf8');
const SCRYPT_SALT = 'n8n-nodes-resort-whatsapp/phone-key/v1';
const SCRYPT_PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export class PhoneCryptoError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PhoneCryptoError';
	}
}

const derivedKeys = new Map<string, Buffer>();
const MAX_CACHED = 32;

function fromBase64(text: string): Buffer | undefined {
	if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return undefined;
	const buf = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	return buf.length === 32 ? buf : undefined;
}

/** Turns a credential value into a 32-byte key (see module comment for accepted forms). */
export function resolveKey(material: string | Buffer, purpose: 'encryption' | 'lookup' = 'encryption'): Buffer {
	if (Buffer.isBuffer(material)) {
		if (material.length !== 32) throw new PhoneCryptoError('a raw key must be 32 bytes');
		return material;
	}
	if (typeof material !== 'string' || material.length === 0) throw new PhoneCryptoError('key is empty');
	const text = material.trim();
	if (text.startsWith('hex:')) {
		const hex = text.slice(4);
		if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new PhoneCryptoError('hex: key must be 64 hex characters (32 bytes)');
		return Buffer.from(hex, 'hex');
	}
	if (text.startsWith('base64:')) {
		const buf = fromBase64(text.slice(7));
		if (!buf) throw new PhoneCryptoError('base64: key must decode to exactly 32 bytes');
		return buf;
	}
	if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
	const b64 = fromBase64(text);
	if (b64) return b64;
	const cacheKey = `${purpose}\u0000${material}`;
	const cached = derivedKeys.get(cacheKey);
	if (cached) return cached;
	const derived = scryptSync(material, `${SCRYPT_SALT}/${purpose}`, 32, SCRYPT_PARAMS);
	if (derivedKeys.size >= MAX_CACHED) derivedKeys.delete(derivedKeys.keys().next().value as string);
	derivedKeys.set(cacheKey, derived);
	return derived;
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/** Normalised E.164 with '+', e.g. "+34600123456"; throws PayloadValidationError when not a phone. */
export function normalizePhone(phone: string): string {
	return `+${normalizeRecipient(phone)}`;
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url parts), a fresh random 12-byte IV each time. */
function seal(plain: string, key: string | Buffer, aad: Buffer): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', resolveKey(key, 'encryption'), iv);
	cipher.setAAD(aad);
	const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	return [VERSION, b64url(iv), b64url(cipher.getAuthTag()), b64url(ciphertext)].join('.');
}

function unseal(token: string, key: string | Buffer, aad: Buffer, what: string): string {
	const parts = typeof token === 'string' ? token.split('.') : [];
	if (parts.length !== 4 || parts[0] !== VERSION) throw new PhoneCryptoError(`not an encrypted ${what} (expected v1.<iv>.<tag>.<ciphertext>)`);
	const [, ivText, tagText, ctText] = parts;
	const iv = Buffer.from(ivText, 'base64url');
	const tag = Buffer.from(tagText, 'base64url');
	const ciphertext = Buffer.from(ctText, 'base64url');
	if (iv.length !== 12 || tag.length !== 16 || ciphertext.length === 0) throw new PhoneCryptoError(`encrypted ${what} is malformed`);
	const plaintext = openSealed(resolveKey(key, 'encryption'), iv, tag, ciphertext, aad);
	if (plaintext === undefined) throw new PhoneCryptoError(`encrypted ${what} failed authentication (wrong key or tampered)`);
	return plaintext;
}

/** Encrypts a phone number (normalised to E.164 first). */
export function encryptPhone(phone: string, key: string | Buffer): string {
	return seal(normalizePhone(phone), key, AAD);
}

/** Decrypts `encryptPhone` output; throws PhoneCryptoError when malformed, tampered with or under another key. */
export function decryptPhone(token: string, key: string | Buffer): string {
	return unseal(token, key, AAD, 'phone');
}

const TOKEN_PATTERN = /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** True for a value shaped like `encryptPhone` output (so a send step knows to decrypt it). */
export function isEncryptedPhone(value: unknown): value is string {
	return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** `decryptPhone` that reports failure as undefined, for callers that turn it into their own error. */
export function tryDecryptPhone(token: string, key: string | Buffer): string | undefined {
	try {
		return decryptPhone(token, key);
	} catch {
		return undefined;
	}
}

const TEXT_AAD = Buffer.from('resort-sealed-text-v1');

/**
 * Encrypts any text that may hold personal data (e.g. a rejected webhook body kept for replay)
 * under the same key as phone numbers; a sealed text cannot be opened as a phone or vice versa.
 */
export function sealText(text: string, key: string | Buffer): string {
	return seal(text, key, TEXT_AAD);
}

export function openText(token: string, key: string | Buffer): string {
	return unseal(token, key, TEXT_AAD, 'text');
}

/** GCM decryption; undefined when the tag does not verify (wrong key or tampered data). */
function openSealed(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): string | undefined {
	const decipher = createDecipheriv('aes-256-gcm', key, iv);
	decipher.setAAD(aad);
	decipher.setAuthTag(tag);
	try {
		return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}

/** HMAC-SHA256(key, normalised E.164) as hex: the same number always gives the same lookup key. */
export function phoneLookupKey(phone: string, key: string | Buffer): string {
	return createHmac('sha256', resolveKey(key, 'lookup')).update(normalizePhone(phone), 'utf8').digest('hex');
}

export interface PhoneKeys {
	/** Encryption key material (32-byte hex/base64 or passphrase). */
	encryptionKey: string | Buffer;
	/** Lookup (HMAC) key material; use a different one from encryptionKey. */
	lookupKey: string | Buffer;
}

export interface ProtectedPhone {
	encrypted: string;
	lookupKey: string;
	masked: string;
}
export type ProtectedGuest = Omit<Guest, 'phone'> & { phone?: ProtectedPhone };
export type ProtectedBookingEvent = BookingEvent extends infer E
	? E extends BookingEvent
		? Omit<E, 'guest'> & { guest: ProtectedGuest }
		: never
	: never;

/** The event with `guest.phone` replaced by { encrypted, lookupKey, masked }; no plaintext remains. */
export function protectGuest(event: BookingEvent, keys: PhoneKeys): ProtectedBookingEvent {
	const { phone, ...guest } = event.guest;
	const protectedGuest: ProtectedGuest = phone
		? { ...guest, phone: { encrypted: encryptPhone(phone, keys.encryptionKey), lookupKey: phoneLookupKey(phone, keys.lookupKey), masked: maskPhone(phone) } }
		: guest;
	return { ...event, guest: protectedGuest } as ProtectedBookingEvent;
}
