/**
 * Small seeded generators for fuzzing webhook endpoints (no property-testing library): a PRNG,
 * broken-JSON and wrong-type mutators, unicode edge cases, deep nesting, and a keep-alive HTTP
 * sender with bounded concurrency. Everything is reproducible from the seed.
 */
import http from 'http';

export interface Rng {
	next(): number;
	int(lo: number, hi: number): number;
	pick<T>(items: readonly T[]): T;
	chance(p: number): boolean;
	hex(bytes: number): string;
}

/** mulberry32: tiny, fast, good enough to drive a fuzzer reproducibly. */
export function rng(seed: number): Rng {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
	return {
		next,
		int,
		pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
		chance: (p: number) => next() < p,
		hex: (bytes: number) => Array.from({ length: bytes }, () => int(0, 255).toString(16).padStart(2, '0')).join(''),
	};
}

/** Characters that break naive string handling: bidi controls, zero-width, BOM, lone surrogates, emoji. */
export const UNICODE_EDGE: readonly string[] = [
	'\u200f', // RTL mark
	'\u202e', // RTL override
	'\u2066', // LTR isolate
	'\u200b', // zero-width space
	'\u200d', // zero-width joiner
	'\u2060', // word joiner
	'\ufeff', // BOM / ZWNBSP
	'\ud800', // lone high surrogate
	'\udfff', // lone low surrogate
	'\u0000',
	'\u2028',
	'\u2029',
	'\uffff',
	'😀',
	'👨‍👩‍👧‍👦',
	'🇪🇸',
	'e\u0301',
	'𝕏',
	'ﷺ',
	'مرحبا',
	'שלום',
	'\u0301\u0301\u0301',
];

export function unicodeString(r: Rng, maxParts = 12): string {
	let out = '';
	const parts = r.int(1, maxParts);
	for (let i = 0; i < parts; i++) out += r.chance(0.25) ? r.pick(['a', 'Lucía', ' ', '+34', '"', '\\']) : r.pick(UNICODE_EDGE);
	return out;
}

/** JSON text whose strings carry escaped surrogate halves (`"\ud83d"`), which JSON.parse accepts. */
export function escapedSurrogate(r: Rng): string {
	return r.pick(['\\ud800', '\\udfff', '\\ud83d', '\\ude00\\ud83d', '\\ud83d\\ud83d', '\\u0000', '\\u202e']);
}

const INVALID_UTF8: readonly Buffer[] = [
	Buffer.from([0xff]),
	Buffer.from([0xfe, 0xff]),
	Buffer.from([0xc0, 0x80]), // overlong NUL
	Buffer.from([0xed, 0xa0, 0x80]), // UTF-8-encoded surrogate
	Buffer.from([0xe2, 0x82]), // truncated multibyte
	Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
	Buffer.from([0x80, 0x80, 0x80]),
];

/** A broken variant of a valid JSON text; the kind says how it was broken. */
export function brokenJson(r: Rng, valid: string): { kind: string; body: Buffer } {
	const kind = r.pick([
		'truncated',
		'trailing-garbage',
		'nan',
		'infinity',
		'line-comment',
		'block-comment',
		'bom',
		'invalid-utf8-in-string',
		'invalid-utf8-structural',
		'single-quotes',
		'trailing-comma',
		'empty',
		'whitespace',
		'unquoted-keys',
		'control-char',
		'huge-exponent',
		'concatenated',
		'utf16',
	] as const);
	const cut = r.int(1, Math.max(1, valid.length - 1));
	const b = (s: string) => Buffer.from(s, 'utf8');
	switch (kind) {
		case 'truncated':
			return { kind, body: b(valid.slice(0, cut)) };
		case 'trailing-garbage':
			return { kind, body: b(valid + r.pick(['x', ']', '}', ',', '\u0000', ' garbage', '{}', '"'])) };
		case 'nan':
			return { kind, body: b(valid.replace(/:(\s*)-?\d+(\.\d+)?/, ':NaN')) };
		case 'infinity':
			return { kind, body: b(valid.replace(/:(\s*)-?\d+(\.\d+)?/, r.pick([':Infinity', ':-Infinity']))) };
		case 'line-comment':
			return { kind, body: b(`// comment\n${valid}`) };
		case 'block-comment':
			return { kind, body: b(valid.replace('{', '{/* c */')) };
		case 'bom':
			return { kind, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b(valid)]) };
		case 'invalid-utf8-in-string': {
			// Inside a string value: still JSON after lossy decoding, so it may well parse.
			const at = valid.indexOf('":"') + 3;
			if (at < 3) return { kind, body: Buffer.concat([b(valid), r.pick(INVALID_UTF8)]) };
			return { kind, body: Buffer.concat([b(valid.slice(0, at)), r.pick(INVALID_UTF8), b(valid.slice(at))]) };
		}
		case 'invalid-utf8-structural':
			return { kind, body: Buffer.concat([b(valid.slice(0, cut)), r.pick(INVALID_UTF8), b(valid.slice(cut))]) };
		case 'single-quotes':
			return { kind, body: b(valid.replace(/"/g, "'")) };
		case 'trailing-comma':
			return { kind, body: b(valid.replace(/}$/, ',}')) };
		case 'empty':
			return { kind, body: Buffer.alloc(0) };
		case 'whitespace':
			return { kind, body: b(r.pick([' ', '\n\n', '\t \r\n', '\u00a0'])) };
		case 'unquoted-keys':
			return { kind, body: b(valid.replace(/"([a-zA-Z_]+)":/g, '$1:')) };
		case 'control-char':
			return { kind, body: b(valid.replace('":"', '":"\u0001\u0008\n')) };
		case 'huge-exponent':
			return { kind, body: b(valid.replace(/:(\s*)-?\d+(\.\d+)?/, ':1e999999')) };
		case 'concatenated':
			return { kind, body: b(valid + valid) };
		case 'utf16':
			return { kind, body: Buffer.from(`\ufeff${valid}`, 'utf16le') };
	}
}

type Path = Array<string | number>;

/** Every path in a JSON value (objects and arrays included, not just leaves), root excluded. */
export function allPaths(value: unknown, prefix: Path = []): Path[] {
	if (value === null || typeof value !== 'object') return [];
	const out: Path[] = [];
	const entries: Array<[string | number, unknown]> = Array.isArray(value)
		? value.map((v, i) => [i, v])
		: Object.entries(value as Record<string, unknown>);
	for (const [key, child] of entries) {
		out.push([...prefix, key]);
		out.push(...allPaths(child, [...prefix, key]));
	}
	return out;
}

export function setPath<T>(value: T, path: Path, replacement: unknown): T {
	const copy = JSON.parse(JSON.stringify(value)) as T;
	let node = copy as unknown as Record<string | number, unknown>;
	for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
	const last = path[path.length - 1];
	if (replacement === undefined) {
		if (Array.isArray(node)) node.splice(Number(last), 1);
		else delete node[last];
	} else node[last] = replacement;
	return copy;
}

export function typeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	return typeof value;
}

/** A value whose JSON type differs from the original's (or an odd value of the same type). */
export function wrongValue(r: Rng, original: unknown): unknown {
	const candidates: unknown[] = [
		null,
		0,
		-1,
		1.5,
		1e308,
		-0,
		Number.MAX_SAFE_INTEGER + 2,
		true,
		false,
		'',
		'null',
		'0',
		'true',
		unicodeString(r, 4),
		[],
		[original],
		{},
		{ value: original },
		'x'.repeat(r.int(200, 3000)),
		undefined, // removes the field
	];
	for (;;) {
		const v = r.pick(candidates);
		if (v === undefined || typeOf(v) !== typeOf(original) || r.chance(0.15)) return v;
	}
}

/** Deeply nested JSON text: arrays, objects, or a mix. */
export function deepNest(r: Rng, depth: number): string {
	const kind = r.pick(['array', 'object', 'mixed'] as const);
	if (kind === 'array') return '['.repeat(depth) + ']'.repeat(depth);
	if (kind === 'object') return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
	let open = '';
	let close = '';
	for (let i = 0; i < depth; i++) {
		if (i % 2) {
			open += '[';
			close = ']' + close;
		} else {
			open += '{"k":';
			close = '}' + close;
		}
	}
	return open + 'null' + close;
}

export const CONTENT_TYPES: readonly (string | undefined)[] = [
	undefined,
	'text/plain',
	'application/x-www-form-urlencoded',
	'multipart/form-data; boundary=----fuzz',
	'application/xml',
	'application/octet-stream',
	'application/json; charset=utf-16',
	'application/json; charset=latin1',
	'application/vnd.api+json',
	'image/png',
	';;;',
	'application/json, text/plain',
];

export interface HttpResult {
	status: number;
	text: string;
	error?: string;
}

/** POSTs raw bytes with exact headers over a shared keep-alive agent. Never throws. */
export function postRaw(
	url: string,
	body: Buffer,
	headers: Record<string, string>,
	agent: http.Agent,
	timeoutMs = 60_000,
): Promise<HttpResult> {
	return new Promise((resolve) => {
		const req = http.request(
			url,
			{ method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
				res.on('error', (e) => resolve({ status: res.statusCode ?? 0, text: '', error: String(e) }));
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => resolve({ status: 0, text: '', error: String(e) }));
		req.end(body);
	});
}

/** Runs `task` over every item with at most `concurrency` in flight; results keep input order. */
export async function runPool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		for (;;) {
			const i = next++;
			if (i >= items.length) return;
			results[i] = await task(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
	return results;
}

export function tally(values: readonly (string | number)[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
	return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
