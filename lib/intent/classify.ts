import { extractEntities } from './entities';
import { compileKeywords, fuzzyLookup, type CompiledKeywords, type KeywordHit } from './keywords';
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

const INTEREST_SET = new Set<string>(INTEREST_INTENTS);

interface Evidence {
	score: number;
	first: number;
}

class Scores {
	map = new Map<KeywordIntent, Evidence>();
	langs: Record<Language, number> = { en: 0, es: 0, pt: 0, fr: 0, de: 0, it: 0 };

	add(hits: KeywordHit[], weight: number, pos: number): void {
		for (const h of hits) {
			const e = this.map.get(h.intent);
			if (e) e.score += weight;
			else this.map.set(h.intent, { score: weight, first: pos });
			for (const l of h.langs) this.langs[l] += 1;
		}
	}

	get(i: KeywordIntent): number {
		return this.map.get(i)?.score ?? 0;
	}
}

function scan(ck: CompiledKeywords, tokens: string[], scores: Scores): void {
	const n = tokens.length;
	let i = 0;
	while (i < n) {
		const t = tokens[i];
		const hint = ck.hints.get(t);
		if (hint) for (const l of hint) scores.langs[l] += 0.5;
		const c = t.charCodeAt(0);
		if (c >= 48 && c <= 57) {
			i++;
			continue;
		}
		const phrases = ck.phrases.get(t);
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
					scores.add(p.hits, len > 1 ? W_PHRASE : W_WORD, i);
					matched = len;
					break;
				}
			}
			if (matched > 0) {
				for (let k = 1; k < matched; k++) {
					const h = ck.hints.get(tokens[i + k]);
					if (h) for (const l of h) scores.langs[l] += 0.5;
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
						scores.add(p.hits, W_PREFIX, i);
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
		if (!phrases && !hint) {
			const f = fuzzyLookup(ck, t);
			if (f) scores.add(f, W_FUZZY, i);
		}
		i++;
	}
}

function wholeMessage(ck: CompiledKeywords, tokens: string[], scores: Scores): void {
	if (ck.whole.size === 0 || tokens.length === 0 || tokens.length > 8) return;
	const kept: string[] = [];
	for (const t of tokens) {
		if (ck.fillers.has(t)) continue;
		if (kept.length > 0 && kept[kept.length - 1] === t) continue; // "stop stop"
		kept.push(t);
	}
	const key = kept.length > 0 ? kept.join(' ') : tokens.join(' ');
	const hits = ck.whole.get(key);
	if (hits) scores.add(hits, W_WHOLE, 0);
}

function pick(scores: Scores, candidates: KeywordIntent[]): { winner: KeywordIntent; score: number; rival: number } | undefined {
	let winner: KeywordIntent | undefined;
	let best = 0;
	let bestFirst = Infinity;
	for (const c of candidates) {
		const e = scores.map.get(c);
		if (!e || e.score <= 0) continue;
		if (e.score > best || (e.score === best && e.first < bestFirst && INTEREST_SET.has(c))) {
			winner = c;
			best = e.score;
			bestFirst = e.first;
		}
	}
	if (!winner) return undefined;
	let rival = 0;
	for (const c of candidates) if (c !== winner) rival = Math.max(rival, scores.get(c));
	return { winner, score: best, rival };
}

const CLASSES: KeywordIntent[][] = [
	['opt_out'],
	['human'],
	['availability', 'pricing'],
	['romance', 'family', 'adventure', 'wellness', 'group'],
	['opt_in'],
	['thanks', 'greeting'],
];

function confidenceFor(score: number, rival: number): number {
	let c = score / (score + 0.5);
	if (rival > 0) c *= 0.7 + (0.3 * Math.max(0, score - rival)) / score;
	return Math.round(Math.min(0.99, c) * 100) / 100;
}

function guessLanguage(langs: Record<Language, number>): Language | undefined {
	let best: Language | undefined;
	let bestV = 0;
	let tie = false;
	for (const l of LANGUAGES) {
		const v = langs[l];
		if (v > bestV) {
			best = l;
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
	const scores = new Scores();
	wholeMessage(ck, tokens, scores);
	scan(ck, tokens, scores);
	const entities = extractEntities(norm, tokens, options.now);
	if (entities.checkIn !== undefined) scores.add([{ intent: 'availability', langs: [] }], W_IMPLICIT, tokens.length);
	if ((entities.children ?? 0) > 0 && scores.get('family') === 0) scores.add([{ intent: 'family', langs: [] }], W_IMPLICIT, tokens.length);

	const tagList: { t: InterestIntent; s: number; f: number }[] = [];
	for (const t of INTEREST_INTENTS) {
		const e = scores.map.get(t);
		if (e && e.score > 0) tagList.push({ t, s: e.score, f: e.first });
	}
	tagList.sort((a, b) => b.s - a.s || a.f - b.f);
	const tags = tagList.map((x) => x.t);

	let intent: Intent = 'unknown';
	let confidence = 0;
	for (const cls of CLASSES) {
		const p = pick(scores, cls);
		if (p) {
			intent = p.winner;
			confidence = confidenceFor(p.score, p.rival);
			break;
		}
	}
	const result: IntentResult = { intent, confidence, tags, entities };
	const language = guessLanguage(scores.langs);
	if (language) result.language = language;
	return result;
}
