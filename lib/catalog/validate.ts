import { INTEREST_INTENTS, LANGUAGES } from '../intent/types';
import type { Catalog, ValidationResult, ValidationIssue } from './types';
import { ACCOMMODATION_TYPES } from './types';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIsoDate(v: unknown): v is string {
	if (typeof v !== 'string' || !ISO_DATE.test(v)) return false;
	const [y, m, d] = v.split('-').map(Number);
	const dt = new Date(Date.UTC(y, m - 1, d));
	return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function isHttpUrl(v: unknown): boolean {
	if (typeof v !== 'string') return false;
	try {
		const u = new URL(v);
		return u.protocol === 'https:' || u.protocol === 'http:';
	} catch {
		return false;
	}
}

/**
 * Check a parsed catalog JSON. Every problem is reported with the path of the bad field,
 * e.g. `accommodations[2].priceFrom.amount: must be a number > 0`.
 */
export function validateCatalog(json: unknown): ValidationResult {
	const errors: ValidationIssue[] = [];
	const err = (path: string, message: string) => errors.push({ path, message });

	if (!isObject(json)) {
		err('', 'catalog must be an object with version, currency and accommodations');
		return { valid: false, errors };
	}
	if (typeof json.version !== 'string' && typeof json.version !== 'number') err('version', 'must be a string or number');
	if (typeof json.currency !== 'string' || !/^[A-Z]{3}$/.test(json.currency)) err('currency', 'must be an ISO 4217 code such as "EUR"');
	if (!Array.isArray(json.accommodations)) {
		err('accommodations', 'must be an array');
		return { valid: false, errors };
	}

	const text = (v: unknown, path: string, required: boolean) => {
		if (v === undefined && !required) return;
		if (!isObject(v)) {
			err(path, 'must be an object of texts per language, e.g. { "en": "…" }');
			return;
		}
		if (typeof v.en !== 'string' || v.en.trim() === '') err(`${path}.en`, 'is required (English fallback)');
		for (const [k, t] of Object.entries(v)) {
			if (!(LANGUAGES as readonly string[]).includes(k)) err(`${path}.${k}`, `unknown language (use ${LANGUAGES.join(', ')})`);
			else if (typeof t !== 'string') err(`${path}.${k}`, 'must be a string');
		}
	};

	const ids = new Map<string, number>();
	json.accommodations.forEach((a: unknown, i: number) => {
		const p = `accommodations[${i}]`;
		if (!isObject(a)) {
			err(p, 'must be an object');
			return;
		}
		if (typeof a.id !== 'string' || a.id.trim() === '') err(`${p}.id`, 'must be a non-empty string');
		else if (ids.has(a.id)) err(`${p}.id`, `duplicate id "${a.id}" (also accommodations[${ids.get(a.id)}])`);
		else ids.set(a.id, i);
		text(a.name, `${p}.name`, true);
		text(a.description, `${p}.description`, false);
		if (!(ACCOMMODATION_TYPES as readonly unknown[]).includes(a.type)) err(`${p}.type`, `must be one of ${ACCOMMODATION_TYPES.join(', ')}`);
		if (!isObject(a.capacity)) err(`${p}.capacity`, 'must be { adults, children }');
		else {
			const ad = a.capacity.adults;
			const ch = a.capacity.children;
			if (!Number.isInteger(ad) || (ad as number) < 1) err(`${p}.capacity.adults`, 'must be an integer ≥ 1');
			if (!Number.isInteger(ch) || (ch as number) < 0) err(`${p}.capacity.children`, 'must be an integer ≥ 0');
		}
		if (!Array.isArray(a.interests)) err(`${p}.interests`, 'must be an array');
		else
			a.interests.forEach((x: unknown, j: number) => {
				if (!(INTEREST_INTENTS as readonly unknown[]).includes(x)) err(`${p}.interests[${j}]`, `must be one of ${INTEREST_INTENTS.join(', ')}`);
			});
		if (!isObject(a.priceFrom)) err(`${p}.priceFrom`, 'must be { amount, currency, per: "night" }');
		else {
			const pr = a.priceFrom;
			if (typeof pr.amount !== 'number' || !Number.isFinite(pr.amount) || pr.amount <= 0) err(`${p}.priceFrom.amount`, 'must be a number > 0');
			if (typeof pr.currency !== 'string' || !/^[A-Z]{3}$/.test(pr.currency)) err(`${p}.priceFrom.currency`, 'must be an ISO 4217 code such as "EUR"');
			if (pr.per !== 'night') err(`${p}.priceFrom.per`, 'must be "night"');
		}
		if (!isHttpUrl(a.photoUrl)) err(`${p}.photoUrl`, 'must be an http(s) URL');
		if (!isHttpUrl(a.bookingUrl)) err(`${p}.bookingUrl`, 'must be an http(s) URL');
		if (a.unavailable !== undefined) {
			if (!Array.isArray(a.unavailable)) err(`${p}.unavailable`, 'must be an array of { from, to }');
			else
				a.unavailable.forEach((r: unknown, j: number) => {
					const q = `${p}.unavailable[${j}]`;
					if (!isObject(r)) {
						err(q, 'must be { from, to }');
						return;
					}
					const okFrom = isIsoDate(r.from);
					const okTo = isIsoDate(r.to);
					if (!okFrom) err(`${q}.from`, 'must be a date YYYY-MM-DD');
					if (!okTo) err(`${q}.to`, 'must be a date YYYY-MM-DD');
					if (okFrom && okTo && (r.to as string) < (r.from as string)) err(`${q}.to`, 'must not be before from');
				});
		}
	});
	return { valid: errors.length === 0, errors };
}

/** Throws an Error listing every issue when the catalog is invalid; returns it typed otherwise. */
export function assertCatalog(json: unknown): Catalog {
	const r = validateCatalog(json);
	if (!r.valid) throw new Error(`Invalid catalog:\n${r.errors.map((e) => `- ${e.path || '(root)'}: ${e.message}`).join('\n')}`);
	return json as Catalog;
}
