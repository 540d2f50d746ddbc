/**
 * Webhook ingest in ONE real n8n: our Booking Event Trigger (generic platform, HMAC) vs a baseline
 * made only of n8n's own nodes doing the same job (Webhook with raw body → Code that checks the same
 * X-Resort-Signature HMAC and required fields → Respond to Webhook 202/401/422). The same stream of
 * signed valid events goes to each, in alternating rounds, over keep-alive HTTP at a fixed concurrency.
 * Executions are saved to SQLite for both (n8n's default). Prints one JSON line last.
 *
 * Runs once per n8n configuration (BENCH_INGEST_CONFIGS, each on a fresh n8n; the ratio is always
 * ours ÷ baseline on the same n8n): `default` (as installed: one warm expression isolate) and
 * `lazy` (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true). Our trigger's webhook phase takes an isolate,
 * n8n's Webhook node skips it (live-webhooks.js `webhookPhaseNeedsIsolate`); with lazy acquisition
 * an execution takes one only when an expression first needs it, so neither side pays for it in the
 * webhook phase. `pool4` (N8N_EXPRESSION_ENGINE_POOL_SIZE=4) and `legacy` can be asked for.
 */
import { randomUUID } from 'crypto';
import os from 'os';

import type { N8nInstance, WorkflowJson } from '../scripts/n8n-runtime';
import {
	bookingEvent, cpuMeter, machineMeter, createBookingCredentials, dbSizeMb, latencySummary, log, postSigned, round, sleep, startBenchN8n, type Reply,
} from './support/n8n';

const PER_SIDE = Number(process.env.BENCH_INGEST_REQUESTS ?? 1000);
const WARMUP = Number(process.env.BENCH_INGEST_WARMUP ?? 100);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 16);
const ROUNDS = 4; // per side, alternating which side goes first
// BENCH_INGEST_SIDES=ours (or baseline): load one side only, e.g. while profiling it.
const ONLY = process.env.BENCH_INGEST_SIDES;

const CONFIG_ENV: Record<string, Record<string, string>> = {
	default: {},
	pool4: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' },
	legacy: { N8N_EXPRESSION_ENGINE: 'legacy' },
	lazy: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
};
const CONFIGS = (process.env.BENCH_INGEST_CONFIGS ?? 'default,lazy').split(',').filter((c) => c in CONFIG_ENV);

const TYPES = ['booking_started', 'booking_abandoned', 'reservation_confirmed', 'reservation_cancelled', 'checked_in', 'checked_out'];

function baselineCode(secret: string): string {
	return `
const crypto = require('crypto');
const SECRET = ${JSON.stringify(secret)};
const TOLERANCE = 300;
const TYPES = ${JSON.stringify(TYPES)};
const item = $input.first();
const headers = item.json.headers || {};
const reply = (status, body) => [{ json: { status, body } }];

let raw;
const bin = item.binary && item.binary.data;
if (bin && bin.id) raw = (await this.helpers.getBinaryDataBuffer(0, 'data')).toString('utf8');
else if (bin && bin.data) raw = Buffer.from(bin.data, 'base64').toString('utf8');
else raw = JSON.stringify(item.json.body);

const header = String(headers['x-resort-signature'] || '');
if (!header) return reply(401, { error: 'unauthorized', reason: 'missing_signature' });
let t, v1 = [];
for (const part of header.split(',')) {
  const eq = part.indexOf('=');
  const k = part.slice(0, eq).trim(), v = part.slice(eq + 1).trim();
  if (k === 't') t = v; else if (k === 'v1' && /^[0-9a-fA-F]{64}$/.test(v)) v1.push(v);
}
if (!t || !/^\\d{1,12}$/.test(t) || v1.length === 0) return reply(401, { error: 'unauthorized', reason: 'malformed_signature' });
const expected = crypto.createHmac('sha256', SECRET).update(t + '.' + raw).digest();
let ok = false;
for (const c of v1) { const got = Buffer.from(c, 'hex'); if (got.length === expected.length && crypto.timingSafeEqual(got, expected)) ok = true; }
if (!ok) return reply(401, { error: 'unauthorized', reason: 'bad_signature' });
if (Math.abs(Math.floor(Date.now() / 1000) - Number(t)) > TOLERANCE) return reply(401, { error: 'unauthorized', reason: 'stale_timestamp' });

let e;
try { e = JSON.parse(raw); } catch { return reply(400, { error: 'malformed_json' }); }
const errors = [];
const str = (v, max) => typeof v === 'string' && v.trim() !== '' && v.length <= max;
const day = (v) => typeof v === 'string' && /^\\d{4}-\\d{2}-\\d{2}$/.test(v) && !isNaN(Date.parse(v + 'T00:00:00Z'));
if (!e || typeof e !== 'object' || Array.isArray(e)) return reply(422, { error: 'invalid_event', errors: [{ path: '', message: 'must be an object' }] });
if (!TYPES.includes(e.type)) errors.push({ path: 'type', message: 'unknown type' });
if (!str(e.eventId, 200)) errors.push({ path: 'eventId', message: 'required' });
if (!str(e.bookingId, 200)) errors.push({ path: 'bookingId', message: 'required' });
if (typeof e.occurredAt !== 'string' || isNaN(Date.parse(e.occurredAt))) errors.push({ path: 'occurredAt', message: 'must be an ISO time' });
const g = e.guest || {};
if (g.phone !== undefined && !(typeof g.phone === 'string' && /^\\+[1-9]\\d{6,14}$/.test(g.phone))) errors.push({ path: 'guest.phone', message: 'must be E.164' });
const s = e.stay || {};
if (!day(s.checkIn)) errors.push({ path: 'stay.checkIn', message: 'must be YYYY-MM-DD' });
if (!day(s.checkOut)) errors.push({ path: 'stay.checkOut', message: 'must be YYYY-MM-DD' });
else if (day(s.checkIn) && s.checkOut <= s.checkIn) errors.push({ path: 'stay.checkOut', message: 'must be after checkIn' });
if (!Number.isInteger(s.adults) || s.adults < 1) errors.push({ path: 'stay.adults', message: 'at least 1' });
if (s.children !== undefined && (!Number.isInteger(s.children) || s.children < 0)) errors.push({ path: 'stay.children', message: '0 or more' });
if (e.type === 'reservation_confirmed' && !(e.amount && typeof e.amount.value === 'number' && /^[A-Z]{3}$/.test(e.amount.currency || ''))) errors.push({ path: 'amount', message: 'required for reservation_confirmed' });
if (errors.length) return reply(422, { error: 'invalid_event', errors });
return reply(202, { accepted: true, events: [{ eventId: e.eventId, duplicate: false, needsReview: false }] });
`;
}

function oursWorkflow(creds: Awaited<ReturnType<typeof createBookingCredentials>>): WorkflowJson {
	const noOp = (name: string, y: number) => ({ id: randomUUID(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [300, y], parameters: {} });
	return {
		name: 'bench ingest: Booking Event Trigger',
		nodes: [
			{
				id: randomUUID(),
				name: 'Booking Event',
				type: 'n8n-nodes-resort-whatsapp.bookingEventTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { platform: 'generic', authentication: 'signature' },
				credentials: { resortBookingWebhookApi: creds.webhook, resortGuestDataApi: creds.guestData },
			},
			noOp('Accepted', -150),
			noOp('Review Queue', 0),
			noOp('Rejected Events', 150),
		],
		connections: {
			'Booking Event': {
				main: [
					[{ node: 'Accepted', type: 'main', index: 0 }],
					[{ node: 'Review Queue', type: 'main', index: 0 }],
					[{ node: 'Rejected Events', type: 'main', index: 0 }],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

function baselineWorkflow(secret: string, pathName: string): WorkflowJson {
	return {
		name: 'bench ingest: n8n-only baseline',
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: pathName, responseMode: 'responseNode', options: { rawBody: true } },
			},
			{
				id: randomUUID(),
				name: 'Verify and Validate',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [250, 0],
				parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: baselineCode(secret) },
			},
			{
				id: randomUUID(),
				name: 'Respond',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [500, 0],
				parameters: { respondWith: 'json', responseBody: '={{ JSON.stringify($json.body) }}', options: { responseCode: '={{ $json.status }}' } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Verify and Validate', type: 'main', index: 0 }]] },
			'Verify and Validate': { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

async function finishedCount(n8n: N8nInstance, workflowId: string): Promise<number> {
	const q = new URLSearchParams({ filter: JSON.stringify({ workflowId, status: ['success', 'error', 'crashed', 'canceled'] }), limit: '1' });
	const r = await n8n.api.request<{ count: number }>('GET', `/rest/executions?${q.toString()}`);
	return r.count;
}

/** Wait until the workflow's saved, finished executions reach `target` (bounded). */
async function drain(n8n: N8nInstance, workflowId: string, target: number, timeoutMs = 120_000): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	let c = 0;
	for (;;) {
		// n8n can answer 503 "Database is not ready" for a moment when the machine is saturated: ask again.
		c = await finishedCount(n8n, workflowId).catch(() => c);
		if (c >= target || Date.now() > deadline) return c;
		await sleep(100);
	}
}

async function fire(url: string, secret: string, count: number, concurrency: number): Promise<{ replies: Reply[]; seconds: number }> {
	const bodies = Array.from({ length: count }, (_, i) => JSON.stringify(bookingEvent(TYPES[i % TYPES.length])));
	const replies: Reply[] = [];
	let next = 0;
	const t0 = Date.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < bodies.length) {
				const raw = bodies[next++];
				replies.push(await postSigned(url, raw, secret));
			}
		}),
	);
	return { replies, seconds: (Date.now() - t0) / 1000 };
}

async function main() {
	const configs = [];
	for (const config of CONFIGS) {
		log(`n8n configuration ${config}: ${JSON.stringify(CONFIG_ENV[config])}`);
		configs.push({ config, env: CONFIG_ENV[config], ...(await measure(CONFIG_ENV[config])) });
	}
	// The first configuration's figures at the top level, as before (default n8n settings).
	process.stdout.write(`${JSON.stringify({ bench: 'n8n-ingest', n8nVersion: '2.40.7', ...configs[0], configs })}\n`);
}

async function measure(env: Record<string, string>) {
	const n8n = await startBenchN8n({ NODE_FUNCTION_ALLOW_BUILTIN: 'crypto', ...env });
	try {
		const creds = await createBookingCredentials(n8n);
		const oursJson = oursWorkflow(creds);
		const oursId = await n8n.api.createWorkflow(oursJson);
		await n8n.api.activateWorkflow(oursId);
		const pathName = `bench-baseline-${randomUUID().slice(0, 8)}`;
		const baseId = await n8n.api.createWorkflow(baselineWorkflow(creds.secret, pathName));
		await n8n.api.activateWorkflow(baseId);
		const sides = {
			ours: { id: oursId, url: `${n8n.baseUrl}/webhook/${(oursJson.nodes[0] as unknown as { webhookId: string }).webhookId}/booking` },
			baseline: { id: baseId, url: `${n8n.baseUrl}/webhook/${pathName}` },
		} as const;

		// Sanity: both accept a valid event with 202, both refuse a forged one with 401, both refuse an invalid one with 422.
		const sanity: Record<string, number[]> = {};
		for (const [name, side] of Object.entries(sides)) {
			const good = await postSigned(side.url, JSON.stringify(bookingEvent('checked_in')), creds.secret);
			const forged = await postSigned(side.url, JSON.stringify(bookingEvent('checked_in')), 'not-the-secret');
			const bad = await postSigned(side.url, JSON.stringify({ ...bookingEvent('checked_in'), guest: { phone: '600 123', name: 'x' } }), creds.secret);
			sanity[name] = [good.status, forged.status, bad.status];
			if (good.status !== 202) throw new Error(`${name}: valid event got ${good.status}: ${good.body.slice(0, 300)}\n${n8n.logTail(30)}`);
		}
		log(`sanity (valid, forged, invalid): ${JSON.stringify(sanity)}`);
		const expected: Record<string, number> = { ours: 0, baseline: 0 };
		for (const [name, side] of Object.entries(sides)) expected[name] = await drain(n8n, side.id, name === 'ours' ? 2 : 3, 30_000);

		// Warm-up: 200 each, not measured.
		for (const [name, side] of Object.entries(sides)) {
			const w = await fire(side.url, creds.secret, WARMUP, CONCURRENCY);
			expected[name] += w.replies.filter((r) => r.status === 202).length;
			await drain(n8n, side.id, expected[name]);
		}

		const acc: Record<string, { ms: number[]; accepted: number; other: Record<string, number>; seconds: number; drainSeconds: number; cpuPct: number[]; cpuSeconds: number; machinePct: number[]; roundRates: number[]; perProcess: Record<string, number>[] }> = {
			ours: { ms: [], accepted: 0, other: {}, seconds: 0, drainSeconds: 0, cpuPct: [], cpuSeconds: 0, machinePct: [], roundRates: [], perProcess: [] },
			baseline: { ms: [], accepted: 0, other: {}, seconds: 0, drainSeconds: 0, cpuPct: [], cpuSeconds: 0, machinePct: [], roundRates: [], perProcess: [] },
		};
		const per = Math.ceil(PER_SIDE / ROUNDS);
		for (let round_ = 0; round_ < ROUNDS; round_++) {
			const order = round_ % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
			for (const name of order) {
				if (ONLY && ONLY !== name) continue;
				const side = sides[name];
				const a = acc[name];
				const meter = cpuMeter(n8n.pid);
				const machine = machineMeter();
				const t0 = Date.now();
				const { replies, seconds } = await fire(side.url, creds.secret, per, CONCURRENCY);
				a.seconds += seconds;
				a.roundRates.push(round(replies.filter((r) => r.status === 202).length / seconds));
				for (const r of replies) {
					if (r.status === 202) {
						a.accepted++;
						a.ms.push(r.ms);
					} else a.other[r.status] = (a.other[r.status] ?? 0) + 1;
				}
				expected[name] += replies.filter((r) => r.status === 202).length;
				const got = await drain(n8n, side.id, expected[name]);
				const roundSeconds = (Date.now() - t0) / 1000;
				a.drainSeconds += roundSeconds;
				const cpu = meter();
				a.cpuPct.push(cpu.totalPct);
				a.cpuSeconds += (cpu.totalPct / 100) * roundSeconds;
				const busy = machine();
				a.machinePct.push(busy);
				a.perProcess.push(cpu.perProcessPct);
				log(`round ${round_ + 1} ${name}: ${replies.length} req in ${seconds.toFixed(1)}s, saved ${got}/${expected[name]}, n8n group CPU ${cpu.totalPct}%, machine ${busy}% ${JSON.stringify(cpu.perProcessPct)}`);
			}
		}

		const summary = (name: 'ours' | 'baseline') => {
			const a = acc[name];
			return {
				requests: per * ROUNDS,
				accepted: a.accepted,
				nonAccepted: a.other,
				acceptedPerSecond: round(a.accepted / a.seconds),
				// requests / time until every execution of the round is saved (responses can come first)
				completedPerSecond: round(a.accepted / a.drainSeconds),
				acceptedPerSecondByRound: a.roundRates,
				...latencySummary(a.ms),
				n8nCpuPct: round(a.cpuPct.reduce((x, y) => x + y, 0) / a.cpuPct.length),
				// CPU time of the n8n process group (n8n + task runner) per accepted event, until saved: less
				// sensitive to other processes on a shared machine than events/s.
				n8nCpuMsPerEvent: round((a.cpuSeconds * 1000) / a.accepted),
				machineCpuPct: round(a.machinePct.reduce((x, y) => x + y, 0) / a.machinePct.length),
				perProcessCpuPct: a.perProcess,
			};
		};
		const ours = summary('ours');
		const baseline = summary('baseline');
		return {
			concurrency: CONCURRENCY,
			warmupPerSide: WARMUP,
			rounds: ROUNDS,
			sanityStatuses: sanity,
			ours,
			baseline,
			ratio: {
				throughput: round(ours.acceptedPerSecond / baseline.acceptedPerSecond, 2),
				completedThroughput: round(ours.completedPerSecond / baseline.completedPerSecond, 2),
				p99: round(ours.p99ms / baseline.p99ms, 2),
				cpuPerEvent: round(ours.n8nCpuMsPerEvent / baseline.n8nCpuMsPerEvent, 2),
			},
			dbSizeMb: dbSizeMb(n8n.userFolder),
			cores: os.cpus().length,
		};
	} finally {
		await n8n.stop();
	}
}

main().catch((e) => {
	log(String(e instanceof Error ? e.stack : e));
	process.exit(1);
});
