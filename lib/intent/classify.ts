import { digitCode, extractEntities } from './entities';
import { compileKeywords, fuzzyLookupUncommon, FUZZY_MIN, KEYWORD_INTENTS, type CompiledKeywords, type KeywordHit } from './keywords';
import { normalizeText, tokenize } from './normalize';
import type { ClassifyOptions, Intent, InterestIntent, IntentResult, KeywordIntent, Language } from './types';
import { INTEREST_INTENTS, LANGUAGES } from './types';

/*
 * Scoring. Every keyword match adds evidence to its intent:
 *   whole-message match ('=stop')  3
 *   multi-word phrase              1.5
 *   single word                    1
 *   prefix ('romant*')             0.8
 *   one-typo (fuzzy) word          0.6
 *   implicit: stay dates found → availability +0.5; children counted → family +0.5
 * The winner is chosen by priority class, not by score:
 *   opt_out > human > availability|pricing > interests > opt_in > greeting|thanks > unknown
 * Inside a class the highest score wins (ties: availability over pricing, the interest mentioned first,
 * thanks over greeting).
 *
 * Confidence = s / (s + 0.5) for the winner's score s (1 word → 0.67, 2 words → 0.8, whole-message
 * STOP → 0.86 …), multiplied by 0.7 + 0.3 × (s − r) / s when a rival of the same class scored r > 0
 * (two equally strong interests → × 0.7). Rounded to 2 decimals; `unknown` has confidence 0.
 */

const W_WHOLE = 3;
const W_PHRASE = 1.5;
const W_WORD = 1;
const W_PREFIX = 0.8;
const W_FUZZY = 0.6;
const W_IMPLICIT = 0.5;

const N_INTENTS = KEYWORD_INTENTS.length;
const N_LANGS = LANGUAGES.length;
const idxOf = (i: KeywordIntent): number => KEYWORD_INTENTS.indexOf(i);
const AVAILABILITY = idxOf('availability');
const FAMILY = idxOf('family');
const INTEREST_IDX = INTEREST_INTENTS.map(idxOf);
const IS_INTEREST = new Uint8Array(N_INTENTS);
for (const k of INTEREST_IDX) IS_INTEREST[k] = 1;

/*
 * Evidence of the message being classified, in preallocated arrays indexed by intent / language
 * (classification is synchronous, so one set is enough): score > 0 means the intent was seen, and
 * `first` is the token position of its first evidence.
 */
const score = new Float64Array(N_INTENTS);
const first = new Float64Array(N_INTENTS);
const langs = new Float64Array(N_LANGS);

function add(hits: KeywordHit[], weight: number, pos: number): void {
	for (let h = 0; h < hits.length; h++) {
		const hit = hits[h];
		const k = hit.idx;
		if (score[k] === 0) first[k] = pos;
		score[k] += weight;
		const li = hit.langIdx;
		for (let j = 0; j < li.length; j++) langs[li[j]] += 1;
	}
}

function addImplicit(k: number, pos: number): void {
	if (score[k] === 0) first[k] = pos;
	score[k] += W_IMPLICIT;
}

function addHints(hint: number[] | undefined): void {
	if (hint) for (let j = 0; j < hint.length; j++) langs[hint[j]] += 0.5;
}

/** Party-word codes of the message's tokens (see entities.ts), filled by scan; two trailing zeros. */
let codes = new Int32Array(64);
/** Digit tokens seen by scan (= digit runs in the normalised text). */
let digitTokens = 0;

function scan(ck: CompiledKeywords, tokens: string[]): void {
	const n = tokens.length;
	const lexicon = ck.lexicon;
	if (codes.length < n + 2) codes = new Int32Array(n * 2 + 2);
	codes[n] = 0;
	codes[n + 1] = 0;
	digitTokens = 0;
	let i = 0;
	while (i < n) {
		const t = tokens[i];
		const c = t.charCodeAt(0);
		const entry = lexicon.get(t);
		const hint = entry === undefined ? undefined : entry.hint;
		addHints(hint); // a hint word may have digits ("24h" → "24", "h")
		if (c >= 48 && c <= 57) {
			codes[i] = digitCode(t);
			digitTokens++;
			i++;
			continue;
		}
		codes[i] = entry === undefined ? 0 : entry.party;
		const phrases = entry === undefined ? undefined : entry.phrases;
		if (phrases) {
			let matched = 0;
			for (const p of phrases) {
				const len = p.tokens.length;
				if (i + len > n) continue;
				let ok = true;
				for (let k = 1; k < len; k++) {
					if (tokens[i + k] !== p.tokens[k]) {
						ok = false;
						break;
					}
				}
				if (ok) {
					add(p.hits, len > 1 ? W_PHRASE : W_WORD, i);
					matched = len;
					break;
				}
			}
			if (matched > 0) {
				for (let k = 1; k < matched; k++) {
					const tk = tokens[i + k];
					const e = lexicon.get(tk);
					addHints(e === undefined ? undefined : e.hint);
					const ck0 = tk.charCodeAt(0);
					if (ck0 >= 48 && ck0 <= 57) {
						// a phrase with a number in it ("open 24 hours")
						codes[i + k] = digitCode(tk);
						digitTokens++;
					} else codes[i + k] = e === undefined ? 0 : e.party;
				}
				i += matched;
				continue;
			}
		}
		if (t.length >= 4 && ck.prefixes.size > 0) {
			const list = ck.prefixes.get(t.slice(0, 4));
			if (list) {
				let hit = false;
				for (const p of list) {
					if (t.startsWith(p.prefix)) {
						add(p.hits, W_PREFIX, i);
						hit = true;
						break;
					}
				}
				if (hit) {
					i++;
					continue;
				}
			}
		}
		if (!phrases && !hint && t.length >= FUZZY_MIN && !(entry !== undefined && entry.common)) {
			const f = fuzzyLookupUncommon(ck, t);
			if (f) add(f, W_FUZZY, i);
		}
		i++;
	}
}

function wholeMessage(ck: CompiledKeywords, tokens: string[]): void {
	if (ck.whole.size === 0 || tokens.length === 0 || tokens.length > 8) return;
	// the first kept token (or the first token, when all are fillers) must start a whole-message keyword
	let lead: string | undefined;
	for (const t of tokens) {
		if (!ck.fillers.has(t)) {
			lead = t;
			break;
		}
	}
	if (!ck.wholeFirst.has(lead ?? tokens[0])) return;
	const kept: string[] = [];
	for (const t of tokens) {
		if (ck.fillers.has(t)) continue;
		if (kept.length > 0 && kept[kept.length - 1] === t) continue; // "stop stop"
		kept.push(t);
	}
	const key = kept.length > 0 ? kept.join(' ') : tokens.join(' ');
	const hits = ck.whole.get(key);
	if (hits) add(hits, W_WHOLE, 0);
}

/** Winner of one priority class (intent indexes), or -1; `pickRival` receives the best other score. */
let pickRival = 0;
function pick(candidates: number[]): number {
	let winner = -1;
	let best = 0;
	let bestFirst = Infinity;
	for (const c of candidates) {
		const s = score[c];
		if (s <= 0) continue;
		if (s > best || (s === best && first[c] < bestFirst && IS_INTEREST[c] === 1)) {
			winner = c;
			best = s;
			bestFirst = first[c];
		}
	}
	if (winner < 0) return -1;
	let rival = 0;
	for (const c of candidates) if (c !== winner) rival = Math.max(rival, score[c]);
	pickRival = rival;
	return winner;
}

const CLASSES: number[][] = (
	[['opt_out'], ['human'], ['availability', 'pricing'], ['romance', 'family', 'adventure', 'wellness', 'group'], ['opt_in'], ['thanks', 'greeting']] as KeywordIntent[][]
).map((cls) => cls.map(idxOf));

function confidenceFor(score: number, rival: number): number {
	let c = score / (score + 0.5);
	if (rival > 0) c *= 0.7 + (0.3 * Math.max(0, score - rival)) / score;
	return Math.round(Math.min(0.99, c) * 100) / 100;
}

function guessLanguage(): Language | undefined {
	let best: Language | undefined;
	let bestV = 0;
	let tie = false;
	for (let l = 0; l < N_LANGS; l++) {
		const v = langs[l];
		if (v > bestV) {
			best = LANGUAGES[l];
			bestV = v;
			tie = false;
		} else if (v === bestV && v > 0) tie = true;
	}
	return tie ? undefined : best;
}

/**
 * Classify a guest message. Pure and synchronous; keywords are compiled once per keywords object.
 *
 * @example classifyIntent('Hola! somos 2 adultos y 1 niño del 3 al 6 de mayo', { now: '2026-04-01' })
 *   → { intent: 'availability', tags: ['family'], entities: { adults: 2, children: 1, guests: 3,
 *       checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 }, … }
 */
export function classifyIntent(text: string, options: ClassifyOptions = {}): IntentResult {
	const ck = compileKeywords(options.keywords, options.keywordsMode);
	const norm = normalizeText(typeof text === 'string' ? text : String(text ?? ''));
	const tokens = tokenize(norm);
	for (let k = 0; k < N_INTENTS; k++) {
		score[k] = 0;
		first[k] = 0;
	}
	for (let l = 0; l < N_LANGS; l++) langs[l] = 0;
	wholeMessage(ck, tokens);
	scan(ck, tokens);
	const entities = extractEntities(norm, tokens, options.now, codes, digitTokens);
	if (entities.checkIn !== undefined) addImplicit(AVAILABILITY, tokens.length);
	if ((entities.children ?? 0) > 0 && score[FAMILY] === 0) addImplicit(FAMILY, tokens.length);

	const tagList: { t: InterestIntent; s: number; f: number }[] = [];
	for (let j = 0; j < INTEREST_IDX.length; j++) {
		const k = INTEREST_IDX[j];
		if (score[k] > 0) tagList.push({ t: INTEREST_INTENTS[j], s: score[k], f: first[k] });
	}
	if (tagList.length > 1) tagList.sort((a, b) => b.s - a.s || a.f - b.f);
	const tags = tagList.map((x) => x.t);

	let intent: Intent = 'unknown';
	let confidence = 0;
	for (const cls of CLASSES) {
		const w = pick(cls);
		if (w >= 0) {
			intent = KEYWORD_INTENTS[w];
			confidence = confidenceFor(score[w], pickRival);
			break;
		}
	}
	const result: IntentResult = { intent, confidence, tags, entities };
	const language = guessLanguage();
	if (language) result.language = language;
	return result;
}
