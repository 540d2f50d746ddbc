import { DateTime } from 'luxon';
import type { Intent, InterestIntent } from '../intent/types';
import { INTEREST_INTENTS } from '../intent/types';
import type { Accommodation, Catalog, LookupOptions, LookupResult, Tracking } from './types';

/*
 * Ranking (documented in docs/catalog.md):
 *  1. hard filters – capacity (adults ≤ capacity.adults and adults + children ≤ adults + children capacity;
 *     children may use adult beds; a bare `guests` total must fit the total capacity) and availability
 *     (the requested nights [checkIn, checkOut) must not touch any `unavailable` range, whose `to` is inclusive);
 *  2. score = 2 if the accommodation has the message's intent as interest
 *           + 1 per other matching tag
 *           + occupancy fit in (0, 1] when the party size is known (party / total capacity: snug beats roomy);
 *  3. ties: price ascending, then id.
 * Top-k selection keeps only `limit` candidates (no full sort).
 */

const BIT: Record<string, number> = {};
INTEREST_INTENTS.forEach((t, i) => (BIT[t] = 1 << i));

interface Index {
	items: Accommodation[];
	capAdults: Int32Array;
	capTotal: Int32Array;
	mask: Uint8Array;
	price: Float64Array;
	/** flattened [fromDay, toDay, …] per item (days since epoch, `to` inclusive), or null */
	blocked: (Int32Array | null)[];
}

const indexes = new WeakMap<Catalog, Index>();

/** Days since 1970-01-01 for a YYYY-MM-DD date (NaN when malformed). Hot path: no luxon parsing. */
function dayNumber(iso: string): number {
	if (typeof iso !== 'string' || iso.length !== 10 || iso[4] !== '-' || iso[7] !== '-') return NaN;
	const ms = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
	return Math.round(ms / 86400000);
}

function buildIndex(catalog: Catalog): Index {
	const items = catalog.accommodations;
	const n = items.length;
	const idx: Index = {
		items,
		capAdults: new Int32Array(n),
		capTotal: new Int32Array(n),
		mask: new Uint8Array(n),
		price: new Float64Array(n),
		blocked: new Array(n),
	};
	for (let i = 0; i < n; i++) {
		const a = items[i];
		idx.capAdults[i] = a.capacity.adults;
		idx.capTotal[i] = a.capacity.adults + (a.capacity.children ?? 0);
		let m = 0;
		for (const t of a.interests ?? []) m |= BIT[t] ?? 0;
		idx.mask[i] = m;
		idx.price[i] = a.priceFrom.amount;
		const u = a.unavailable;
		if (u && u.length) {
			const flat = new Int32Array(u.length * 2);
			u.forEach((r, k) => {
				flat[2 * k] = dayNumber(r.from);
				flat[2 * k + 1] = dayNumber(r.to);
			});
			idx.blocked[i] = flat;
		} else idx.blocked[i] = null;
	}
	return idx;
}

/** Precomputed index for a catalog object (cached in a WeakMap; rebuild by passing a new object). */
export function indexCatalog(catalog: Catalog): Index {
	let idx = indexes.get(catalog);
	if (!idx || idx.items !== catalog.accommodations || idx.items.length !== catalog.accommodations.length) {
		idx = buildIndex(catalog);
		indexes.set(catalog, idx);
	}
	return idx;
}

function popcount(x: number): number {
	let c = 0;
	while (x) {
		x &= x - 1;
		c++;
	}
	return c;
}

/** Default utm_campaign for an intent. */
export function campaignFor(intent: Intent | undefined): string {
	if (!intent || intent === 'unknown' || intent === 'greeting' || intent === 'thanks') return 'first_contact';
	return intent;
}

export function trackedUrl(
	bookingUrl: string,
	id: string,
	opts: { intent?: Intent; tracking?: Tracking; checkIn?: string; checkOut?: string; adults?: number; children?: number },
): string {
	let u: URL;
	try {
		u = new URL(bookingUrl);
	} catch {
		return bookingUrl;
	}
	const t = opts.tracking ?? {};
	// one URLSearchParams pass, written back once (each searchParams.set would re-serialise the URL)
	const sp = new URLSearchParams(u.search);
	sp.set('utm_source', t.source ?? 'whatsapp');
	sp.set('utm_medium', t.medium ?? 'chat');
	sp.set('utm_campaign', t.campaign ?? campaignFor(opts.intent));
	sp.set('utm_content', t.content ?? id);
	if (t.journeyId) sp.set('journey_id', t.journeyId);
	if (opts.checkIn) sp.set('check_in', opts.checkIn);
	if (opts.checkOut) sp.set('check_out', opts.checkOut);
	if (opts.adults !== undefined) sp.set('adults', String(opts.adults));
	if (opts.children !== undefined) sp.set('children', String(opts.children));
	u.search = sp.toString();
	return u.toString();
}

interface Candidate {
	i: number;
	score: number;
	price: number;
	id: string;
}

function better(a: Candidate, b: Candidate): boolean {
	if (a.score !== b.score) return a.score > b.score;
	if (a.price !== b.price) return a.price < b.price;
	return a.id < b.id;
}

/**
 * Best accommodations for a classified message. Pure and synchronous.
 * `entities` come from classifyIntent (adults, children, guests, checkIn, checkOut, nights).
 */
export function lookupCatalog(catalog: Catalog, options: LookupOptions = {}): LookupResult[] {
	const idx = indexCatalog(catalog);
	const limit = Math.max(0, Math.floor(options.limit ?? 3));
	if (limit === 0) return [];
	const e = options.entities ?? {};
	const intent = options.intent;
	const intentBit = intent ? (BIT[intent] ?? 0) : 0;
	let tagMask = 0;
	for (const t of options.tags ?? []) tagMask |= BIT[t as InterestIntent] ?? 0;
	tagMask &= ~intentBit;

	const adults = e.adults;
	const children = e.children ?? 0;
	let needTotal = 0;
	let needAdults = 0;
	if (adults !== undefined) {
		needAdults = adults;
		needTotal = adults + children;
	} else if (e.guests !== undefined) needTotal = Math.max(e.guests, children);
	else if (e.children !== undefined) {
		needAdults = 1;
		needTotal = children + 1;
	}

	// requested nights [inDay, lastDay] (inclusive), compared with the inclusive blocked ranges
	const checkIn = e.checkIn;
	let checkOut = e.checkOut;
	let inDay = NaN;
	let lastDay = NaN;
	if (checkIn) {
		inDay = dayNumber(checkIn);
		const outDay = checkOut ? dayNumber(checkOut) : inDay + (e.nights ?? 1);
		if (!checkOut && e.nights !== undefined && !Number.isNaN(inDay)) {
			checkOut = DateTime.fromMillis(outDay * 86400000, { zone: 'utc' }).toISODate() ?? undefined;
		}
		lastDay = outDay > inDay ? outDay - 1 : inDay;
	}
	const dates = !Number.isNaN(inDay) && !Number.isNaN(lastDay);

	const top: Candidate[] = [];
	const n = idx.items.length;
	const { capAdults, capTotal, mask, price, blocked, items } = idx;
	for (let i = 0; i < n; i++) {
		if (needTotal > 0 && (capAdults[i] < needAdults || capTotal[i] < needTotal)) continue;
		if (dates) {
			const b = blocked[i];
			if (b !== null) {
				let clash = false;
				for (let k = 0; k < b.length; k += 2) {
					if (b[k] <= lastDay && inDay <= b[k + 1]) {
						clash = true;
						break;
					}
				}
				if (clash) continue;
			}
		}
		const m = mask[i];
		let score = (m & intentBit ? 2 : 0) + (tagMask ? popcount(m & tagMask) : 0);
		if (needTotal > 0) score += needTotal / capTotal[i];
		if (top.length === limit) {
			const worst = top[limit - 1];
			if (score < worst.score || (score === worst.score && price[i] > worst.price)) continue;
		}
		const c: Candidate = { i, score, price: price[i], id: items[i].id };
		if (top.length === limit && !better(c, top[limit - 1])) continue;
		// insertion into the sorted top-k list
		let pos = top.length < limit ? top.length : limit - 1;
		if (top.length < limit) top.push(c);
		else top[pos] = c;
		while (pos > 0 && better(c, top[pos - 1])) {
			top[pos] = top[pos - 1];
			top[pos - 1] = c;
			pos--;
		}
	}

	const lang = options.language;
	return top.map(({ i, score: raw }) => {
		const score = Math.round(raw * 1000) / 1000;
		const a = items[i];
		return {
			id: a.id,
			name: (lang && a.name[lang]) || a.name.en,
			type: a.type,
			score,
			priceFrom: { amount: a.priceFrom.amount, currency: a.priceFrom.currency, per: a.priceFrom.per },
			photoUrl: a.photoUrl,
			bookingUrl: trackedUrl(a.bookingUrl, a.id, {
				intent,
				tracking: options.tracking,
				checkIn,
				checkOut,
				adults: e.adults,
				children: e.children,
			}),
		};
	});
}
