/**
 * `npm run bench`: runs every bench/*.bench.ts one after another in its own process (so one
 * benchmark's garbage does not slow the next), and writes BENCHMARKS.md with the machine it ran
 * on. Each bench prints one JSON line last; goals are compared as ratios from this same run.
 */
import { execFileSync } from 'child_process';
import { readdirSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

const root = path.resolve(__dirname, '..');
const benches = readdirSync(path.join(root, 'bench')).filter((file) => file.endsWith('.bench.ts')).sort();

type Result = Record<string, unknown>;
const results: Record<string, Result> = {};
for (const file of benches) {
	process.stdout.write(`running bench/${file}…\n`);
	const output = execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join('bench', file)], {
		cwd: root,
		encoding: 'utf8',
		timeout: 10 * 60 * 1000,
	});
	const last = output.trim().split('\n').at(-1) ?? '{}';
	results[file] = JSON.parse(last) as Result;
	process.stdout.write(`${last}\n`);
}

const ratio = (value: number, goal: number) => `${(value / goal).toFixed(2)}×`;
const rows: string[] = [];
const intent = results['intent.bench.ts'];
if (intent) {
	const perSecond = Number(intent.messagesPerSecond);
	rows.push(`| Intent classification (one core, ${intent.avgWords}-word messages) | ${perSecond.toLocaleString('en')} messages/s | ≥ 100,000/s | ${ratio(perSecond, 100_000)} |`);
}
const catalog = results['catalog.bench.ts'];
if (catalog) {
	const p99 = Number(catalog.p99us);
	rows.push(`| Catalog lookup, ${Number(catalog.accommodations).toLocaleString('en')} accommodations | p50 ${catalog.p50us} µs, p99 ${p99} µs | p99 < 1,000 µs | ${ratio(1000, p99)} headroom |`);
}
const signature = results['signature.bench.ts'];
if (signature) {
	for (const r of signature.results as Array<Record<string, number>>) {
		rows.push(`| Booking webhook signature check, ${r.bodyBytes.toLocaleString('en')}-byte body | ${r.perSecond.toLocaleString('en')} verifications/s (${r.microsPerVerify} µs) | — | — |`);
	}
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
writeFileSync(
	path.join(root, 'BENCHMARKS.md'),
	`# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${os.cpus().length} × ${cpu},
${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at the end ${load}. The machine is
shared, so absolute numbers move between runs; compare the ratios, which come from one run.

## Pure cores (no n8n)

| what | measured | goal | measured ÷ goal |
|---|---|---|---|
${rows.join('\n')}

What limits them:
- **Intent**: messages with dates spend most of their time in date parsing (luxon); messages without digits skip it.
  The keyword index is compiled once per keyword set and cached.
- **Catalog**: an index per catalog object (built once, cached) and a partial top-k selection instead of a full sort.
- **Signature**: HMAC-SHA256 over the whole body, so time grows with body size.

## In a real n8n

Not measured yet: webhook ingest against a Webhook + Crypto baseline, webhook-to-WhatsApp latency, sending
throughput against the 80 messages/s limit, and parked Wait timers (see the open performance issue).

Raw results of this run:

\`\`\`json
${JSON.stringify(results, null, 2)}
\`\`\`
`,
);
process.stdout.write('wrote BENCHMARKS.md\n');
