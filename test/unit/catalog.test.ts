import exampleJson from '../../templates/catalog.example.json';
import { lookupCatalog, validateCatalog, type Catalog } from '../../lib/catalog';
import { classifyIntent } from '../../lib/intent';

const example = exampleJson as unknown as Catalog;
const ids = (r: { id: string }[]) => r.map((x) => x.id);

describe('example catalog', () => {
	it('is valid and has ≥ 12 accommodations with all six languages', () => {
		expect(validateCatalog(exampleJson)).toEqual({ valid: true, errors: [] });
		expect(example.accommodations.length).toBeGreaterThanOrEqual(12);
		for (const a of example.accommodations) expect(Object.keys(a.name).sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'pt']);
	});
});

describe('lookupCatalog ranking and filters', () => {
	it('defaults to 3 results, cheapest first when nothing is known', () => {
		const r = lookupCatalog(example, {});
		expect(ids(r)).toEqual(['garden-room', 'sea-view-room', 'surf-bungalow']);
		expect(r[0].score).toBe(0);
	});

	it('intent match (2) + tag matches (1 each) + occupancy fit; price breaks ties', () => {
		const r = lookupCatalog(example, { intent: 'romance', tags: ['romance', 'wellness'], entities: { adults: 2 }, limit: 4 });
		// ocean-villa 2+1+1 (2/2 fit), spa-suite 2+1+2/3, then two 2+1 ties ordered by price (130 < 280)
		expect(r.map((x) => [x.id, x.score])).toEqual([
			['ocean-villa', 4],
			['spa-suite', 3.667],
			['sea-view-room', 3],
			['treehouse-suite', 3],
		]);
	});

	it('capacity is a hard filter (children may use adult beds)', () => {
		const r = lookupCatalog(example, { intent: 'family', entities: { adults: 2, children: 3 }, limit: 10 });
		expect(ids(r)).toEqual(['family-suite', 'mountain-cabin', 'beach-apartment', 'family-beach-villa', 'friends-villa', 'lodge-cabin']);
		for (const x of r) {
			const a = example.accommodations.find((y) => y.id === x.id)!;
			expect(a.capacity.adults).toBeGreaterThanOrEqual(2);
			expect(a.capacity.adults + a.capacity.children).toBeGreaterThanOrEqual(5);
		}
		expect(ids(lookupCatalog(example, { entities: { guests: 10 }, limit: 10 }))).toEqual(['lodge-cabin']);
		expect(lookupCatalog(example, { entities: { adults: 20 } })).toEqual([]);
	});

	it('unavailable ranges are a hard filter for the requested nights (to is inclusive)', () => {
		const q = (checkIn: string, checkOut: string) =>
			ids(lookupCatalog(example, { intent: 'family', entities: { adults: 2, children: 1, checkIn, checkOut }, limit: 20 })).includes('family-suite');
		expect(q('2026-07-10', '2026-07-14')).toBe(false);
		expect(q('2026-06-28', '2026-07-01')).toBe(true); // leaves the morning of July 1st
		expect(q('2026-06-28', '2026-07-02')).toBe(false); // night of July 1st is blocked
		expect(q('2026-07-31', '2026-08-02')).toBe(false);
		expect(q('2026-08-01', '2026-08-03')).toBe(true);
		// check-in only: one night, or `nights`
		expect(ids(lookupCatalog(example, { entities: { checkIn: '2026-07-31' }, limit: 20 }))).not.toContain('family-suite');
		expect(ids(lookupCatalog(example, { entities: { checkIn: '2026-06-29', nights: 3 }, limit: 20 }))).not.toContain('family-suite');
	});

	it('returns the name in the requested language with English fallback, and limit', () => {
		const [de] = lookupCatalog(example, { intent: 'adventure', language: 'de', limit: 1 });
		expect(de).toMatchObject({ id: 'surf-bungalow', name: 'Surf-Bungalow', type: 'bungalow', priceFrom: { amount: 140, currency: 'EUR', per: 'night' } });
		const cat: Catalog = { ...example, accommodations: [{ ...example.accommodations[4], name: { en: 'Only English' } }] };
		expect(lookupCatalog(cat, { language: 'it' })[0].name).toBe('Only English');
		expect(lookupCatalog(example, { limit: 0 })).toEqual([]);
		expect(lookupCatalog(example, { limit: 50 })).toHaveLength(example.accommodations.length);
	});

	it('works end to end with classifyIntent output', () => {
		const c = classifyIntent('Bonjour, séjour romantique avec spa du 10 au 14 juillet pour deux adultes', { now: '2026-04-01' });
		const r = lookupCatalog(example, { ...c, limit: 2 });
		expect(ids(r)).toEqual(['ocean-villa', 'spa-suite']);
		expect(r[0].name).toBe('Villa Lune de Miel Océan');
	});
});

describe('tracked booking links', () => {
	it('adds UTM, journey and stay parameters and keeps existing ones', () => {
		const [r] = lookupCatalog(example, {
			intent: 'romance',
			tags: ['wellness'],
			entities: { adults: 2, children: 0, checkIn: '2026-05-03', checkOut: '2026-05-06' },
			limit: 1,
			tracking: { journeyId: 'jr-42' },
		});
		const u = new URL(r.bookingUrl);
		expect(u.origin + u.pathname).toBe('https://book.example-resort.com/stay/ocean-villa');
		expect(Object.fromEntries(u.searchParams)).toEqual({
			lang: 'en',
			utm_source: 'whatsapp',
			utm_medium: 'chat',
			utm_campaign: 'romance',
			utm_content: 'ocean-villa',
			journey_id: 'jr-42',
			check_in: '2026-05-03',
			check_out: '2026-05-06',
			adults: '2',
			children: '0',
		});
	});

	it('defaults campaign to first_contact, honours overrides, derives check_out from nights', () => {
		const [r] = lookupCatalog(example, {
			intent: 'greeting',
			entities: { checkIn: '2026-05-03', nights: 2 },
			limit: 1,
			tracking: { source: 'wa', medium: 'broadcast', campaign: 'summer26', content: 'card1' },
		});
		const p = new URL(r.bookingUrl).searchParams;
		expect([p.get('utm_source'), p.get('utm_medium'), p.get('utm_campaign'), p.get('utm_content')]).toEqual(['wa', 'broadcast', 'summer26', 'card1']);
		expect(p.get('check_out')).toBe('2026-05-05');
		expect(p.has('journey_id')).toBe(false);
		const [d] = lookupCatalog(example, { limit: 1 });
		expect(new URL(d.bookingUrl).searchParams.get('utm_campaign')).toBe('first_contact');
		expect(new URL(d.bookingUrl).searchParams.has('adults')).toBe(false);
	});
});

describe('validateCatalog', () => {
	it('names the path of every bad field', () => {
		const bad = {
			version: 1,
			currency: 'euro',
			accommodations: [
				{
					id: 'a',
					name: { es: 'Sin inglés', xx: 'x' },
					type: 'castle',
					capacity: { adults: 0, children: -1 },
					interests: ['romance', 'party'],
					priceFrom: { amount: -5, currency: 'EUR', per: 'week' },
					photoUrl: 'not a url',
					bookingUrl: 'ftp://x',
					unavailable: [{ from: '2026-02-30', to: '2026-03-01' }, { from: '2026-05-10', to: '2026-05-01' }],
				},
				{ ...example.accommodations[0], id: 'a' },
				42,
			],
		};
		const r = validateCatalog(bad);
		expect(r.valid).toBe(false);
		expect(r.errors.map((e) => e.path)).toEqual([
			'currency',
			'accommodations[0].name.en',
			'accommodations[0].name.xx',
			'accommodations[0].type',
			'accommodations[0].capacity.adults',
			'accommodations[0].capacity.children',
			'accommodations[0].interests[1]',
			'accommodations[0].priceFrom.amount',
			'accommodations[0].priceFrom.per',
			'accommodations[0].photoUrl',
			'accommodations[0].bookingUrl',
			'accommodations[0].unavailable[0].from',
			'accommodations[0].unavailable[1].to',
			'accommodations[1].id',
			'accommodations[2]',
		]);
		expect(r.errors.find((e) => e.path === 'accommodations[1].id')!.message).toMatch(/duplicate id "a"/);
	});

	it('rejects non-objects and missing arrays', () => {
		expect(validateCatalog(null).errors).toEqual([{ path: '', message: expect.any(String) }]);
		expect(validateCatalog({ version: 1, currency: 'EUR' }).errors.map((e) => e.path)).toEqual(['accommodations']);
	});
});
