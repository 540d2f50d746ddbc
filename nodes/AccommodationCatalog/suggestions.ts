import { trackedUrl, type Catalog, type Tracking } from '../../lib/catalog';
import type { Intent, IntentEntities, Language } from '../../lib/intent';

const AND: Record<Language, string> = { en: 'and', es: 'y', pt: 'e', fr: 'et', de: 'und', it: 'e' };

/** "Villa Mar, Bungalow Sol and Cabana Pinos" in the guest's language (Spanish "y" → "e" before an i- sound). */
export function listNames(names: string[], language: Language | undefined): string {
	if (names.length === 0) return '';
	if (names.length === 1) return names[0];
	const last = names[names.length - 1];
	let and = AND[language ?? 'en'] ?? AND.en;
	if (language === 'es' && /^h?[iíIÍ](?![aeoáéóAEOÁÉÓ])/.test(last)) and = 'e';
	return `${names.slice(0, -1).join(', ')} ${and} ${last}`;
}

/** Where the generic link points: the option, else the site of the catalog's first booking link. */
export function genericBookingBase(catalog: Catalog, configured: string): string | undefined {
	if (configured.trim()) return configured.trim();
	for (const accommodation of catalog.accommodations) {
		try {
			return `${new URL(accommodation.bookingUrl).origin}/`;
		} catch {
			// validated catalogs have absolute URLs; keep looking otherwise
		}
	}
	return undefined;
}

function addDays(isoDate: string, days: number): string | undefined {
	const ms = Date.parse(`${isoDate}T00:00:00Z`);
	if (Number.isNaN(ms)) return undefined;
	return new Date(ms + days * 86_400_000).toISOString().slice(0, 10);
}

/** The generic booking link with the same tracking parameters an accommodation link would carry. */
export function genericBookingUrl(
	base: string,
	options: { intent?: Intent; tracking: Tracking; entities: IntentEntities },
): string {
	const e = options.entities;
	const checkOut = e.checkOut ?? (e.checkIn && e.nights ? addDays(e.checkIn, e.nights) : undefined);
	return trackedUrl(base, 'no_match', {
		intent: options.intent,
		tracking: options.tracking,
		checkIn: e.checkIn,
		checkOut,
		adults: e.adults,
		children: e.children,
	});
}

/** The link without its origin and first slash: the dynamic part of a template URL button "https://site/{{1}}". */
export function urlSuffix(url: string): string {
	try {
		const u = new URL(url);
		return `${u.pathname.replace(/^\//, '')}${u.search}${u.hash}`;
	} catch {
		return url;
	}
}
