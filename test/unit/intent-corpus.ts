/**
 * Seeded generator of guest-like messages for differential tests of classifyIntent: keywords of every
 * intent and language (with case, accent, repeated-letter and typo noise), party counts, dates in every
 * supported shape, weekend phrases, emoji and punctuation. Same seed → same corpus, on every machine.
 */
import { createHash } from 'crypto';
import { DateTime } from 'luxon';
import keywordsData from '../../templates/intent-keywords.json';

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface KeywordsJson {
	fillers?: string[];
	commonWords?: string[];
	languageHints?: Record<string, string[]>;
	intents: Record<string, string[] | Record<string, string[]>>;
}

const data = keywordsData as unknown as KeywordsJson;

const KEYWORDS: string[] = [];
for (const list of Object.values(data.intents)) {
	const lists = Array.isArray(list) ? [list] : Object.values(list);
	for (const l of lists) for (const k of l) KEYWORDS.push(k.replace(/^=/, '').replace(/\*$/, ''));
}
/** Prefix keywords ('romant*') of the file, or stems used by the override tests when it has none. */
const PREFIXES: string[] = [];
for (const list of Object.values(data.intents)) {
	const lists = Array.isArray(list) ? [list] : Object.values(list);
	for (const l of lists) for (const k of l) if (k.endsWith('*')) PREFIXES.push(k.slice(0, -1));
}
if (PREFIXES.length === 0) PREFIXES.push('romant', 'rosas', 'relax', 'aventur', 'famil');
const WHOLE: string[] = [];
for (const list of Object.values(data.intents)) {
	const lists = Array.isArray(list) ? [list] : Object.values(list);
	for (const l of lists) for (const k of l) if (k.startsWith('=')) WHOLE.push(k.slice(1));
}
const HINTS = Object.values(data.languageHints ?? {}).flat();
const FILLERS = data.fillers ?? [];
const COMMON = data.commonWords ?? [];

const NUMBER_WORDS = [
	'one',
	'two',
	'three',
	'four',
	'dos',
	'tres',
	'cuatro',
	'dois',
	'duas',
	'deux',
	'zwei',
	'drei',
	'due',
	'tre',
	'une',
	'ein',
	'eine',
	'a',
	'an',
	'un',
	'una',
	'uma',
	'fünf',
	'sechs',
	'zehn',
	'dieci',
];
const NOUNS = [
	'adults',
	'adult',
	'adultos',
	'Erwachsene',
	'adulti',
	'kids',
	'kid',
	'child',
	'children',
	'niños',
	'niñas',
	'crianças',
	'enfants',
	'Kinder',
	'Kind',
	'bambini',
	'baby',
	'bebê',
	'people',
	'personas',
	'pessoas',
	'personnes',
	'Personen',
	'persone',
	'guests',
	'pax',
	'nights',
	'night',
	'noches',
	'noites',
	'nuits',
	'Nächte',
	'notti',
	'week',
	'semanas',
	'Wochen',
	'settimana',
];
const ADJ = [
	'small',
	'little',
	'kleine',
	'petits',
	'piccoli',
	'pequeños',
	'more',
	'más',
	'mais',
	'plus',
];
const GROUP = [
	'family of',
	'familia de',
	'famille de',
	'Familie mit',
	'famiglia di',
	'group of',
	'grupo de',
	'somos',
	'we are',
	"we're",
	'on est',
	'siamo in',
	'somos em',
	'nous sommes',
	'wir sind',
];
const MONTHS = [
	'January',
	'jan',
	'enero',
	'janeiro',
	'janvier',
	'Januar',
	'Jänner',
	'gennaio',
	'feb',
	'febrero',
	'février',
	'März',
	'march',
	'marzo',
	'março',
	'mars',
	'April',
	'abril',
	'avril',
	'aprile',
	'may',
	'mayo',
	'maio',
	'mai',
	'maggio',
	'June',
	'junio',
	'juin',
	'Juni',
	'giugno',
	'July',
	'julio',
	'juillet',
	'luglio',
	'August',
	'agosto',
	'août',
	'sept',
	'septiembre',
	'setembro',
	'settembre',
	'oct',
	'octubre',
	'Oktober',
	'ottobre',
	'nov',
	'noviembre',
	'dec',
	'diciembre',
	'dezembro',
	'décembre',
	'Dezember',
	'dez',
	'dic',
];
const SEPS = [
	' - ',
	'-',
	' to ',
	' till ',
	' until ',
	' through ',
	' al ',
	' a ',
	' au ',
	" jusqu'au ",
	' bis ',
	' bis zum ',
	' até ',
	' ate ',
	' hasta el ',
	' fino al ',
	' and ',
	' y ',
	' e ',
	' et ',
	' und ',
	' – ',
	' ~ ',
	' to the ',
];
const ORD = ['', '', '', 'st', 'nd', 'th', 'er', 'º', '.', 'o'];
const OF = ['', ' ', ' de ', ' of ', ' di ', ' del ', ' du ', ' the '];
const WEEKEND = [
	'this weekend',
	'next weekend',
	'next week-end',
	'coming weekend',
	'este fin de semana',
	'el finde',
	'próximo fim de semana',
	'ce week-end',
	'le week-end prochain',
	'dieses Wochenende',
	'nächstes Wochenende',
	'questo fine settimana',
	'weekend',
	'fin de semana',
];
const EMOJI = [
	'👋',
	'🙏',
	'❤️',
	'💑',
	'👨‍👩‍👧',
	'🏄',
	'🧘',
	'😊',
	'🏔️',
	'👍🏽',
	'$',
	'€',
	'£',
	'!',
	'?',
	'!!',
	'...',
	',',
	':',
	';',
	'(',
	')',
	'"',
	'’',
	'´',
	'—',
	'ß',
	'Æ',
	'œ',
	'ø',
	'½',
	'İ',
];
const WORDS = [
	'the',
	'we',
	'are',
	're',
	'of',
	'us',
	'in',
	'on',
	'est',
	'de',
	'di',
	'von',
	'mit',
	'hotel',
	'pool',
	'room',
	'quarto',
	'chambre',
	'Zimmer',
	'camera',
	'please',
	'looking',
	'booking',
	'stop',
	'hello',
	'prices',
	'price',
	'book',
	'libre',
	'vaga',
	'frei',
	'libero',
	'asdf',
	'qwerty',
	'xyz',
	'sea',
	'view',
	'vista',
	'mar',
	'plage',
	'Strand',
	'spiaggia',
];

function pick<T>(r: () => number, list: readonly T[]): T {
	return list[Math.floor(r() * list.length)];
}

function int(r: () => number, lo: number, hi: number): number {
	return lo + Math.floor(r() * (hi - lo + 1));
}

const ACCENTS: Record<string, string[]> = {
	a: ['á', 'à', 'ã', 'â', 'ä'],
	e: ['é', 'è', 'ê', 'ë'],
	i: ['í', 'ï'],
	o: ['ó', 'ô', 'õ', 'ö'],
	u: ['ú', 'ü'],
	c: ['ç'],
	n: ['ñ'],
	s: ['ß'],
};

/** Case, accent, repeated-letter and one-typo noise. */
function noisy(r: () => number, w: string): string {
	let s = w;
	const x = r();
	if (x < 0.08 && s.length > 3) {
		const i = int(r, 1, s.length - 1);
		s = s.slice(0, i) + s.slice(i + 1); // deletion
	} else if (x < 0.14 && s.length > 3) {
		const i = int(r, 1, s.length - 2);
		s = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); // swap
	} else if (x < 0.2 && s.length > 2) {
		const i = int(r, 0, s.length - 1);
		s = s.slice(0, i) + s[i].repeat(int(r, 2, 4)) + s.slice(i + 1); // repeat
	} else if (x < 0.26 && s.length > 3) {
		const i = int(r, 1, s.length - 1);
		s = s.slice(0, i) + String.fromCharCode(97 + int(r, 0, 25)) + s.slice(i + 1); // substitution
	} else if (x < 0.3) {
		s += pick(r, ['s', 'es', 'o', 'a', 'ing', 'ly', 'ment']);
	}
	const y = r();
	if (y < 0.1) s = s.toUpperCase();
	else if (y < 0.25) s = s.charAt(0).toUpperCase() + s.slice(1);
	if (r() < 0.1) {
		const i = int(r, 0, Math.max(0, s.length - 1));
		const alts = ACCENTS[s[i]];
		if (alts) s = s.slice(0, i) + pick(r, alts) + s.slice(i + 1);
	}
	return s;
}

function day(r: () => number): string {
	return String(int(r, 0, 33));
}

function date(r: () => number): string {
	const d1 = day(r);
	const d2 = day(r);
	const m1 = pick(r, MONTHS);
	const m2 = pick(r, MONTHS);
	const mm1 = String(int(r, 0, 13)).padStart(r() < 0.5 ? 2 : 1, '0');
	const mm2 = String(int(r, 0, 13)).padStart(r() < 0.5 ? 2 : 1, '0');
	const y = r() < 0.7 ? '' : pick(r, [' 2026', ' 2027', ', 2026', ' de 2027', ' 2025', ' 1999']);
	const yy = r() < 0.7 ? '' : pick(r, ['/26', '/2027', '.26', '.2026', '/25']);
	const sep = pick(r, SEPS);
	switch (int(r, 0, 11)) {
		case 0:
			return `${d1}${pick(r, ORD)}${pick(r, OF)}${m1}${y}${sep}${d2}${pick(r, ORD)}${pick(r, OF)}${m2}${y}`;
		case 1:
			return `${m1} ${d1}${pick(r, ORD)}${sep}${m2} ${d2}${pick(r, ORD)}${y}`;
		case 2:
			return `${d1}${pick(r, ORD)}${sep}${d2}${pick(r, ORD)}${pick(r, OF)}${m2}${y}`;
		case 3:
			return `${m1} ${d1}${sep}${d2}${y}`;
		case 4:
			return `${d1}/${mm1}${yy}${sep}${d2}/${mm2}${yy}`;
		case 5:
			return `${d1}.${mm1}${yy.replace('/', '.')}${sep}${d2}.${mm2}`;
		case 6:
			return `${d1}${sep}${d2}/${mm2}${yy}`;
		case 7:
			return `${int(r, 2024, 2028)}-${String(int(r, 0, 13)).padStart(2, '0')}-${String(int(r, 0, 32)).padStart(2, '0')}`;
		case 8:
			return `${d1}${pick(r, ORD)}${pick(r, OF)}${m1}${y}`;
		case 9:
			return `${m1} ${d1}${pick(r, ORD)}${y}`;
		case 10:
			return `${d1}/${mm1}${yy}`;
		default:
			return pick(r, WEEKEND);
	}
}

function piece(r: () => number): string {
	const x = r();
	if (x < 0.3) return noisy(r, pick(r, KEYWORDS));
	if (x < 0.34)
		return noisy(r, pick(r, PREFIXES)) + pick(r, ['', 'ic', 'ico', 'ique', 'isch', 'ing']);
	if (x < 0.42) return noisy(r, pick(r, HINTS));
	if (x < 0.47) return pick(r, FILLERS);
	if (x < 0.52) return noisy(r, pick(r, COMMON));
	if (x < 0.57) return noisy(r, pick(r, WORDS));
	if (x < 0.67) {
		const n = r() < 0.6 ? String(int(r, 0, 40)) : pick(r, NUMBER_WORDS);
		return `${n}${r() < 0.2 ? ' ' + pick(r, ADJ) : ''} ${noisy(r, pick(r, NOUNS))}`;
	}
	if (x < 0.71)
		return `${pick(r, GROUP)} ${r() < 0.6 ? int(r, 1, 20) : pick(r, NUMBER_WORDS)}${r() < 0.2 ? ' of us' : ''}`;
	if (x < 0.73) return `${pick(r, NOUNS)}${pick(r, [':', ': ', '=', ' = '])}${int(r, 0, 12)}`;
	if (x < 0.84) return date(r);
	if (x < 0.9) return pick(r, EMOJI);
	if (x < 0.93) return String(int(r, 0, 99999));
	if (x < 0.95) return `${int(r, 1, 9)}${pick(r, ['nights', 'noches', 'pax', 'x', 'am', 'pm'])}`;
	return pick(r, MONTHS);
}

/** n messages from seed. About 1 in 12 is a short whole-message keyword ("STOP", "baja please"). */
export function generateCorpus(seed: number, n: number): string[] {
	const r = rng(seed);
	const out: string[] = [];
	for (let i = 0; i < n; i++) {
		if (r() < 0.08) {
			const w = pick(r, WHOLE);
			const parts = [r() < 0.5 ? w.toUpperCase() : noisy(r, w)];
			for (let k = int(r, 0, 3); k > 0; k--)
				parts.push(r() < 0.7 ? pick(r, FILLERS) : r() < 0.5 ? w : pick(r, EMOJI));
			out.push(parts.join(pick(r, [' ', ' ', ', ', '! '])));
			continue;
		}
		const count = int(r, 0, 14);
		const parts: string[] = [];
		for (let k = 0; k < count; k++) parts.push(piece(r));
		let s = '';
		for (const p of parts) s += (s && r() < 0.85 ? ' ' : r() < 0.5 ? '' : ', ') + p;
		out.push(s);
	}
	return out;
}

/**
 * Options the differential test cycles through: `now` as ISO string, zoned luxon DateTime, Date and ISO
 * with offset; keyword overrides in extend and replace mode (with a prefix, a whole-message entry and a
 * phrase containing a number) and a whole keywords file (with a language hint containing digits).
 * Built by a function so each classifier under test gets its own override objects (compiled once each).
 */
export function differentialConfigs(defaults: {
	languageHints?: unknown;
	fillers?: unknown;
	commonWords?: unknown;
}): [string, Record<string, unknown>][] {
	const over = {
		human: ['open 24 hours', 'open 24'],
		romance: ['candle light', 'rosas*'],
		pricing: { es: ['tarifa plana'], any: ['💶'] },
		opt_out: ['=basta ya'],
		availability: ['libre'],
	};
	const file = {
		...defaults,
		languageHints: { ...(defaults.languageHints as object), en: ['24h', 'open 24'] },
		intents: { greeting: ['hey', 'hola'], thanks: ['=gracias'], human: ['open 24 hours'] },
	};
	return [
		['default', { now: '2026-04-01' }],
		['luxon-zone', { now: DateTime.fromISO('2026-12-31T23:30:00', { zone: 'America/Sao_Paulo' }) }],
		['date', { now: new Date(Date.UTC(2027, 1, 27, 12)) }],
		['iso-offset', { now: '2028-02-29T01:00:00+09:00' }],
		['extend', { now: '2026-04-01', keywords: over }],
		['replace', { now: '2026-04-01', keywords: over, keywordsMode: 'replace' }],
		['file', { now: '2026-06-05', keywords: file }],
	];
}

/** Messages with numbers inside keyword phrases and hints, appended to the generated corpus. */
export const DIGIT_KEYWORD_MESSAGES = [
	'open 24 hours for 2 adults',
	'open 24 hours 12 - 15 may',
	'open 24 adults',
	'open 24 hours 12 may',
	'open 24 hours 3 kids 12 to 15 march',
	'reception 24h? we are 4',
	'24h 2 adults',
	'is it open 24 hours 2 nights',
	'open 24 7 nights',
];

/**
 * SHA-256 over the JSON of classify(message, config) for every message of generateCorpus(seed, n)
 * plus DIGIT_KEYWORD_MESSAGES (each with and without a date range), cycling through the configs.
 */
export function corpusDigest(
	classify: (text: string, options: Record<string, unknown>) => unknown,
	configs: [string, Record<string, unknown>][],
	seed: number,
	n: number,
): { digest: string; messages: number; intents: Record<string, number>; withDates: number } {
	const corpus = generateCorpus(seed, n);
	for (const m of DIGIT_KEYWORD_MESSAGES) corpus.push(m, `${m} del 3 al 6 de mayo`);
	const hash = createHash('sha256');
	const intents: Record<string, number> = {};
	let withDates = 0;
	for (let i = 0; i < corpus.length; i++) {
		const result = classify(corpus[i], configs[i % configs.length][1]) as {
			intent: string;
			entities: { checkIn?: string };
		};
		hash.update(JSON.stringify(result));
		hash.update('\n');
		intents[result.intent] = (intents[result.intent] ?? 0) + 1;
		if (result.entities.checkIn) withDates++;
	}
	return { digest: hash.digest('hex'), messages: corpus.length, intents, withDates };
}
