/**
 * Text normalisation shared by keyword compilation and message classification, so both sides
 * of every comparison go through exactly the same transformation.
 *
 * normalizeText: lowercase, strip accents (NFD + drop combining marks), fold ß/æ/œ/ø,
 * and collapse runs of the same letter to one letter ("holaaaa" → "hola", "hello" → "helo",
 * "settembre" → "setembre"). Digits and punctuation are kept (the date parser needs them).
 */

const COMBINING = /[\u0300-\u036f]/g;
const SPECIAL = /[ßæœø’‘`´–—]/;

function isAsciiOnly(s: string): boolean {
	for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
	return true;
}

/** The original, general path: any Unicode input. */
function normalizeSlow(lower: string): string {
	let s = lower;
	if (!isAsciiOnly(s)) s = foldNonAscii(s);
	return collapseRepeats(s);
}

/** NFD, drop combining accents, fold ß/æ/œ/ø, typographic quotes and dashes. */
function foldNonAscii(lower: string): string {
	const s = lower.normalize('NFD').replace(COMBINING, '');
	if (!SPECIAL.test(s)) return s;
	return s
		.replace(/ß/g, 'ss')
		.replace(/æ/g, 'ae')
		.replace(/œ/g, 'oe')
		.replace(/ø/g, 'o')
		.replace(/[’‘`´]/g, "'")
		.replace(/[–—]/g, '-');
}

/** collapse repeated letters (a-z only; digits are never collapsed) */
function collapseRepeats(s: string): string {
	let needs = false;
	for (let i = 1; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c === s.charCodeAt(i - 1) && c >= 97 && c <= 122) {
			needs = true;
			break;
		}
	}
	if (!needs) return s;
	let out = '';
	let prev = -1;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c === prev && c >= 97 && c <= 122) continue;
		prev = c;
		out += s[i];
	}
	return out;
}

/*
 * Fast path. After toLowerCase, the general path maps every character on its own (NFD, drop marks,
 * fold ß/æ/œ/ø/quotes/dashes), so for the characters that matter here (Latin-1, Latin Extended-A/B,
 * typographic quotes and dashes) the result of that path is tabulated once, from the general path
 * itself. A table entry is kept only when its result has no combining mark left (so NFD's reordering
 * of marks across neighbouring characters cannot matter). A message with any other non-ASCII
 * character (emoji, Greek, combining marks…) takes the general path, as does one mixing a backtick
 * with non-ASCII text (the general path folds the backtick only in non-ASCII messages).
 */
const FOLD = new Map<number, string>();
{
	const codes: number[] = [0x2013, 0x2014, 0x2018, 0x2019];
	for (let c = 0x80; c < 0x250; c++) codes.push(c);
	for (const c of codes) {
		const ch = String.fromCharCode(c);
		if (ch.toLowerCase() !== ch) continue; // only characters that can appear after toLowerCase
		const r = foldNonAscii(ch);
		let ok = true;
		for (let i = 0; i < r.length; i++) if (r.charCodeAt(i) >= 0x300) ok = false;
		if (ok) FOLD.set(c, r);
	}
}

/** normalizeText without the fast path (reference for tests; same result for every input). */
export function normalizeTextGeneral(input: string): string {
	return normalizeSlow(input.toLowerCase());
}

export function normalizeText(input: string): string {
	const s = input.toLowerCase();
	const n = s.length;
	let out = '';
	let seg = 0; // s[seg, i) is still to be copied to out
	let prev = -1;
	let nonAscii = false;
	let backtick = false;
	for (let i = 0; i < n; i++) {
		const c = s.charCodeAt(i);
		if (c < 128) {
			if (c === prev && c >= 97 && c <= 122) {
				out += s.slice(seg, i);
				seg = i + 1;
				continue;
			}
			if (c === 96) backtick = true;
			prev = c;
			continue;
		}
		const r = FOLD.get(c);
		if (r === undefined) return normalizeSlow(s);
		nonAscii = true;
		out += s.slice(seg, i);
		seg = i + 1;
		for (let j = 0; j < r.length; j++) {
			const rc = r.charCodeAt(j);
			if (rc === prev && rc >= 97 && rc <= 122) continue;
			prev = rc;
			out += r[j];
		}
	}
	if (backtick && nonAscii) return normalizeSlow(s);
	return seg === 0 ? s : out + s.slice(seg);
}

/** Emoji modifiers that carry no meaning for us: variation selectors, ZWJ, skin tones. */
function isIgnorableCodePoint(cp: number): boolean {
	return cp === 0xfe0f || cp === 0xfe0e || cp === 0x200d || (cp >= 0x1f3fb && cp <= 0x1f3ff);
}

/** Symbols (emoji, pictographs, currency signs) become one-character tokens. */
function isSymbolToken(cp: number): boolean {
	return cp >= 0x2190 || cp === 0x24 /* $ */ || cp === 0xa3 /* £ */ || cp === 0x20ac /* € */;
}

/** 1 for a-z, 2 for 0-9, 0 for every other ASCII character. */
const ASCII_KIND = new Uint8Array(128);
for (let c = 97; c <= 122; c++) ASCII_KIND[c] = 1;
for (let c = 48; c <= 57; c++) ASCII_KIND[c] = 2;

/**
 * Split normalised text into tokens: runs of [a-z] letters, runs of digits (a letter/digit switch
 * splits: "3nights" → "3","nights"), and single emoji/currency symbols. Everything else separates.
 */
export function tokenize(norm: string): string[] {
	const tokens: string[] = [];
	const n = norm.length;
	let i = 0;
	while (i < n) {
		const c = norm.charCodeAt(i);
		if (c < 128) {
			const k = ASCII_KIND[c];
			if (k !== 0) {
				// a run of letters or of digits
				const start = i++;
				while (i < n) {
					const d = norm.charCodeAt(i);
					if (d >= 128 || ASCII_KIND[d] !== k) break;
					i++;
				}
				tokens.push(norm.slice(start, i));
				continue;
			}
			if (c === 0x24) tokens.push('$');
			i++;
			continue;
		}
		let cp = c;
		let len = 1;
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
			cp = norm.codePointAt(i) as number;
			len = 2;
		}
		if (!isIgnorableCodePoint(cp) && isSymbolToken(cp)) tokens.push(norm.slice(i, i + len));
		i += len;
	}
	return tokens;
}

/** Optimal-string-alignment distance ≤ 1 (one insertion, deletion, substitution or adjacent swap). */
export function withinOneEdit(a: string, b: string): boolean {
	const la = a.length;
	const lb = b.length;
	if (Math.abs(la - lb) > 1) return false;
	let i = 0;
	while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
	if (la === lb) {
		if (i === la) return true;
		// substitution
		if (a.slice(i + 1) === b.slice(i + 1)) return true;
		// adjacent transposition
		return (
			i + 1 < la &&
			a.charCodeAt(i) === b.charCodeAt(i + 1) &&
			a.charCodeAt(i + 1) === b.charCodeAt(i) &&
			a.slice(i + 2) === b.slice(i + 2)
		);
	}
	return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
