import { DateTime } from 'luxon';
import { classifyIntent, compileKeywords, normalizeText, type IntentEntities } from '../../lib/intent';
import { HOLDOUT, LABELLED, type Labelled } from './intent.dataset';

const NOW = '2026-04-01';

function accuracy(set: Labelled[]) {
	const per: Record<string, { ok: number; total: number }> = {};
	const misses: string[] = [];
	for (const [lang, text, expected] of set) {
		const got = classifyIntent(text, { now: NOW }).intent;
		per[lang] ??= { ok: 0, total: 0 };
		per[lang].total++;
		if (got === expected) per[lang].ok++;
		else misses.push(`${lang} ${JSON.stringify(text)}: expected ${expected}, got ${got}`);
	}
	const all = Object.values(per).reduce((a, b) => ({ ok: a.ok + b.ok, total: a.total + b.total }), { ok: 0, total: 0 });
	return { per, all, misses };
}

function table(name: string, r: ReturnType<typeof accuracy>): string {
	const rows = Object.entries(r.per).map(([l, v]) => `  ${l}  ${v.ok}/${v.total}  ${((100 * v.ok) / v.total).toFixed(1)}%`);
	return [`${name} accuracy`, ...rows, `  all ${r.all.ok}/${r.all.total}  ${((100 * r.all.ok) / r.all.total).toFixed(1)}%`, ...r.misses.map((m) => `  miss: ${m}`)].join('\n');
}

describe('classifyIntent – labelled multilingual set', () => {
	it('has ≥ 150 messages covering all six languages', () => {
		expect(LABELLED.length).toBeGreaterThanOrEqual(150);
		expect(new Set(LABELLED.map((l) => l[0]))).toEqual(new Set(['en', 'es', 'pt', 'fr', 'de', 'it']));
	});

	it.each([
		['LABELLED', LABELLED],
		['HOLDOUT', HOLDOUT],
	] as const)('%s: accuracy ≥ 90 %% overall and per language', (name, set) => {
		const r = accuracy(set as Labelled[]);
		console.log(table(name, r));
		expect(r.all.ok / r.all.total).toBeGreaterThanOrEqual(0.9);
		for (const v of Object.values(r.per)) expect(v.ok / v.total).toBeGreaterThanOrEqual(0.9);
	});
});

describe('classifyIntent – opt-out and priority rules', () => {
	const c = (t: string) => classifyIntent(t, { now: NOW });

	it.each(['STOP', 'stop', 'Stop!', 'stop please', 'STOPP', 'baja', 'parar', 'sair', 'arrêter', 'désabonner', 'abmelden', 'disiscriviti', 'unsubscribe', 'cancelar suscripción', 'Stop 🛑'])(
		'"%s" is opt_out',
		(t) => expect(c(t).intent).toBe('opt_out'),
	);

	it('bare STOP inside a normal sentence is not an opt-out', () => {
		expect(c('we stop in Madrid on the way').intent).not.toBe('opt_out');
		expect(c('vamos sair para jantar').intent).not.toBe('opt_out');
		expect(c('para 2 adultos').intent).not.toBe('opt_out');
	});

	it('opt_out wins over everything', () => {
		const r = c('stop sending me offers, I do not care about your romantic spa prices');
		expect(r.intent).toBe('opt_out');
		expect(r.tags).toEqual(expect.arrayContaining(['romance', 'wellness']));
	});

	it('human beats booking questions and interests', () => {
		expect(c('how much is the family villa? I want to talk to a person').intent).toBe('human');
	});

	it('booking questions beat interests; interests go to tags', () => {
		const r = c('family holiday with kids, hiking 🏄 – any availability 3-6 june?');
		expect(r.intent).toBe('availability');
		expect(r.tags).toEqual(['family', 'adventure']);
		expect(c('how much for a romantic weekend?').intent).toBe('pricing');
	});

	it('interests beat opt_in and greetings', () => {
		expect(c('Hola! buscamos un spa 🧘').intent).toBe('wellness');
		expect(c('hi, please subscribe me, we love surfing').intent).toBe('adventure');
		expect(c('subscribe, thanks').intent).toBe('opt_in');
	});

	it('strongest interest wins, first mentioned on ties; tags list all interests', () => {
		const r = c('kids club? and massage, massage, spa');
		expect(r.intent).toBe('wellness');
		expect(r.tags).toEqual(['wellness', 'family']);
		const t = c('surfing or yoga');
		expect(t.intent).toBe('adventure');
		expect(t.tags).toEqual(['adventure', 'wellness']);
	});

	it('stated children imply a family tag', () => {
		expect(c('2 Erwachsene, 1 Kind').tags).toEqual(['family']);
	});

	it('unknown has confidence 0; confidence grows with evidence and is in 0..1', () => {
		expect(c('asdf').confidence).toBe(0);
		const one = c('spa').confidence;
		const two = c('spa massage').confidence;
		expect(one).toBeGreaterThan(0);
		expect(two).toBeGreaterThan(one);
		expect(c('STOP').confidence).toBeLessThanOrEqual(1);
	});

	it('normalises case, accents, repeated letters, typos and emoji', () => {
		expect(normalizeText('HOLAAAA Ñandú Straße')).toBe('hola nandu strase');
		expect(c('HOLAAAA').intent).toBe('greeting');
		expect(c('romantik').intent).toBe('romance');
		expect(c('masajes relajantes').intent).toBe('wellness');
		expect(c('honeymon').intent).toBe('romance'); // typo: missing letter
		expect(c('avdenture').intent).toBe('adventure'); // typo: swapped letters
		expect(c('👨‍👩‍👧').intent).toBe('family');
		expect(c('🏄‍♂️').intent).toBe('adventure');
		expect(c('💑').intent).toBe('romance');
		expect(c('looking').intent).toBe('unknown'); // no fuzzy match on first-letter changes ("booking")
	});

	it('guesses the language when clear', () => {
		expect(c('Hola, tienen habitaciones libres?').language).toBe('es');
		expect(c('Bonjour, avez-vous une chambre ?').language).toBe('fr');
		expect(c('Habt ihr noch ein Zimmer frei?').language).toBe('de');
	});
});

describe('classifyIntent – keyword extension', () => {
	it('adds keywords without code changes (flat and per language) and caches compilation', () => {
		expect(classifyIntent('glamping please', { now: NOW }).intent).toBe('unknown');
		const keywords = { adventure: ['glamping'], wellness: { es: ['temazcal'] }, opt_out: ['=basta ya'] };
		expect(classifyIntent('glamping please', { now: NOW, keywords }).intent).toBe('adventure');
		expect(classifyIntent('un temazcal?', { now: NOW, keywords }).intent).toBe('wellness');
		expect(classifyIntent('basta ya', { now: NOW, keywords }).intent).toBe('opt_out');
		// defaults still active in extend mode
		expect(classifyIntent('spa', { now: NOW, keywords }).intent).toBe('wellness');
		expect(compileKeywords(keywords)).toBe(compileKeywords(keywords));
	});

	it('replace mode uses only the given keywords', () => {
		const keywords = { romance: ['spa'] };
		expect(classifyIntent('spa', { now: NOW, keywords, keywordsMode: 'replace' }).intent).toBe('romance');
		expect(classifyIntent('hola', { now: NOW, keywords, keywordsMode: 'replace' }).intent).toBe('unknown');
	});

	it('accepts a whole keywords file (same shape as templates/intent-keywords.json)', () => {
		const file = { intents: { group: { en: ['reunion*'] } } };
		expect(classifyIntent('reunions', { now: NOW, keywords: file, keywordsMode: 'replace' }).intent).toBe('group');
	});
});

describe('classifyIntent – entities', () => {
	const cases: [now: string, text: string, expected: IntentEntities][] = [
		['2026-12-20', '5-8 jan', { checkIn: '2027-01-05', checkOut: '2027-01-08', nights: 3 }],
		['2026-12-20', '28 dec to 2 jan', { checkIn: '2026-12-28', checkOut: '2027-01-02', nights: 5 }],
		['2026-12-20', 'del 30 de diciembre al 2 de enero', { checkIn: '2026-12-30', checkOut: '2027-01-02', nights: 3 }],
		[NOW, '12 to 15 March', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, 'del 3 al 6 de mayo', { checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 }],
		[NOW, 'vom 1. bis 8. August', { checkIn: '2026-08-01', checkOut: '2026-08-08', nights: 7 }],
		[NOW, 'du 10 au 14 juillet', { checkIn: '2026-07-10', checkOut: '2026-07-14', nights: 4 }],
		[NOW, 'dal 5 al 9 agosto', { checkIn: '2026-08-05', checkOut: '2026-08-09', nights: 4 }],
		[NOW, 'de 3 a 7 de junho', { checkIn: '2026-06-03', checkOut: '2026-06-07', nights: 4 }],
		[NOW, 'March 12-15', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, 'march 30 - april 2', { checkIn: '2027-03-30', checkOut: '2027-04-02', nights: 3 }],
		[NOW, '12/03 - 15/03', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, '12.03.-15.03.', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, '12-15/06', { checkIn: '2026-06-12', checkOut: '2026-06-15', nights: 3 }],
		[NOW, '20-23 dec', { checkIn: '2026-12-20', checkOut: '2026-12-23', nights: 3 }],
		[NOW, '1st to 5th of May', { checkIn: '2026-05-01', checkOut: '2026-05-05', nights: 4 }],
		[NOW, 'from 12 march 2027 to 15 march 2027', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, 'check in 12/06/2027 check out 15/06/2027', { checkIn: '2027-06-12', checkOut: '2027-06-15', nights: 3 }],
		[NOW, 'arriving 2026-06-10 leaving 2026-06-14', { checkIn: '2026-06-10', checkOut: '2026-06-14', nights: 4 }],
		[NOW, 'from 3 may for 3 nights', { checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 }],
		[NOW, '3 noches desde el 10 de julio', { checkIn: '2026-07-10', checkOut: '2026-07-13', nights: 3 }],
		[NOW, 'drei Nächte ab dem 4. Mai', { checkIn: '2026-05-04', checkOut: '2026-05-07', nights: 3 }],
		[NOW, 'una semana desde el 1 de agosto', { checkIn: '2026-08-01', checkOut: '2026-08-08', nights: 7 }],
		[NOW, '29 feb', { checkIn: '2028-02-29' }],
		[NOW, 'tres noites', { nights: 3 }],
		[NOW, 'April 1', { checkIn: '2026-04-01' }],
		['2026-04-03', 'next weekend', { checkIn: '2026-04-10', checkOut: '2026-04-12', nights: 2 }],
		['2026-04-01', 'este fin de semana', { checkIn: '2026-04-03', checkOut: '2026-04-05', nights: 2 }],
		[NOW, 'we arrive at 10.30', {}],
		[NOW, 'romantic weekend', {}],
		[NOW, '2 adults and 1 child', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'a child and 2 adults', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'somos 4', { guests: 4 }],
		[NOW, 'family of 4', { guests: 4 }],
		[NOW, 'wir sind 5', { guests: 5 }],
		[NOW, 'nous sommes 3 personnes', { guests: 3 }],
		[NOW, 'siamo in 6', { guests: 6 }],
		[NOW, 'dos adultos y dos niños', { adults: 2, children: 2, guests: 4 }],
		[NOW, 'quatro adultos e duas crianças', { adults: 4, children: 2, guests: 6 }],
		[NOW, '2 Erwachsene, 1 Kind', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'deux adultes', { adults: 2, guests: 2 }],
		[NOW, '2 adulti e un bambino', { adults: 2, children: 1, guests: 3 }],
		[NOW, '2 small kids', { children: 2 }],
		[NOW, 'adults: 2, children: 1', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'what kind of room', {}],
		[NOW, 'may 2 adults come?', { adults: 2, guests: 2 }],
		[
			NOW,
			'Hola! somos 2 adultos y 1 niño del 3 al 6 de mayo',
			{ adults: 2, children: 1, guests: 3, checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 },
		],
	];

	it.each(cases)('now=%s "%s"', (now, text, expected) => {
		expect(classifyIntent(text, { now }).entities).toEqual(expected);
	});

	it('accepts now as luxon DateTime, Date or ISO string (zone of now is used)', () => {
		const iso = classifyIntent('5-8 jan', { now: '2026-12-20T10:00:00+01:00' }).entities;
		const dt = classifyIntent('5-8 jan', { now: DateTime.fromISO('2026-12-20', { zone: 'America/New_York' }) }).entities;
		const date = classifyIntent('5-8 jan', { now: new Date('2026-12-20T12:00:00Z') }).entities;
		expect(iso.checkIn).toBe('2027-01-05');
		expect(dt.checkIn).toBe('2027-01-05');
		expect(date.checkIn).toBe('2027-01-05');
	});

	it('dates make a message an availability question', () => {
		expect(classifyIntent('12 to 15 March for 2', { now: NOW }).intent).toBe('availability');
	});
});
