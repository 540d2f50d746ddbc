import {
	INTENTS,
	INTEREST_INTENTS,
	LANGUAGES,
	type Intent,
	type IntentEntities,
	type InterestIntent,
	type Language,
} from '../../lib/intent';

/** Parameters that may arrive as JSON text (typed in) or as values (from an expression). */
function fromJson(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (!text.startsWith('{') && !text.startsWith('[')) return value;
	try {
		return JSON.parse(text);
	} catch {
		return value;
	}
}

export function toIntent(value: unknown): Intent | undefined {
	const text = typeof value === 'string' ? value.trim() : '';
	return (INTENTS as readonly string[]).includes(text) ? (text as Intent) : undefined;
}

/** Interest tags from an array or "romance, wellness"; anything that is not an interest is ignored. */
export function toTags(value: unknown): InterestIntent[] {
	const parsed = fromJson(value);
	const list = Array.isArray(parsed) ? parsed : typeof parsed === 'string' ? parsed.split(',') : [];
	const tags: InterestIntent[] = [];
	for (const entry of list) {
		const tag = typeof entry === 'string' ? entry.trim() : '';
		if ((INTEREST_INTENTS as readonly string[]).includes(tag) && !tags.includes(tag as InterestIntent)) {
			tags.push(tag as InterestIntent);
		}
	}
	return tags;
}

/** "es", "ES", "es_MX", "es-MX" → "es"; unknown languages → undefined. */
export function toLanguage(value: unknown): Language | undefined {
	if (typeof value !== 'string') return undefined;
	const code = value.trim().toLowerCase().slice(0, 2);
	return (LANGUAGES as readonly string[]).includes(code) ? (code as Language) : undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function count(value: unknown): number | undefined {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

function date(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const text = value.trim().slice(0, 10);
	return ISO_DATE.test(text) ? text : undefined;
}

/**
 * Entities as Guest Intent outputs them ({ adults, children, guests, checkIn, checkOut, nights });
 * fields of the wrong type are dropped rather than failing the item.
 */
export function toEntities(value: unknown): IntentEntities {
	const parsed = fromJson(value);
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
	const source = parsed as Record<string, unknown>;
	const entities: IntentEntities = {};
	const adults = count(source.adults);
	const children = count(source.children);
	const guests = count(source.guests);
	const nights = count(source.nights);
	const checkIn = date(source.checkIn);
	const checkOut = date(source.checkOut);
	if (adults !== undefined) entities.adults = adults;
	if (children !== undefined) entities.children = children;
	if (guests !== undefined) entities.guests = guests;
	if (checkIn !== undefined) entities.checkIn = checkIn;
	if (checkOut !== undefined) entities.checkOut = checkOut;
	if (nights !== undefined && nights > 0) entities.nights = nights;
	return entities;
}
