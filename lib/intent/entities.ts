import { DateTime } from 'luxon';
import { normalizeText } from './normalize';
import type { DateInput, IntentEntities } from './types';

/*
 * Entity extraction: party size (token based) and stay dates (regex based, on normalised text).
 *
 * Conventions (documented in docs and tests):
 * - Dates without a year resolve to the next occurrence on or after `now` (in `now`'s zone).
 *   The end of a range is the next occurrence strictly after the start ("28 dec - 3 jan").
 * - Numeric dates are day-first: 12/03 = 12 March. Two-digit years mean 20xx.
 * - "family of 4", "somos 4", "4 people" set `guests` only: adults are never guessed.
 * - `nights` is set from "3 nights"/"1 week" or derived from a check-in/check-out pair;
 *   check-in + nights gives check-out. When both a range and a night count are given, the range wins.
 * - Weekend phrases ("this/next weekend", "fin de semana"...) give Friday → Sunday: the coming weekend,
 *   or the following one when "next" is used on a Friday–Sunday.
 */

const N = (words: string[]): string[] => words.map((w) => normalizeText(w));

const NUMBER_WORDS = new Map<string, number>();
const numberLists: [number, string[]][] = [
	[1, ['one', 'uno', 'un', 'una', 'um', 'uma', 'une', 'ein', 'eine', 'einen', 'einem', 'einer', 'eins']],
	[2, ['two', 'dos', 'dois', 'duas', 'deux', 'zwei', 'due']],
	[3, ['three', 'tres', 'trois', 'drei', 'tre']],
	[4, ['four', 'cuatro', 'quatro', 'quatre', 'vier', 'quattro']],
	[5, ['five', 'cinco', 'cinq', 'fünf', 'fuenf', 'cinque']],
	[6, ['six', 'seis', 'sechs', 'sei']],
	[7, ['seven', 'siete', 'sete', 'sept', 'sieben', 'sette']],
	[8, ['eight', 'ocho', 'oito', 'huit', 'acht', 'otto']],
	[9, ['nine', 'nueve', 'nove', 'neuf', 'neun']],
	[10, ['ten', 'diez', 'dez', 'dix', 'zehn', 'dieci']],
];
for (const [v, words] of numberLists) for (const w of N(words)) NUMBER_WORDS.set(w, v);

const ADULT = new Set(
	N(['adult', 'adults', 'adulto', 'adultos', 'adulta', 'adultas', 'adulte', 'adultes', 'adulti', 'erwachsene', 'erwachsenen', 'erwachsener', 'grownups', 'grown-ups']),
);
const CHILD = new Set(
	N([
		'child', 'children', 'kid', 'kids', 'baby', 'babies', 'babys', 'infant', 'infants', 'toddler', 'toddlers', 'teen', 'teens',
		'nino', 'ninos', 'nina', 'ninas', 'nene', 'nenes', 'bebe', 'bebes', 'hijo', 'hijos', 'hija', 'hijas', 'peques',
		'crianca', 'criancas', 'filho', 'filhos', 'filha', 'filhas', 'menino', 'meninos', 'menina', 'meninas',
		'enfant', 'enfants',
		'kind', 'kinder', 'kindern', 'kleinkind', 'kleinkinder',
		'bambino', 'bambini', 'bambina', 'bambine', 'bimbi', 'bimbo', 'bimba', 'figli', 'figlio', 'figlia', 'figlie', 'neonato', 'neonati',
	]),
);
const PEOPLE = new Set(
	N(['people', 'persons', 'person', 'guests', 'guest', 'pax', 'personas', 'persona', 'huespedes', 'pessoas', 'pessoa', 'hospedes', 'personnes', 'personne', 'personen', 'persone', 'ospiti']),
);
const NIGHT = new Set(
	N(['night', 'nights', 'nite', 'nites', 'nts', 'noche', 'noches', 'noite', 'noites', 'nuit', 'nuits', 'nacht', 'nächte', 'übernachtung', 'übernachtungen', 'notte', 'notti']),
);
const WEEK = new Set(N(['week', 'weeks', 'semana', 'semanas', 'semaine', 'semaines', 'woche', 'wochen', 'settimana', 'settimane']));
const ADJECTIVES = new Set(
	N(['small', 'little', 'young', 'kleine', 'kleinen', 'kleiner', 'petits', 'petites', 'jeunes', 'piccoli', 'piccole', 'pequenos', 'pequenas', 'pequeños', 'more', 'mas', 'más', 'mais', 'plus', 'weitere', 'altri']),
);
const ENGLISH_ARTICLE_NOUNS = new Set(N(['child', 'kid', 'baby', 'infant', 'toddler', 'adult', 'night', 'week']));
const GROUP_WORDS = new Set(N(['family', 'familia', 'famille', 'familie', 'famiglia', 'party', 'group', 'grupo', 'groupe', 'gruppe', 'gruppo']));
const WE_ARE = new Set(N(['somos', 'sommes', 'sind', 'siamo']));

/*
 * Every word the party parser cares about, in ONE map: the bits say which lists it is in, the bits
 * from NUM_SHIFT up hold its number value. A message's tokens are looked up once each (not once per list).
 */
const F_ADULT = 1;
const F_CHILD = 2;
const F_PEOPLE = 4;
const F_NIGHT = 8;
const F_WEEK = 16;
const F_ADJ = 32;
/** "a child", "an adult": the noun (singular or with a final s) takes an English article as 1 */
const F_ARTICLE_NOUN = 64;
const F_GROUP = 128;
const F_WE_ARE = 256;
const F_UNIT = F_ADULT | F_CHILD | F_PEOPLE | F_NIGHT | F_WEEK;
const NUM_SHIFT = 10;

const LEXICON = new Map<string, number>();
/** Party words and their codes (the scanner folds them into its keyword lexicon: one look-up per token). */
export const PARTY_LEXICON: ReadonlyMap<string, number> = LEXICON;
const mark = (words: Iterable<string>, flag: number) => {
	for (const w of words) LEXICON.set(w, (LEXICON.get(w) ?? 0) | flag);
};
mark(ADULT, F_ADULT);
mark(CHILD, F_CHILD);
mark(PEOPLE, F_PEOPLE);
mark(NIGHT, F_NIGHT);
mark(WEEK, F_WEEK);
mark(ADJECTIVES, F_ADJ);
mark(GROUP_WORDS, F_GROUP);
mark(WE_ARE, F_WE_ARE);
mark(
	[...LEXICON.keys()].filter((w) => ENGLISH_ARTICLE_NOUNS.has(w.replace(/s$/, ''))),
	F_ARTICLE_NOUN,
);
for (const [w, v] of NUMBER_WORDS) LEXICON.set(w, (LEXICON.get(w) ?? 0) | (v << NUM_SHIFT));

/** Code of a digit token: the value of a 1–2 digit number > 0, else 0. */
export function digitCode(tok: string): number {
	if (tok.length > 2) return 0;
	const v = Number(tok);
	return v > 0 ? v << NUM_SHIFT : 0;
}

/** Lexicon code of a token: flags, plus the value of a number word or of a 1–2 digit number > 0. */
function codeOf(tok: string | undefined): number {
	if (tok === undefined) return 0;
	const c = tok.charCodeAt(0);
	if (c >= 48 && c <= 57) return digitCode(tok);
	return LEXICON.get(tok) ?? 0;
}

function numberOf(code: number): number | undefined {
	const v = code >>> NUM_SHIFT;
	return v > 0 ? v : undefined;
}

function isUnitNoun(tok: string | undefined): boolean {
	return (codeOf(tok) & F_UNIT) !== 0;
}

interface Party {
	adults?: number;
	children?: number;
	guests?: number;
	nights?: number;
}

/** Count that precedes the noun at index i ("2 adults", "dos niños", "2 small kids", "a child"). */
function countBefore(tokens: string[], codes: Int32Array, i: number): number | undefined {
	const prevCode = i >= 1 ? codes[i - 1] : 0;
	let v = numberOf(prevCode);
	if (v === undefined && (prevCode & F_ADJ) !== 0) v = numberOf(i >= 2 ? codes[i - 2] : 0);
	if (v === undefined && (tokens[i - 1] === 'a' || tokens[i - 1] === 'an') && (codes[i] & F_ARTICLE_NOUN) !== 0) v = 1;
	return v;
}

const LABEL_RE = new RegExp(`\\b(${[...ADULT, ...CHILD].join('|')})\\s*[:=]\\s*(\\d{1,2})(?!\\d)`, 'g');

/** Form-style counts: "adults: 2, children: 1". */
function labelledCounts(norm: string, p: Party): boolean {
	if (!norm.includes(':') && !norm.includes('=')) return false;
	LABEL_RE.lastIndex = 0;
	let m: RegExpExecArray | null;
	let found = false;
	while ((m = LABEL_RE.exec(norm)) !== null) {
		const v = Number(m[2]);
		if (ADULT.has(m[1])) p.adults = (p.adults ?? 0) + v;
		else p.children = (p.children ?? 0) + v;
		found = true;
	}
	return found;
}

/** Reused buffer of token codes (classification is synchronous, so one buffer is enough). */
let codeBuffer = new Int32Array(64);

/**
 * @param tokenCodes the codes of `tokens` when the caller already has them (codeOf of each token,
 *   followed by two zeros); computed here otherwise.
 */
export function extractParty(tokens: string[], norm = '', tokenCodes?: Int32Array): Party {
	const p: Party = {};
	const labelled = labelledCounts(norm, p);
	const n = tokens.length;
	let codes: Int32Array;
	if (tokenCodes) codes = tokenCodes;
	else {
		if (codeBuffer.length < n + 2) codeBuffer = new Int32Array(n * 2 + 2);
		codes = codeBuffer;
		for (let i = 0; i < n; i++) codes[i] = codeOf(tokens[i]);
		codes[n] = 0;
		codes[n + 1] = 0;
	}
	let any = 0;
	for (let i = 0; i < n; i++) any |= codes[i];
	if (any === 0) return p; // no number, noun or party word at all
	for (let i = 0; i < n; i++) {
		const code = codes[i];
		if (code === 0) continue;
		const t = tokens[i];
		const adult = (code & F_ADULT) !== 0;
		const child = (code & F_CHILD) !== 0;
		if (adult || child) {
			if (labelled) continue;
			const v = countBefore(tokens, codes, i);
			if (v !== undefined && !(child && t === 'kind' && tokens[i - 1] === 'one')) {
				if (adult) p.adults = (p.adults ?? 0) + v;
				else p.children = (p.children ?? 0) + v;
			}
			continue;
		}
		if ((code & F_PEOPLE) !== 0) {
			const v = countBefore(tokens, codes, i);
			if (v !== undefined && p.guests === undefined) p.guests = v;
			continue;
		}
		if ((code & (F_NIGHT | F_WEEK)) !== 0) {
			const v = countBefore(tokens, codes, i);
			if (v !== undefined && p.nights === undefined) p.nights = (code & F_NIGHT) !== 0 ? v : v * 7;
			continue;
		}
		const v = numberOf(code);
		if (v === undefined || p.guests !== undefined) continue;
		const nextCode = codes[i + 1];
		if ((nextCode & F_UNIT) !== 0 || ((nextCode & F_ADJ) !== 0 && (codes[i + 2] & F_UNIT) !== 0)) continue;
		const next = tokens[i + 1];
		const prev = tokens[i - 1];
		const prev2 = tokens[i - 2];
		const prevCode = i >= 1 ? codes[i - 1] : 0;
		const prev2Code = i >= 2 ? codes[i - 2] : 0;
		if (
			(prevCode & F_WE_ARE) !== 0 ||
			((prev === 'are' || prev === 're') && prev2 === 'we') ||
			(prev === 'est' && prev2 === 'on') ||
			(prev === 'in' && prev2 === 'siamo') ||
			(prev === 'em' && prev2 === 'somos') ||
			((prev === 'of' || prev === 'de' || prev === 'di' || prev === 'von' || prev === 'mit') && (prev2Code & F_GROUP) !== 0) ||
			(next === 'of' && tokens[i + 2] === 'us')
		) {
			p.guests = v;
		}
	}
	return p;
}

// ---------------------------------------------------------------- dates

const MONTHS: [number, string[]][] = [
	[1, ['january', 'jan', 'enero', 'ene', 'janeiro', 'janvier', 'janv', 'januar', 'jänner', 'janner', 'gennaio', 'gen']],
	[2, ['february', 'feb', 'febrero', 'fevereiro', 'fev', 'février', 'fevr', 'févr', 'februar', 'febbraio']],
	[3, ['march', 'mar', 'marzo', 'março', 'marco', 'mars', 'märz', 'maerz', 'marz', 'mrz']],
	[4, ['april', 'apr', 'abril', 'abr', 'avril', 'avr', 'aprile']],
	[5, ['may', 'mayo', 'maio', 'mai', 'maggio', 'mag']],
	[6, ['june', 'jun', 'junio', 'junho', 'juin', 'juni', 'giugno', 'giu']],
	[7, ['july', 'jul', 'julio', 'julho', 'juillet', 'juil', 'juli', 'luglio', 'lug']],
	[8, ['august', 'aug', 'agosto', 'ago', 'août', 'aout']],
	[9, ['september', 'sep', 'sept', 'septiembre', 'setiembre', 'setembro', 'septembre', 'settembre']],
	[10, ['october', 'oct', 'octubre', 'outubro', 'octobre', 'oktober', 'okt', 'ottobre', 'ott']],
	[11, ['november', 'nov', 'noviembre', 'novembro', 'novembre']],
	[12, ['december', 'dec', 'diciembre', 'dic', 'dezembro', 'dez', 'décembre', 'dezember']],
];
const MONTH_BY_NAME = new Map<string, number>();
for (const [m, names] of MONTHS) for (const n of N(names)) MONTH_BY_NAME.set(n, m);

const D = '(\\d{1,2})(?:st|nd|rd|th|er|eme|e|o|a|º|°)?\\.?';
// any word: validated against MONTH_BY_NAME in code (a 90-way alternation in every pattern is ~10× slower)
const M = '([a-z]+)\\.?';
const OF = '\\s*(?:(?:de|di|of|del|du|the)\\s+)?';
const YEAR = '(?:,?\\s*(?:(?:de|del)\\s+)?(\\d{4})(?!\\d))?';
const SEP =
	"(?:\\s*(?:-+|~)\\s*|\\s+(?:to|till|til|until|through|thru|al|a|au|jusqu'au|jusqu'a|bis|zum|ate|hasta|fino|and|y|e|et|und)(?:\\s+(?:the|el|le|la|il|al|o|den|zum|a))?\\s+)";
const NUM = '(\\d{1,2})[./](\\d{1,2})(?:[./](\\d{4}|\\d{2}))?(?![\\d/])\\.?';

const RANGE_PATTERNS: { re: RegExp; numeric?: boolean; order: ('d1' | 'm1' | 'y1' | 'd2' | 'm2' | 'y2' | 'n1' | 'n2')[] }[] = [
	{ re: new RegExp(`\\b${D}${OF}${M}${YEAR}${SEP}${D}${OF}${M}${YEAR}`, 'g'), order: ['d1', 'm1', 'y1', 'd2', 'm2', 'y2'] },
	{ re: new RegExp(`\\b${M}\\s*${D}${YEAR}${SEP}${M}\\s*${D}${YEAR}`, 'g'), order: ['m1', 'd1', 'y1', 'm2', 'd2', 'y2'] },
	{ re: new RegExp(`\\b${D}${SEP}${D}${OF}${M}${YEAR}`, 'g'), order: ['d1', 'd2', 'm2', 'y2'] },
	{ re: new RegExp(`\\b${M}\\s*${D}${SEP}${D}${YEAR}`, 'g'), order: ['m2', 'd1', 'd2', 'y2'] },
	{ re: new RegExp(`\\b${NUM}${SEP}${NUM}`, 'g'), numeric: true, order: ['d1', 'n1', 'y1', 'd2', 'n2', 'y2'] },
	{ re: new RegExp(`\\b(\\d{1,2})\\.?${SEP}${NUM}`, 'g'), numeric: true, order: ['d1', 'd2', 'n2', 'y2'] },
];
const SINGLE_PATTERNS: { re: RegExp; numeric?: boolean; iso?: boolean; order: ('d' | 'm' | 'y' | 'n')[] }[] = [
	{ re: new RegExp(`\\b(\\d{4})-(\\d{2})-(\\d{2})(?!\\d)`, 'g'), iso: true, order: ['y', 'n', 'd'] },
	{ re: new RegExp(`\\b${D}${OF}${M}${YEAR}`, 'g'), order: ['d', 'm', 'y'] },
	{ re: new RegExp(`\\b${M}\\s*${D}${YEAR}`, 'g'), order: ['m', 'd', 'y'] },
	{ re: new RegExp(`\\b${NUM}`, 'g'), numeric: true, order: ['d', 'n', 'y'] },
];
const WEEKEND_WORDS = '(?:wek-?\\s?end|fin de semana|finde|fim de semana|wochenende|fine setimana)';
/** Only a weekend with a modifier ("this/next weekend", "este fin de semana", "le week-end prochain") is a date. */
const WEEKEND_RE = new RegExp(
	`\\b(?:(this|next|coming|este|proximo|ce|prochain|dieses|diese|nachstes|nachste|kommendes|questo|prosimo|neste|nesto)\\s+${WEEKEND_WORDS}|${WEEKEND_WORDS}\\s+(prochain|proximo|que vem|prosimo))\\b`,
);
const NEXT_WORDS = new Set(['next', 'proximo', 'prochain', 'nachstes', 'nachste', 'kommendes', 'prosimo', 'que vem']);
const FOLLOWING_WORD = /^\s*([a-z]+)/;

function toYear(y: string | undefined): number | undefined {
	if (!y) return undefined;
	const v = Number(y);
	return y.length === 2 ? 2000 + v : v;
}

function allDigits(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return s.length > 0;
}

function monthOf(s: string | undefined): number | undefined {
	if (!s) return undefined;
	if (allDigits(s)) {
		const v = Number(s);
		return v >= 1 && v <= 12 ? v : undefined;
	}
	return MONTH_BY_NAME.get(s);
}

/*
 * Date math uses luxon in UTC on calendar dates: "today" is taken from `now` in its own zone, then
 * every date is a UTC midnight. (UTC arithmetic via millis is ~20× faster than zone-aware plus/diff.)
 */
const DAY_MS = 86400000;

/**
 * Calendar dates are few (a few hundred per year) and luxon DateTimes are immutable, so they are
 * shared from a small bounded cache: building one is the costliest step of reading a date.
 */
const utcDates = new Map<number, DateTime | null>();
const MAX_CACHED_DATES = 4096;

function utcDate(year: number, month: number, day: number): DateTime | undefined {
	const key = year * 10000 + month * 100 + day;
	let dt = utcDates.get(key);
	if (dt === undefined) {
		const built = DateTime.utc(year, month, day);
		dt = built.isValid ? built : null;
		if (utcDates.size >= MAX_CACHED_DATES) utcDates.delete(utcDates.keys().next().value as number);
		utcDates.set(key, dt);
	}
	return dt ?? undefined;
}

/** The same kind of cache keyed by epoch millis, for day arithmetic (creating a DateTime costs microseconds). */
const utcByMillis = new Map<number, DateTime>();

function utcFromMillis(ms: number): DateTime {
	let dt = utcByMillis.get(ms);
	if (dt === undefined) {
		dt = DateTime.fromMillis(ms, { zone: 'utc' });
		if (utcByMillis.size >= MAX_CACHED_DATES) utcByMillis.delete(utcByMillis.keys().next().value as number);
		utcByMillis.set(ms, dt);
	}
	return dt;
}

export function addDays(dt: DateTime, days: number): DateTime {
	return utcFromMillis(dt.toMillis() + days * DAY_MS);
}

function daysBetween(a: DateTime, b: DateTime): number {
	return Math.round((b.toMillis() - a.toMillis()) / DAY_MS);
}

/** Next occurrence of day/month on or after `ref` (a UTC midnight), or in the given year. */
function resolve(day: number, month: number, year: number | undefined, ref: DateTime): DateTime | undefined {
	if (!(day >= 1 && day <= 31)) return undefined;
	if (year !== undefined) return utcDate(year, month, day);
	const refMs = ref.toMillis();
	for (let y = ref.year; y <= ref.year + 8; y++) {
		const dt = utcDate(y, month, day);
		if (dt && dt.toMillis() >= refMs) return dt;
	}
	return undefined;
}

let lastNowInput: unknown;
let lastToday: DateTime | undefined;

export function toDateTime(now: DateInput | undefined): DateTime {
	if (now === undefined) return DateTime.now();
	if (DateTime.isDateTime(now)) return now;
	if (now instanceof Date) return DateTime.fromJSDate(now);
	const dt = DateTime.fromISO(now, { setZone: true });
	if (!dt.isValid) throw new Error(`classifyIntent: invalid 'now' date: ${now}`);
	return dt;
}

/** Today's calendar date (in `now`'s zone) as a UTC midnight; memoised for repeated identical `now`. */
function todayOf(now: DateInput | undefined): DateTime {
	if (now !== undefined && now === lastNowInput && lastToday) return lastToday;
	const dt = toDateTime(now);
	const today = DateTime.utc(dt.year, dt.month, dt.day);
	if (now !== undefined && !(now instanceof Date)) {
		lastNowInput = now;
		lastToday = today;
	}
	return today;
}

/** ISO dates of UTC midnights by epoch millis (formatting through luxon is the costliest step left). */
const isoByMillis = new Map<number, string>();

function isoDate(dt: DateTime): string {
	const ms = dt.toMillis();
	let iso = isoByMillis.get(ms);
	if (iso === undefined) {
		iso = dt.toISODate() as string;
		if (isoByMillis.size >= MAX_CACHED_DATES) isoByMillis.delete(isoByMillis.keys().next().value as number);
		isoByMillis.set(ms, iso);
	}
	return iso;
}

interface Stay {
	checkIn?: DateTime;
	checkOut?: DateTime;
}

function followedByUnit(text: string, end: number): boolean {
	const m = FOLLOWING_WORD.exec(text.slice(end, end + 20));
	return !!m && isUnitNoun(m[1]);
}

function parseRange(text: string, now: DateTime): { stay: Stay; index: number; end: number } | undefined {
	let best: { stay: Stay; index: number; end: number } | undefined;
	const numeric = text.includes('/') || text.includes('.');
	for (const { re, order, numeric: needsSlash } of RANGE_PATTERNS) {
		if (needsSlash && !numeric) continue;
		re.lastIndex = 0;
		let m: RegExpExecArray | null;
		while ((m = re.exec(text)) !== null) {
			if (best && m.index >= best.index) break;
			// every group name present, in one order: one object shape for all patterns
			const g: Record<string, string | undefined> = { d1: undefined, m1: undefined, y1: undefined, d2: undefined, m2: undefined, y2: undefined, n1: undefined, n2: undefined };
			for (let k = 0; k < order.length; k++) g[order[k]] = m[k + 1];
			const d1 = Number(g.d1);
			const d2 = Number(g.d2);
			const m2 = monthOf(g.m2 ?? g.n2);
			const m1 = monthOf(g.m1 ?? g.n1) ?? m2;
			if (m1 === undefined || m2 === undefined || (g.m1 !== undefined && monthOf(g.m1) === undefined)) {
				re.lastIndex = m.index + 1;
				continue;
			}
			if (followedByUnit(text, m.index + m[0].length)) continue;
			const y1 = toYear(g.y1);
			const y2 = toYear(g.y2);
			let start: DateTime | undefined;
			let end: DateTime | undefined;
			if (y1 === undefined && y2 !== undefined) {
				end = resolve(d2, m2, y2, now);
				start = resolve(d1, m1, y2, now);
				if (start && end && start >= end) start = resolve(d1, m1, y2 - 1, now);
			} else {
				start = resolve(d1, m1, y1, now);
				if (start) end = resolve(d2, m2, y2, addDays(start, 1));
			}
			if (!start || !end || end <= start) continue;
			// same month written once ("30-2 jan") must not jump a year
			if (g.m1 === undefined && g.n1 === undefined && d2 <= d1) continue;
			best = { stay: { checkIn: start, checkOut: end }, index: m.index, end: m.index + m[0].length };
			break;
		}
	}
	return best;
}

function parseSingles(text: string, now: DateTime): { dt: DateTime; index: number; explicitYear: boolean }[] {
	const found: { dt: DateTime; index: number; end: number; explicitYear: boolean }[] = [];
	const numeric = text.includes('/') || text.includes('.');
	const dash = text.includes('-');
	for (const { re, order, numeric: needsSlash, iso } of SINGLE_PATTERNS) {
		if ((needsSlash && !numeric) || (iso && !dash)) continue;
		re.lastIndex = 0;
		let m: RegExpExecArray | null;
		while ((m = re.exec(text)) !== null) {
			const g: Record<string, string | undefined> = { d: undefined, m: undefined, y: undefined, n: undefined };
			for (let k = 0; k < order.length; k++) g[order[k]] = m[k + 1];
			const start = m.index;
			const end = start + m[0].length;
			if (found.some((f) => start < f.end && f.index < end)) continue;
			const month = monthOf(g.m ?? g.n);
			if (month === undefined) {
				re.lastIndex = start + 1;
				continue;
			}
			if (followedByUnit(text, end)) continue;
			const year = toYear(g.y);
			const dt = resolve(Number(g.d), month, year, now);
			if (!dt) continue;
			found.push({ dt, index: start, end, explicitYear: year !== undefined });
		}
	}
	return found.sort((a, b) => a.index - b.index);
}

function parseWeekend(text: string, now: DateTime): Stay | undefined {
	const m = WEEKEND_RE.exec(text);
	if (!m) return undefined;
	const next = NEXT_WORDS.has(m[1] ?? m[2] ?? '');
	const today = now;
	const wd = today.weekday; // 1 = Monday … 7 = Sunday
	let friday = addDays(today, wd <= 5 ? 5 - wd : 12 - wd); // Sat/Sun: the coming Friday
	if (next && wd === 5) friday = addDays(friday, 7);
	return { checkIn: friday, checkOut: addDays(friday, 2) };
}

/** Number of digit runs in s. */
function digitRuns(s: string): number {
	let runs = 0;
	let inRun = false;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		const d = c >= 48 && c <= 57;
		if (d && !inRun) runs++;
		inRun = d;
	}
	return runs;
}

/**
 * @param tokenCodes see extractParty
 * @param digitTokens number of digit tokens in `tokens` (= digit runs in `norm`) when known
 */
export function extractEntities(
	norm: string,
	tokens: string[],
	nowInput: DateInput | undefined,
	tokenCodes?: Int32Array,
	digitTokens?: number,
): IntentEntities {
	const party = extractParty(tokens, norm, tokenCodes);
	const e: IntentEntities = {};
	if (party.adults !== undefined) e.adults = party.adults;
	if (party.children !== undefined) e.children = party.children;
	if (party.guests !== undefined) e.guests = party.guests;
	else if (party.adults !== undefined) e.guests = party.adults + (party.children ?? 0);

	let stay: Stay | undefined;
	const runs = digitTokens ?? digitRuns(norm);
	const digits = runs > 0;
	const mayHaveWeekend = norm.includes('wek') || norm.includes('seman') || norm.includes('finde') || norm.includes('setimana');
	if (digits || mayHaveWeekend) {
		const now = todayOf(nowInput);
		if (digits) {
			const range = runs >= 2 ? parseRange(norm, now) : undefined;
			if (range) stay = range.stay;
			else {
				const singles = parseSingles(norm, now);
				if (singles.length > 0) {
					stay = { checkIn: singles[0].dt };
					if (singles.length > 1) {
						let out = singles[1].dt;
						if (out <= singles[0].dt && !singles[1].explicitYear) {
							out = resolve(out.day, out.month, undefined, addDays(singles[0].dt, 1)) ?? out;
						}
						if (out > singles[0].dt) stay.checkOut = out;
					}
				}
			}
		}
		if (!stay && mayHaveWeekend) stay = parseWeekend(norm, now);
	}
	if (stay?.checkIn) {
		e.checkIn = isoDate(stay.checkIn);
		if (stay.checkOut) {
			e.checkOut = isoDate(stay.checkOut);
			e.nights = daysBetween(stay.checkIn, stay.checkOut);
		} else if (party.nights !== undefined) {
			e.checkOut = isoDate(addDays(stay.checkIn, party.nights));
			e.nights = party.nights;
		}
	}
	if (e.nights === undefined && party.nights !== undefined) e.nights = party.nights;
	return e;
}
