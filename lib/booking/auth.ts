/**
 * Authentication of booking-platform webhooks.
 *
 * HMAC mode (default): the sender signs `<timestamp>.<raw body>` with HMAC-SHA256 and a shared
 * secret and sends `X-Resort-Signature: t=<unix seconds>,v1=<hex>` (Stripe-style; several `v1=`
 * entries are accepted so a secret can be rotated). Alternatively the timestamp can come in its
 * own header (`timestampHeader`), the signature header then holding `v1=<hex>`, `sha256=<hex>` or
 * the bare hex. The signature is checked first (constant time, via lib/whatsapp/signature), then
 * the timestamp must be within `toleranceSeconds` of the injected clock, in either direction.
 *
 * Token mode: for platforms that cannot sign, a secret token in a header or query parameter,
 * compared in constant time.
 */
import { signPayload, secretsEqual, verifySignature } from '../whatsapp/signature';

export type HeaderBag = Record<string, string | string[] | undefined>;

export type BookingAuthFailure = 'missing_signature' | 'malformed_signature' | 'bad_signature' | 'stale_timestamp';
export type BookingAuthResult = { ok: true } | { ok: false; reason: BookingAuthFailure };

export const DEFAULT_SIGNATURE_HEADER = 'x-resort-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface HmacAuthOptions {
	/** Shared secret; several while rotating (any one may match). */
	secret: string | readonly string[];
	/** Current time in unix seconds; injected so tests and replays are deterministic. */
	now: () => number;
	/** Header carrying the signature, case-insensitive. Default `X-Resort-Signature`. */
	signatureHeader?: string;
	/** When set, the timestamp is read from this header instead of `t=` in the signature header. */
	timestampHeader?: string;
	/** Maximum clock difference accepted, both directions. Default 300 s. */
	toleranceSeconds?: number;
}

/** Case-insensitive header lookup; a repeated header yields its first value. */
export function getHeader(headers: HeaderBag, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		const v = Array.isArray(value) ? value[0] : value;
		return typeof v === 'string' ? v : undefined;
	}
	return undefined;
}

const TIMESTAMP = /^\d{1,12}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;

function signedPayload(timestamp: string, rawBody: Buffer | string): Buffer {
	const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
	return Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body]);
}

/** Splits the signature header into its timestamp and candidate signatures; null when malformed. */
function parseSignatureHeader(value: string, separateTimestamp: string | undefined): { t: string; v1: string[] } | null {
	const trimmed = value.trim();
	if (separateTimestamp !== undefined) {
		const hex = trimmed.replace(/^(?:v1=|sha256=)/, '');
		return HEX64.test(hex) ? { t: separateTimestamp.trim(), v1: [hex] } : null;
	}
	let t: string | undefined;
	const v1: string[] = [];
	for (const part of trimmed.split(',')) {
		const eq = part.indexOf('=');
		if (eq <= 0) return null;
		const key = part.slice(0, eq).trim();
		const val = part.slice(eq + 1).trim();
		if (key === 't') {
			if (t !== undefined) return null;
			t = val;
		} else if (key === 'v1') {
			if (!HEX64.test(val)) return null;
			v1.push(val);
		} // other schemes (v0, …) are ignored, as Stripe does
	}
	if (t === undefined || v1.length === 0) return null;
	return { t, v1 };
}

/** Verifies an HMAC-signed booking webhook. Never throws. */
export function verifyBookingWebhook(
	rawBody: Buffer | string,
	headers: HeaderBag,
	options: HmacAuthOptions,
): BookingAuthResult {
	const header = getHeader(headers, options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER);
	if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing_signature' };
	let separateTimestamp: string | undefined;
	if (options.timestampHeader) {
		separateTimestamp = getHeader(headers, options.timestampHeader);
		if (separateTimestamp === undefined || separateTimestamp.trim() === '') return { ok: false, reason: 'missing_signature' };
	}
	const parsed = parseSignatureHeader(header, separateTimestamp);
	if (!parsed || !TIMESTAMP.test(parsed.t)) return { ok: false, reason: 'malformed_signature' };

	const secrets = (typeof options.secret === 'string' ? [options.secret] : options.secret).filter((s) => s !== '');
	if (secrets.length === 0) return { ok: false, reason: 'bad_signature' };
	const payload = signedPayload(parsed.t, rawBody);
	let matched = false;
	for (const secret of secrets) {
		for (const candidate of parsed.v1) {
			// Evaluate every pair (no early exit) so timing does not reveal which secret matched.
			if (verifySignature(payload, `sha256=${candidate}`, secret)) matched = true;
		}
	}
	if (!matched) return { ok: false, reason: 'bad_signature' };

	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	const skew = Math.abs(Math.floor(options.now()) - Number(parsed.t));
	if (!(skew <= tolerance)) return { ok: false, reason: 'stale_timestamp' };
	return { ok: true };
}

/** Hex HMAC-SHA256 of `<timestamp>.<raw body>`. */
export function bookingSignature(rawBody: Buffer | string, secret: string, timestamp: number | string): string {
	return signPayload(signedPayload(String(timestamp), rawBody), secret).slice('sha256='.length);
}

/** The `X-Resort-Signature` header value for a body, for tests, the demo and client libraries. */
export function signBookingWebhook(rawBody: Buffer | string, secret: string, nowSeconds: number): string {
	const t = Math.floor(nowSeconds);
	return `t=${t},v1=${bookingSignature(rawBody, secret, t)}`;
}

export type TokenAuthFailure = 'missing_token' | 'bad_token';
export type TokenAuthResult = { ok: true } | { ok: false; reason: TokenAuthFailure };

export interface TokenAuthOptions {
	token: string;
	/** Header to read (`Authorization: Bearer <token>` is understood). Default `X-Resort-Token`. */
	header?: string;
	/** Query parameter to read when the header is absent, e.g. `token`. Off unless set. */
	queryParam?: string;
}

/** Secret-token check for platforms that cannot sign (the token is in their webhook URL or a header). */
export function verifyBookingToken(
	headers: HeaderBag,
	query: Record<string, unknown>,
	options: TokenAuthOptions,
): TokenAuthResult {
	const headerName = options.header ?? 'x-resort-token';
	let received: unknown = getHeader(headers, headerName);
	if (typeof received === 'string' && headerName.toLowerCase() === 'authorization') {
		received = received.replace(/^Bearer\s+/i, '');
	}
	if ((received === undefined || received === '') && options.queryParam) {
		const q = query[options.queryParam];
		received = Array.isArray(q) ? q[0] : q;
	}
	if (typeof received !== 'string' || received === '') return { ok: false, reason: 'missing_token' };
	return secretsEqual(received, options.token) ? { ok: true } : { ok: false, reason: 'bad_token' };
}
