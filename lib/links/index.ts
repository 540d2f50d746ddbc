/**
 * Tracked booking links. A WhatsApp URL button opens `<fixed base>{{1}}`; when the base is the
 * Resort Tracked Link Trigger's webhook, `{{1}}` is a token made here. The trigger checks it,
 * records the click and redirects the guest to the booking site.
 *
 * The token is signed (HMAC-SHA256) so nobody can forge clicks in the figures. It carries the path on
 * the booking site, never a whole URL: the site itself is a setting of the trigger, so a token
 * cannot send a guest anywhere else (no open redirect). It carries no phone number, only the
 * guest's keyed lookup hash, and it does not expire: a guest may open an old chat months later.
 */
import { createHmac, timingSafeEqual } from 'crypto';

/** What a click tells the figures (lib/analytics: link_click matched by template + booking or guest). */
export interface LinkClaims {
	/** Path and query on the booking site, e.g. `resume/bk-123?utm_source=whatsapp`. */
	path: string;
	template?: string;
	language?: string;
	bookingId?: string;
	guestKey?: string;
	/** When the link was made (epoch seconds). */
	issuedAt: number;
}

export type LinkCheck =
	| { ok: true; claims: LinkClaims }
	| { ok: false; reason: 'malformed_link' | 'bad_link_signature'; status: 400 | 403 };

const VERSION = 'l1';
/** 128 bits of the MAC: enough against forgery, and keeps the button URL short. */
const MAC_BYTES = 16;
/** Meta allows 2,000 characters per button URL; the base takes some of them. */
export const MAX_TOKEN_LENGTH = 1500;

type Wire = { p: string; t?: string; l?: string; b?: string; g?: string; i: number };

function mac(payload: string, secret: string): Buffer {
	// Domain-separated, so the same secret used elsewhere cannot produce a valid link.
	return createHmac('sha256', secret).update(`resort-link:${VERSION}:${payload}`).digest().subarray(0, MAC_BYTES);
}

export class LinkError extends Error {}

const NO_SECRET = 'no link signing secret: set "Link Signing Secret" in the Resort WhatsApp Cloud API credential';
const notAPath = (path: string) => `"${path.slice(0, 80)}" is not a path on the booking site`;
const tooLong = (token: string) => `tracked link is ${token.length} characters (at most ${MAX_TOKEN_LENGTH}): shorten the path`;

function sign(claims: LinkClaims, secret: string): string {
	const wire: Wire = { p: claims.path, i: Math.floor(claims.issuedAt) };
	if (claims.template) wire.t = claims.template;
	if (claims.language) wire.l = claims.language;
	if (claims.bookingId) wire.b = claims.bookingId;
	if (claims.guestKey) wire.g = claims.guestKey;
	const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
	return `${VERSION}.${payload}.${mac(payload, secret).toString('base64url')}`;
}

export function signTrackedLink(claims: LinkClaims, secret: string): string {
	const signed = trySignTrackedLink(claims, secret);
	if ('error' in signed) throw new LinkError(signed.error);
	return signed.token;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function verifyTrackedLink(token: unknown, secret: string): LinkCheck {
	const malformed = { ok: false, reason: 'malformed_link', status: 400 } as const;
	if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return malformed;
	const parts = token.split('.');
	if (parts.length !== 3 || parts[0] !== VERSION || !BASE64URL.test(parts[1]) || !BASE64URL.test(parts[2])) return malformed;
	const given = Buffer.from(parts[2], 'base64url');
	const expected = mac(parts[1], secret);
	if (!secret || given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return { ok: false, reason: 'bad_link_signature', status: 403 };
	}
	// Signed by us, so the payload is ours; still checked, as a secret may be shared by mistake.
	let wire: Partial<Wire>;
	try {
		wire = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Partial<Wire>;
	} catch {
		return malformed;
	}
	if (typeof wire !== 'object' || wire === null || typeof wire.p !== 'string' || typeof wire.i !== 'number') return malformed;
	if (!isSitePath(wire.p)) return malformed;
	const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
	return {
		ok: true,
		claims: { path: wire.p, issuedAt: wire.i, template: text(wire.t), language: text(wire.l), bookingId: text(wire.b), guestKey: text(wire.g) },
	};
}

/**
 * A path stays on the booking site: no scheme, no `//` (protocol-relative), no backslash (which
 * browsers read as a slash), no control characters.
 */
function isSitePath(path: string): boolean {
	const bare = path.replace(/^\/+/, '');
	return !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(bare) && !path.startsWith('//') && !hasUnsafeCharacter(path);
}

function hasUnsafeCharacter(path: string): boolean {
	for (let i = 0; i < path.length; i += 1) {
		const code = path.charCodeAt(i);
		if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
	}
	return false;
}

/** signTrackedLink without throwing: for callers that report the reason as data. */
export function trySignTrackedLink(claims: LinkClaims, secret: string): { token: string } | { error: string } {
	if (!secret) return { error: NO_SECRET };
	if (!isSitePath(claims.path)) return { error: notAPath(claims.path) };
	const token = sign(claims, secret);
	return token.length > MAX_TOKEN_LENGTH ? { error: tooLong(token) } : { token };
}

/** trackedLinkTarget, or undefined when the path would leave the site. */
export function tryTrackedLinkTarget(siteBaseUrl: string, path: string): string | undefined {
	try {
		return trackedLinkTarget(siteBaseUrl, path);
	} catch {
		return undefined;
	}
}

/** The booking site address a click goes to: the site's base URL plus the token's path. */
export function trackedLinkTarget(siteBaseUrl: string, path: string): string {
	const base = new URL(siteBaseUrl.endsWith('/') ? siteBaseUrl : `${siteBaseUrl}/`);
	if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new LinkError(`booking site URL must be http(s): ${siteBaseUrl}`);
	if (!isSitePath(path)) throw new LinkError(notAPath(path));
	const target = new URL(path.replace(/^\/+/, ''), base);
	// URL resolution of `..` could climb above the base path; keep the click inside it.
	if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
		throw new LinkError(`"${path.slice(0, 80)}" leaves the booking site`);
	}
	return target.toString();
}
