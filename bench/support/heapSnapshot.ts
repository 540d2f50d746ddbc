/**
 * A V8 heap snapshot read by streaming (a snapshot of a large heap is longer than the longest
 * string V8 allows, so JSON.parse cannot take it), and two questions asked of it:
 *   - which kinds of objects grew between two snapshots (count and self size per constructor);
 *   - what keeps an object alive: its shortest path from the GC roots.
 *
 *   tsx bench/support/heapSnapshot.ts <before.heapsnapshot> <after.heapsnapshot> [--under <edge name>]
 */
import { createReadStream } from 'fs';

export interface HeapSnapshot {
	nodeFields: string[];
	nodeTypes: string[];
	edgeFields: string[];
	edgeTypes: string[];
	nodes: Uint32Array;
	edges: Uint32Array;
	strings: string[];
}

class Numbers {
	data = new Uint32Array(1 << 20);
	length = 0;
	push(n: number) {
		if (this.length === this.data.length) {
			const bigger = new Uint32Array(this.data.length * 2);
			bigger.set(this.data);
			this.data = bigger;
		}
		this.data[this.length++] = n;
	}
	done() {
		return this.data.subarray(0, this.length);
	}
}

/** Reads nodes, edges and strings of a snapshot file without holding its text. */
export async function readHeapSnapshot(file: string): Promise<HeapSnapshot> {
	let meta = '';
	let section: 'meta' | 'seek' | 'numbers' | 'strings' | 'skip' | 'done' = 'meta';
	let key = '';
	let numbers: Numbers | undefined;
	const arrays: Record<string, Uint32Array> = {};
	const strings: string[] = [];
	let current = -1;
	let inString = false;
	let escaped = false;
	let raw: string[] = [];
	let pending = '';
	let skipDepth = 0;
	for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
		let text = pending + (chunk as string);
		pending = '';
		let i = 0;
		while (i < text.length) {
			if (section === 'meta') {
				const at = text.indexOf('"nodes":[', i);
				if (at < 0) {
					meta += text.slice(i, text.length - 16);
					pending = text.slice(text.length - 16);
					i = text.length;
					break;
				}
				meta += text.slice(i, at);
				i = at + '"nodes":['.length;
				key = 'nodes';
				numbers = new Numbers();
				section = 'numbers';
				continue;
			}
			if (section === 'seek') {
				// Next `"name":[` at the top level.
				const at = text.indexOf(':[', i);
				if (at < 0) {
					pending = text.slice(Math.max(i, text.length - 64));
					i = text.length;
					break;
				}
				const quoteEnd = text.lastIndexOf('"', at - 1);
				const quoteStart = text.lastIndexOf('"', quoteEnd - 1);
				key = text.slice(quoteStart + 1, quoteEnd);
				i = at + 2;
				skipDepth = 1;
				if (key === 'edges') {
					numbers = new Numbers();
					section = 'numbers';
				} else if (key === 'strings') section = 'strings';
				else section = 'skip';
				continue;
			}
			if (section === 'numbers') {
				for (; i < text.length; i++) {
					const c = text.charCodeAt(i);
					if (c >= 48 && c <= 57) current = (current < 0 ? 0 : current * 10) + (c - 48);
					else {
						if (current >= 0) {
							numbers!.push(current);
							current = -1;
						}
						if (c === 93) {
							arrays[key] = numbers!.done();
							section = 'seek';
							i++;
							break;
						}
					}
				}
				continue;
			}
			if (section === 'skip') {
				// trace_* / samples / locations: flat arrays of numbers (or nested ones we ignore).
				for (; i < text.length && skipDepth > 0; i++) {
					const c = text.charCodeAt(i);
					if (c === 91) skipDepth++;
					else if (c === 93) skipDepth--;
				}
				if (skipDepth === 0) section = 'seek';
				continue;
			}
			if (section === 'strings') {
				for (; i < text.length; i++) {
					const ch = text[i];
					if (inString) {
						if (escaped) {
							escaped = false;
							raw.push(ch);
						} else if (ch === '\\') {
							escaped = true;
							raw.push(ch);
						} else if (ch === '"') {
							inString = false;
							strings.push(JSON.parse(`"${raw.join('')}"`) as string);
							raw = [];
						} else raw.push(ch);
					} else if (ch === '"') inString = true;
					else if (ch === ']') {
						section = 'done';
						break;
					}
				}
				// Join long runs now and then so `raw` stays small.
				if (raw.length > 4096) raw = [raw.join('')];
				if (section === 'done') break;
				continue;
			}
			break;
		}
		if (section === 'done') break;
	}
	const m = JSON.parse(`${meta.slice(meta.indexOf('{'), meta.lastIndexOf('}') + 1)}}`) as {
		snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
	};
	const sm = m.snapshot.meta;
	return { nodeFields: sm.node_fields, nodeTypes: sm.node_types[0], edgeFields: sm.edge_fields, edgeTypes: sm.edge_types[0], nodes: arrays.nodes, edges: arrays.edges, strings };
}

/** What a node is called in summaries: its constructor for objects, its V8 type otherwise. */
function kindOf(s: HeapSnapshot, node: number): string {
	const w = s.nodeFields.length;
	const type = s.nodeTypes[s.nodes[node * w + s.nodeFields.indexOf('type')]];
	const name = s.strings[s.nodes[node * w + s.nodeFields.indexOf('name')]];
	if (type === 'object' || type === 'native') return name;
	if (type === 'closure') return `closure ${name || '(anonymous)'}`;
	if (type === 'hidden' || type === 'synthetic' || type === 'code') return `(${type}) ${name.slice(0, 40)}`;
	return `(${type})`;
}

export function summarize(s: HeapSnapshot): Map<string, { count: number; bytes: number }> {
	const w = s.nodeFields.length;
	const size = s.nodeFields.indexOf('self_size');
	const out = new Map<string, { count: number; bytes: number }>();
	for (let n = 0; n < s.nodes.length / w; n++) {
		const k = kindOf(s, n);
		const e = out.get(k) ?? { count: 0, bytes: 0 };
		e.count++;
		e.bytes += s.nodes[n * w + size];
		out.set(k, e);
	}
	return out;
}

/** Shortest retaining path from the root to every node (BFS over strong edges). */
export function retainers(s: HeapSnapshot): { parent: Int32Array; viaEdge: Int32Array } {
	const w = s.nodeFields.length;
	const ew = s.edgeFields.length;
	const nodeCount = s.nodes.length / w;
	const edgeCountAt = s.nodeFields.indexOf('edge_count');
	const toAt = s.edgeFields.indexOf('to_node');
	const typeAt = s.edgeFields.indexOf('type');
	const weak = s.edgeTypes.indexOf('weak');
	const firstEdge = new Uint32Array(nodeCount + 1);
	for (let n = 0; n < nodeCount; n++) firstEdge[n + 1] = firstEdge[n] + s.nodes[n * w + edgeCountAt] * ew;
	const parent = new Int32Array(nodeCount).fill(-1);
	const viaEdge = new Int32Array(nodeCount).fill(-1);
	const queue = new Uint32Array(nodeCount);
	let head = 0;
	let tail = 0;
	queue[tail++] = 0;
	parent[0] = 0;
	while (head < tail) {
		const n = queue[head++];
		for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += ew) {
			if (s.edges[e + typeAt] === weak) continue;
			const to = s.edges[e + toAt] / w;
			if (parent[to] !== -1) continue;
			parent[to] = n;
			viaEdge[to] = e;
			queue[tail++] = to;
		}
	}
	return { parent, viaEdge };
}

export function pathToRoot(s: HeapSnapshot, r: { parent: Int32Array; viaEdge: Int32Array }, node: number, maxSteps = 14): string {
	const ew = s.edgeFields;
	const typeAt = ew.indexOf('type');
	const nameAt = ew.indexOf('name_or_index');
	const parts: string[] = [];
	let n = node;
	for (let step = 0; step < maxSteps && n > 0 && r.parent[n] >= 0; step++) {
		const e = r.viaEdge[n];
		const edgeType = s.edgeTypes[s.edges[e + typeAt]];
		const label = edgeType === 'element' || edgeType === 'hidden' ? `[${s.edges[e + nameAt]}]` : s.strings[s.edges[e + nameAt]];
		parts.push(`${kindOf(s, n)} ←${edgeType === 'property' ? '' : `(${edgeType})`}${String(label).slice(0, 40)}─ `);
		n = r.parent[n];
	}
	if (r.parent[node] < 0) return `${kindOf(s, node)}: unreachable from root (weak only)`;
	parts.push(kindOf(s, n));
	return parts.join('');
}

function edgeLabel(s: HeapSnapshot, e: number): string {
	const type = s.edgeTypes[s.edges[e + s.edgeFields.indexOf('type')]];
	const nameOrIndex = s.edges[e + s.edgeFields.indexOf('name_or_index')];
	return type === 'element' || type === 'hidden' ? '[]' : String(s.strings[nameOrIndex]);
}

/**
 * Splits the memory held under a collection by what each entry's fields hold: every node whose
 * shortest retaining path runs through an edge named `container` (e.g. n8n's
 * ActiveExecutions.activeExecutions) is counted under the next `depth` edge names below the entry.
 */
export function attributeUnder(s: HeapSnapshot, r: { parent: Int32Array; viaEdge: Int32Array }, container: string, depth = 2) {
	const w = s.nodeFields.length;
	const size = s.nodeFields.indexOf('self_size');
	const out = new Map<string, number>();
	const entries = new Set<number>();
	const chain: number[] = [];
	for (let n = 1; n < s.nodes.length / w; n++) {
		chain.length = 0;
		for (let m = n; m > 0 && r.parent[m] >= 0 && chain.length < 40; m = r.parent[m]) chain.push(m);
		// chain[k] is reached through `container`; chain[k - 1] is an entry; below it, the labels.
		const k = chain.findIndex((m) => edgeLabel(s, r.viaEdge[m]) === container);
		if (k < 1) continue;
		entries.add(chain[k - 1]);
		const labels = [];
		for (let j = k - 2; j >= 0 && labels.length < depth; j--) labels.push(edgeLabel(s, r.viaEdge[chain[j]]));
		const key = labels.join('.') || '(the entry itself)';
		out.set(key, (out.get(key) ?? 0) + s.nodes[n * w + size]);
	}
	return { entries: entries.size, bytesByField: [...out].sort((a, b) => b[1] - a[1]) };
}

async function main() {
	const args = process.argv.slice(2);
	const under = args.indexOf('--under');
	const container = under >= 0 ? args.splice(under, 2)[1] : undefined;
	const [beforeFile, afterFile] = args;
	const before = summarize(await readHeapSnapshot(beforeFile));
	const after = await readHeapSnapshot(afterFile);
	const grown = [...summarize(after)].map(([k, v]) => ({ kind: k, count: v.count - (before.get(k)?.count ?? 0), bytes: v.bytes - (before.get(k)?.bytes ?? 0) })).sort((a, b) => b.bytes - a.bytes);
	const total = grown.reduce((a, g) => a + g.bytes, 0);
	process.stdout.write(`live heap grew ${(total / 2 ** 20).toFixed(1)} MiB\n`);
	for (const g of grown.slice(0, 40)) process.stdout.write(`${(g.bytes / 2 ** 20).toFixed(2).padStart(9)} MiB ${String(g.count).padStart(9)}  ${g.kind}\n`);
	// Retaining paths of a few objects of the kinds that grew most (objects only: strings and
	// arrays are reached through them).
	const r = retainers(after);
	const w = after.nodeFields.length;
	if (container) {
		const { entries, bytesByField } = attributeUnder(after, r, container);
		const total = bytesByField.reduce((a, [, b]) => a + b, 0);
		process.stdout.write(`\nUnder \`${container}\`: ${entries} entries, ${(total / 2 ** 20).toFixed(1)} MiB (${(total / 1024 / Math.max(entries, 1)).toFixed(1)} KiB each), by field:\n`);
		for (const [field, bytes] of bytesByField.slice(0, 15)) process.stdout.write(`${(bytes / 2 ** 20).toFixed(2).padStart(9)} MiB  ${field}\n`);
	}
	const grownObjects = grown.filter((g) => !g.kind.startsWith('(') && g.count > 100).slice(0, 8);
	for (const g of grownObjects) {
		const all: number[] = [];
		for (let n = 0; n < after.nodes.length / w; n++) if (kindOf(after, n) === g.kind) all.push(n);
		process.stdout.write(`\n${g.kind}: +${g.count} (now ${all.length}); paths of 4 of them, evenly spread:\n`);
		for (let k = 1; k <= 4; k++) process.stdout.write(`  ${pathToRoot(after, r, all[Math.floor((all.length * k) / 5)])}\n`);
	}
}

if (require.main === module) {
	main().catch((e) => {
		process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
		process.exit(1);
	});
}
