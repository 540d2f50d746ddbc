/**
 * Summarise a V8 .cpuprofile (from BENCH_CPU_PROF_DIR): top functions by self time, and total
 * (inclusive) time of frames whose function name or URL matches the filters given.
 *   npx tsx bench/support/cpuprofile.ts <file.cpuprofile> [top=40] [filter ...]
 */
import { readFileSync } from 'fs';

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
	hitCount?: number;
}
interface Profile {
	nodes: Node[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

const [file, topArg, ...filters] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// self time per node from samples × time deltas (µs)
const selfUs = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const short = (url: string) => url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '');
const key = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map<string, number>();
for (const [id, us] of selfUs) {
	const k = key(byId.get(id)!);
	self.set(k, (self.get(k) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`profile ${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s, sampled ${(total / 1e6).toFixed(1)} s`);
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log(`idle ${pct(idle)}; busy ${(((total - idle) / 1e6)).toFixed(1)} s`);
console.log('\nTop self time:');
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 40))) console.log(`${pct(us)} ${k}`);

// Inclusive time: a sample counts once for a filter if any frame on its stack matches.
if (filters.length) {
	console.log('\nInclusive (any frame on the stack matches):');
	const stackHit = new Map<number, boolean[]>();
	const matches = (id: number): boolean[] => {
		const cached = stackHit.get(id);
		if (cached) return cached;
		const n = byId.get(id)!;
		const text = `${n.callFrame.functionName} ${n.callFrame.url}`;
		const up = parent.has(id) ? matches(parent.get(id)!) : filters.map(() => false);
		const res = filters.map((f, i) => up[i] || text.includes(f));
		stackHit.set(id, res);
		return res;
	};
	const inc = filters.map(() => 0);
	for (const [id, us] of selfUs) matches(id).forEach((m, i) => (inc[i] += m ? us : 0));
	filters.forEach((f, i) => console.log(`${pct(inc[i])} (${(inc[i] / 1e6).toFixed(2)} s) ${f}`));
	console.log(`(busy = ${pct(total - idle)})`);
}
