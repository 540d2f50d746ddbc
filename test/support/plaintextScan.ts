/**
 * Finds guest phone numbers left in plaintext in files (n8n's SQLite database and WAL, logs,
 * binary-data files). Used by the e2e global teardown over the whole n8n user folder, and
 * unit-tested with planted numbers so it cannot pass by finding nothing.
 *
 * A number is looked for as its digits (which also covers `+34…` and `wa_id`-style forms), as a
 * formatted number (`+34 600 12 34 56`, `+34-600-123-456`), and, in binary-data files, as base64
 * of its digits or `+digits` at any of the three byte alignments.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import path from 'path';

export interface PlaintextHit {
	/** The number, masked (`+34•••••••56`), so the report does not repeat it. */
	phone: string;
	file: string;
	/** Byte offset of the match in the file. */
	offset: number;
	/** How it was found: 'digits', 'formatted' or 'base64'. */
	form: 'digits' | 'formatted' | 'base64';
	/** About 80 bytes around the match, the number itself masked, non-printables as '.'. */
	context: string;
}

export interface ScanResult {
	hits: PlaintextHit[];
	phonesChecked: number;
	filesScanned: string[];
	bytesScanned: number;
}

export interface ScanOptions {
	/** Files whose content may be base64 (n8n binary data): also searched for base64 forms. */
	isBinaryData?: (file: string) => boolean;
	/** At most this many hits kept per file (the count of all hits is still right). Default 50. */
	maxHitsPerFile?: number;
}

/** Digits only, e.g. '+34 600-123 456' → '34600123456'; undefined when not 8–15 digits. */
export function phoneDigits(phone: string): string | undefined {
	const digits = phone.replace(/\D/g, '');
	return digits.length >= 8 && digits.length <= 15 ? digits : undefined;
}

export function maskDigits(digits: string): string {
	return `+${digits.slice(0, 2)}${'•'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-2)}`;
}

/** The base64 text that any base64 encoding of a blob containing `text` must contain, per alignment. */
export function base64Cores(text: string): string[] {
	const cores: string[] = [];
	for (let skip = 0; skip < 3; skip++) {
		const part = Buffer.from(text.slice(skip), 'latin1');
		const full = Math.floor(part.length / 3) * 4;
		if (full < 8) continue;
		const b64 = part.toString('base64').slice(0, full);
		cores.push(b64, b64.replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return [...new Set(cores)];
}

const PLAIN_RUN = /\d{8,15}/g;
// Digit groups joined by at most two separators (space, dot, dash, brackets, NBSP), with at least one separator.
const FORMATTED_RUN = /\d{1,6}(?:[ .\-()\u00a0]{1,2}\d{1,6}){1,7}/g;

function contextAround(text: string, start: number, end: number, mask: string): string {
	const before = text.slice(Math.max(0, start - 40), start);
	const after = text.slice(end, end + 40);
	const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '.');
	return `${printable(before)}${mask}${printable(after)}`;
}

/** Scans one buffer; `file` is only used in the hits. */
export function scanBuffer(file: string, data: Buffer, phones: Iterable<string>, options: ScanOptions = {}): PlaintextHit[] {
	const wanted = new Set<string>();
	for (const phone of phones) {
		const digits = phoneDigits(phone);
		if (digits) wanted.add(digits);
	}
	const max = options.maxHitsPerFile ?? 50;
	const hits: PlaintextHit[] = [];
	// latin1: one character per byte, so string indexes are byte offsets.
	const text = data.toString('latin1');
	const add = (digits: string, start: number, end: number, form: PlaintextHit['form']) => {
		if (hits.length >= max) return;
		hits.push({ phone: maskDigits(digits), file, offset: start, form, context: contextAround(text, start, end, maskDigits(digits).slice(1)) });
	};
	let count = 0;
	for (const match of text.matchAll(PLAIN_RUN)) {
		const start = match.index ?? 0;
		// Only whole runs of digits: a number inside a longer id is not that number.
		if (start > 0 && /\d/.test(text[start - 1])) continue;
		const end = start + match[0].length;
		if (end < text.length && /\d/.test(text[end])) continue;
		if (wanted.has(match[0])) {
			count++;
			add(match[0], start, end, 'digits');
		}
	}
	for (const match of text.matchAll(FORMATTED_RUN)) {
		const start = match.index ?? 0;
		if (start > 0 && /\d/.test(text[start - 1])) continue;
		// Any consecutive groups may be the number (e.g. "+34 600 123 456 12:00" or "tel. 34 600…").
		const groups: Array<{ digits: string; start: number; end: number }> = [];
		for (const g of match[0].matchAll(/\d+/g)) {
			groups.push({ digits: g[0], start: start + (g.index ?? 0), end: start + (g.index ?? 0) + g[0].length });
		}
		for (let i = 0; i < groups.length; i++) {
			let joined = '';
			for (let j = i; j < groups.length && joined.length < 15; j++) {
				joined += groups[j].digits;
				// j > i: at least one separator (plain runs were handled above).
				if (j > i && wanted.has(joined)) {
					count++;
					add(joined, groups[i].start, groups[j].end, 'formatted');
				}
			}
		}
	}
	if (options.isBinaryData?.(file)) {
		for (const digits of wanted) {
			for (const form of [digits, `+${digits}`]) {
				for (const core of base64Cores(form)) {
					let at = data.indexOf(core, 0, 'latin1');
					while (at !== -1) {
						count++;
						add(digits, at, at + core.length, 'base64');
						at = data.indexOf(core, at + 1, 'latin1');
					}
				}
			}
		}
	}
	if (count > hits.length && hits.length > 0) hits[hits.length - 1].context += ` (+${count - hits.length} more in this file)`;
	return hits;
}

/** Every regular file under `root` (symlinks not followed), skipping directories `skip` says so. */
export function listFiles(root: string, skip: (dir: string) => boolean = () => false): string[] {
	const out: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) {
				if (!skip(full)) walk(full);
			} else if (entry.isFile()) out.push(full);
		}
	};
	if (statSync(root).isDirectory()) walk(root);
	else out.push(root);
	return out;
}

export function scanFiles(files: string[], phones: Iterable<string>, options: ScanOptions = {}): ScanResult {
	const list = [...new Set([...phones].map(phoneDigits).filter((d): d is string => d !== undefined))];
	const result: ScanResult = { hits: [], phonesChecked: list.length, filesScanned: [], bytesScanned: 0 };
	for (const file of files) {
		let data: Buffer;
		try {
			data = readFileSync(file);
		} catch {
			continue; // removed meanwhile (e.g. SQLite's -shm on close)
		}
		result.filesScanned.push(file);
		result.bytesScanned += data.length;
		result.hits.push(...scanBuffer(file, data, list, options));
	}
	return result;
}

/** A readable report of the hits, one line each. */
export function formatHits(hits: PlaintextHit[]): string {
	return hits.map((h) => `  ${h.phone}  ${h.file} @${h.offset} [${h.form}]  …${h.context}…`).join('\n');
}
