import keywordsData from '../../templates/intent-keywords.json';
import { PARTY_LEXICON } from './entities';
import { normalizeText, tokenize, withinOneEdit } from './normalize';
import type { KeywordIntent, KeywordList, KeywordOverrides, KeywordsFile, Language } from './types';
import { INTENTS, LANGUAGES } from './types';

export const DEFAULT_KEYWORDS = keywordsData as unknown as KeywordsFile;

/** One intent/language pair a keyword belongs to. */
export interface KeywordHit {
	intent: KeywordIntent;
	/** Languages the keyword was listed under (empty = language-neutral). */
	langs: Language[];
	/** `intent` as its index in KEYWORD_INTENTS, and `langs` as indexes in LANGUAGES (for array-based scoring). */
	idx: number;
	langIdx: number[];
}

/** Everything the scanner needs to know about one token of a message, found with one map look-up. */
export interface LexiconEntry {
	/** languages this word hints at (indexes in LANGUAGES) */
	hint: number[] | undefined;
	/** phrases starting with this word, longest first */
	phrases: PhraseEntry[] | undefined;
	/** listed in commonWords: never matched with a typo */
	common: boolean;
	/** party-word code for the entity parser (entities.ts PARTY_LEXICON), 0 if none */
	party: number;
}

export interface PhraseEntry {
	tokens: string[];
	hits: KeywordHit[];
}

export interface PrefixEntry {
	prefix: string;
	hits: KeywordHit[];
}

/** Keywords precompiled into hash maps: built once per keywords object, reused for every message. */
export interface CompiledKeywords {
	/** first token → phrases starting with it, longest first */
	phrases: Map<string, PhraseEntry[]>;
	/** whole-message keywords ('=stop'), keyed by their space-joined tokens */
	whole: Map<string, KeywordHit[]>;
	/** first tokens of the whole-message keywords */
	wholeFirst: Set<string>;
	/** first 4 letters → prefix keywords ('romant*') */
	prefixes: Map<string, PrefixEntry[]>;
	/** symmetric-delete index for typo tolerance: single-word keywords (≥ 5 letters) and their 1-deletions */
	fuzzyIndex: Map<string, string[]>;
	/** the single-word keywords themselves → hits */
	singles: Map<string, KeywordHit[]>;
	/** memo of fuzzy look-ups (bounded) */
	fuzzyMemo: Map<string, KeywordHit[] | null>;
	fillers: Set<string>;
	common: Set<string>;
	hints: Map<string, Language[]>;
	/** hints, phrases and common words merged: one look-up per token */
	lexicon: Map<string, LexiconEntry>;
}

export const KEYWORD_INTENTS = INTENTS.filter((i) => i !== 'unknown') as KeywordIntent[];
const INTENT_INDEX = new Map<KeywordIntent, number>(KEYWORD_INTENTS.map((i, k) => [i, k]));
export const FUZZY_MIN = 5;
const MEMO_MAX = 20000;

function isFile(k: KeywordOverrides | KeywordsFile): k is KeywordsFile {
	return typeof (k as KeywordsFile).intents === 'object' && (k as KeywordsFile).intents !== null;
}

function addHit(list: KeywordHit[], intent: KeywordIntent, lang: Language | undefined): void {
	let h = list.find((x) => x.intent === intent);
	if (!h) {
		h = { intent, langs: [], idx: INTENT_INDEX.get(intent) as number, langIdx: [] };
		list.push(h);
	}
	if (lang && !h.langs.includes(lang)) {
		h.langs.push(lang);
		h.langIdx.push(LANGUAGES.indexOf(lang));
	}
}

function deletions(word: string): string[] {
	const out: string[] = [];
	for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
	return out;
}

class Builder {
	phrases = new Map<string, PhraseEntry[]>();
	whole = new Map<string, KeywordHit[]>();
	prefixes = new Map<string, PrefixEntry[]>();
	singles = new Map<string, KeywordHit[]>();
	fillers = new Set<string>();
	common = new Set<string>();
	hints = new Map<string, Language[]>();

	addKeyword(raw: string, intent: KeywordIntent, lang: Language | undefined): void {
		if (typeof raw !== 'string') return;
		let text = raw.trim();
		if (!text) return;
		let whole = false;
		let prefix = false;
		if (text.startsWith('=')) {
			whole = true;
			text = text.slice(1);
		}
		if (text.endsWith('*')) {
			prefix = true;
			text = text.slice(0, -1);
		}
		const tokens = tokenize(normalizeText(text));
		if (tokens.length === 0) return;
		if (whole) {
			const key = tokens.join(' ');
			const list = this.whole.get(key) ?? [];
			addHit(list, intent, lang);
			this.whole.set(key, list);
			return;
		}
		if (prefix && tokens.length === 1 && tokens[0].length >= 4) {
			const p = tokens[0];
			const key = p.slice(0, 4);
			const list = this.prefixes.get(key) ?? [];
			let e = list.find((x) => x.prefix === p);
			if (!e) {
				e = { prefix: p, hits: [] };
				list.push(e);
			}
			addHit(e.hits, intent, lang);
			this.prefixes.set(key, list);
			return;
		}
		const list = this.phrases.get(tokens[0]) ?? [];
		const joined = tokens.join(' ');
		let e = list.find((x) => x.tokens.join(' ') === joined);
		if (!e) {
			e = { tokens, hits: [] };
			list.push(e);
		}
		addHit(e.hits, intent, lang);
		this.phrases.set(tokens[0], list);
		if (tokens.length === 1) this.singles.set(tokens[0], e.hits);
	}

	addList(intent: KeywordIntent, list: KeywordList | undefined): void {
		if (!list) return;
		if (Array.isArray(list)) {
			for (const k of list) this.addKeyword(k, intent, undefined);
			return;
		}
		const byLang = list as Partial<Record<Language | 'any', readonly string[]>>;
		for (const key of Object.keys(byLang) as (Language | 'any')[]) {
			const words = byLang[key];
			if (!Array.isArray(words)) continue;
			const lang = (LANGUAGES as readonly string[]).includes(key) ? (key as Language) : undefined;
			for (const k of words) this.addKeyword(k, intent, lang);
		}
	}

	addFile(file: KeywordsFile): void {
		for (const w of file.fillers ?? []) for (const t of tokenize(normalizeText(w))) this.fillers.add(t);
		for (const w of file.commonWords ?? []) for (const t of tokenize(normalizeText(w))) this.common.add(t);
		for (const lang of LANGUAGES) {
			for (const w of file.languageHints?.[lang] ?? []) {
				for (const t of tokenize(normalizeText(w))) {
					const l = this.hints.get(t) ?? [];
					if (!l.includes(lang)) l.push(lang);
					this.hints.set(t, l);
				}
			}
		}
		this.addOverrides(file.intents);
	}

	addOverrides(o: KeywordOverrides): void {
		for (const intent of KEYWORD_INTENTS) this.addList(intent, o[intent]);
	}

	build(): CompiledKeywords {
		for (const list of this.phrases.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
		const fuzzyIndex = new Map<string, string[]>();
		const put = (k: string, w: string) => {
			const l = fuzzyIndex.get(k);
			if (!l) fuzzyIndex.set(k, [w]);
			else if (!l.includes(w)) l.push(w);
		};
		for (const w of this.singles.keys()) {
			if (w.length < FUZZY_MIN || !/^[a-z]+$/.test(w)) continue;
			put(w, w);
			for (const d of deletions(w)) put(d, w);
		}
		const lexicon = new Map<string, LexiconEntry>();
		const entry = (w: string): LexiconEntry => {
			let e = lexicon.get(w);
			// every entry gets all fields, in the same order: one object shape keeps the scanner's property reads monomorphic
			if (!e) lexicon.set(w, (e = { hint: undefined, phrases: undefined, common: false, party: 0 }));
			return e;
		};
		for (const [w, langs] of this.hints) entry(w).hint = langs.map((l) => LANGUAGES.indexOf(l));
		for (const [w, list] of this.phrases) entry(w).phrases = list;
		for (const w of this.common) entry(w).common = true;
		for (const [w, code] of PARTY_LEXICON) entry(w).party = code;
		return {
			phrases: this.phrases,
			whole: this.whole,
			wholeFirst: new Set([...this.whole.keys()].map((k) => k.split(' ')[0])),
			prefixes: this.prefixes,
			fuzzyIndex,
			singles: this.singles,
			fuzzyMemo: new Map(),
			fillers: this.fillers,
			common: this.common,
			hints: this.hints,
			lexicon,
		};
	}
}

let defaultCompiled: CompiledKeywords | undefined;
const cache = new WeakMap<object, { extend?: CompiledKeywords; replace?: CompiledKeywords }>();

/**
 * Compile keywords once. Results are cached per `keywords` object (WeakMap), so pass the same
 * object on every call; a new object literal each call would recompile every time.
 */
export function compileKeywords(
	keywords?: KeywordOverrides | KeywordsFile,
	mode: 'extend' | 'replace' = 'extend',
): CompiledKeywords {
	if (!keywords) {
		if (!defaultCompiled) {
			const b = new Builder();
			b.addFile(DEFAULT_KEYWORDS);
			defaultCompiled = b.build();
		}
		return defaultCompiled;
	}
	const replace = mode === 'replace';
	let entry = cache.get(keywords);
	if (!entry) {
		entry = {};
		cache.set(keywords, entry);
	}
	const hit = replace ? entry.replace : entry.extend;
	if (hit) return hit;
	const b = new Builder();
	if (!replace) b.addFile(DEFAULT_KEYWORDS);
	else {
		// keep the language-independent helpers even when replacing the keyword lists
		b.addFile({ ...DEFAULT_KEYWORDS, intents: {} });
	}
	if (isFile(keywords)) b.addFile(keywords);
	else b.addOverrides(keywords);
	const compiled = b.build();
	if (replace) entry.replace = compiled;
	else entry.extend = compiled;
	return compiled;
}

/** Keyword hits for a token that is not a keyword, allowing one typo (tokens ≥ 5 letters only). */
export function fuzzyLookup(ck: CompiledKeywords, token: string): KeywordHit[] | null {
	if (token.length < FUZZY_MIN || ck.common.has(token)) return null;
	return fuzzyLookupUncommon(ck, token);
}

/** The smallest candidate within one edit of token (and with its first letter), or `best` if none is smaller. */
function closest(cands: string[] | undefined, token: string, first: number, best: string | undefined): string | undefined {
	if (!cands) return best;
	for (const w of cands) {
		// typos in the first letter are rare; requiring it avoids "looking" → "booking"
		if (w === best || w.charCodeAt(0) !== first) continue;
		if (withinOneEdit(token, w) && (best === undefined || w < best)) best = w;
	}
	return best;
}

/** fuzzyLookup for a token already known to be ≥ FUZZY_MIN letters and not a common word. */
export function fuzzyLookupUncommon(ck: CompiledKeywords, token: string): KeywordHit[] | null {
	const memo = ck.fuzzyMemo.get(token);
	if (memo !== undefined) return memo;
	const first = token.charCodeAt(0);
	let best = closest(ck.fuzzyIndex.get(token), token, first, undefined);
	if (best === undefined)
		for (let i = 0; i < token.length; i++) best = closest(ck.fuzzyIndex.get(token.slice(0, i) + token.slice(i + 1)), token, first, best);
	const result = best !== undefined ? (ck.singles.get(best) ?? null) : null;
	if (ck.fuzzyMemo.size >= MEMO_MAX) ck.fuzzyMemo.clear();
	ck.fuzzyMemo.set(token, result);
	return result;
}
