import { createHmac, timingSafeEqual } from 'crypto';

/** `sha256=<hex>` as Meta sends it in X-Hub-Signature-256: HMAC-SHA256 of the raw body. */
export function signPayload(rawBody: Buffer | string, secret: string): string {
	return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Constant-time check of an X-Hub-Signature-256 header. Comparing fixed-length digests
 * (never the raw header string) keeps the time independent of where a forgery differs.
 */
export function verifySignature(
	rawBody: Buffer | string,
	header: unknown,
	secret: string,
): boolean {
	if (typeof header !== 'string' || secret === '') return false;
	const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
	if (!match) return false;
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	const received = Buffer.from(match[1], 'hex');
	return received.length === expected.length && timingSafeEqual(received, expected);
}

/** Constant-time comparison of two secrets of any length (e.g. a webhook verify token). */
export function secretsEqual(a: unknown, b: string): boolean {
	if (typeof a !== 'string' || b === '') return false;
	const left = createHmac('sha256', 'compare').update(a).digest();
	const right = createHmac('sha256', 'compare').update(b).digest();
	return timingSafeEqual(left, right);
}
