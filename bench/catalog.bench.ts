/** Lookup latency on a generated 10,000-accommodation catalog. Run: npx tsx bench/catalog.bench.ts — last line is JSON. */
import { lookupCatalog, type Accommodation, type Catalog } from '../lib/catalog';
import type { InterestIntent } from '../lib/intent';

const TYPES = ['villa', 'suite', 'bungalow', 'room', 'cabin', 'apartment'] as const;
const INTERESTS: InterestIntent[] = ['romance', 'family', 'adventure', 'wellness', 'group'];
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

const N = 10000;
const accommodations: Accommodation[] = [];
for (let i = 0; i < N; i++) {
	const unavailable = [];
	for (let k = 0; k < Math.floor(rnd() * 4); k++) {
		const m = 1 + Math.floor(rnd() * 12);
		const d = 1 + Math.floor(rnd() * 20);
		unavailable.push({ from: `2026-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, to: `2026-${String(m).padStart(2, '0')}-${String(d + 5).padStart(2, '0')}` });
	}
	accommodations.push({
		id: `acc-${i}`,
		name: { en: `Accommodation ${i}`, es: `Alojamiento ${i}` },
		type: TYPES[i % TYPES.length],
		capacity: { adults: 1 + Math.floor(rnd() * 8), children: Math.floor(rnd() * 4) },
		interests: INTERESTS.filter(() => rnd() < 0.3),
		priceFrom: { amount: 50 + Math.round(rnd() * 950), currency: 'EUR', per: 'night' },
		photoUrl: `https://cdn.example.com/${i}.jpg`,
		bookingUrl: `https://book.example.com/stay/${i}?ref=bench`,
		unavailable,
	});
}
const catalog: Catalog = { version: 1, currency: 'EUR', accommodations };

const QUERIES = [
	{ intent: 'romance' as const, tags: ['romance' as const, 'wellness' as const], entities: { adults: 2 } },
	{ intent: 'availability' as const, tags: ['family' as const], entities: { adults: 2, children: 2, checkIn: '2026-07-10', checkOut: '2026-07-14' } },
	{ intent: 'group' as const, tags: ['group' as const, 'adventure' as const], entities: { guests: 8 } },
	{ intent: 'pricing' as const, tags: [], entities: {} },
	{ intent: 'wellness' as const, tags: ['wellness' as const], entities: { adults: 1, checkIn: '2026-03-02', nights: 3 }, language: 'es' as const },
];

const t0 = performance.now();
lookupCatalog(catalog, QUERIES[0]); // builds the index
const indexMs = performance.now() - t0;
for (let i = 0; i < 2000; i++) lookupCatalog(catalog, { ...QUERIES[i % QUERIES.length], tracking: { journeyId: 'j' } });

const RUNS = 20000;
const lat: number[] = new Array(RUNS);
for (let i = 0; i < RUNS; i++) {
	const q = QUERIES[i % QUERIES.length];
	const s = performance.now();
	lookupCatalog(catalog, { ...q, tracking: { journeyId: `j${i}` } });
	lat[i] = performance.now() - s;
}
lat.sort((a, b) => a - b);
const pct = (p: number) => Number((lat[Math.min(RUNS - 1, Math.floor(p * RUNS))] * 1000).toFixed(1));
console.log(
	JSON.stringify({
		bench: 'lookupCatalog',
		accommodations: N,
		lookups: RUNS,
		indexBuildMs: Number(indexMs.toFixed(2)),
		p50us: pct(0.5),
		p99us: pct(0.99),
		maxUs: Number((lat[RUNS - 1] * 1000).toFixed(1)),
		lookupsPerSecond: Math.round(RUNS / (lat.reduce((a, b) => a + b, 0) / 1000)),
	}),
);
