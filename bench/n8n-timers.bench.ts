/**
 * Parked Wait timers in a real n8n (issues #6.5 and #10.4): the shipped booking-abandonment
 * workflow (only Settings quiet hours off and the Wait Before Reminder 1 amount changed) gets one
 * signed `booking_started` per journey, each for its own guest and booking; every execution parks
 * in Wait Before Reminder 1 for WAIT_S seconds (> 65 s, so n8n stores it in the database as
 * `waiting`), then sends `booking_reminder_1` to the fake Cloud API.
 *
 * Measured:
 *  - parking: how long posting the events took (closed loop, CONCURRENCY in flight, paused while
 *    more than BACKLOG accepted events are not yet stored as waiting), and when n8n had stored all
 *    of them as waiting;
 *  - lateness of each reminder = its arrival at the fake − due time, due = the time its event's
 *    202 was received + WAIT_S (so it includes the few steps the execution runs before the Wait
 *    node: Settings, Journey, Save/Open Journey), as p50/p95/p99/max, against n8n's wait poll
 *    interval (60 s, n8n/dist/wait-tracker.js; it arms a timer for every wait due within 70 s, so
 *    a wait is late only when n8n cannot run executions as fast as they come due);
 *  - lost (no reminder) and duplicated (more than one) per booking: must be 0;
 *  - RSS (VmRSS, /proc) of the n8n process groups (main + task runner, and queue-mode workers)
 *    before parking, after parking, after all fired, and the highest sample (every 2 s);
 *  - with BENCH_TIMERS_HEAP=1, the live JS heap of every n8n process (heap snapshots,
 *    bench/support/heap.ts) before parking, parked and idle, and after all fired.
 *
 * BENCH_TIMERS_MODE=queue runs n8n in queue mode (main + 2 workers, Postgres, Redis,
 * scripts/n8n-runtime/queueMode.ts) instead of one process on SQLite.
 *
 * Bounds: COUNT journeys requested (BENCH_TIMERS_COUNT, default 10,000), but posting stops when
 * BENCH_TIMERS_PARK_BUDGET_S (default 120 s) has passed, so the bench stays under ~10 min on a small
 * machine; the JSON says how many were requested and how many were parked. WAIT_S
 * (BENCH_TIMERS_WAIT_S) defaults to the park budget + 90 s, so every journey is parked (n8n answers
 * 202 before the execution reaches the Wait node) before the first one is due. Prints one JSON
 * line last.
 */
import { execFileSync } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';

import { startFakeCloudApi } from '../scripts/fake-cloud-api/server';
import { NODE_BIN, type N8nInstance } from '../scripts/n8n-runtime';
import type { QueueModeN8n } from '../scripts/n8n-runtime/queueMode';
import { heapSnapshotNodeOptions, snapshot } from './support/heap';
import { deployAbandonmentJourney } from './support/journeys';
import { groupRssMb, log, machineMeter, percentile, postSigned, round, sleep, startBenchTarget } from './support/n8n';

const COUNT = Number(process.env.BENCH_TIMERS_COUNT ?? 10_000);
const PARK_BUDGET_S = Number(process.env.BENCH_TIMERS_PARK_BUDGET_S ?? 120);
const WAIT_S = Number(process.env.BENCH_TIMERS_WAIT_S ?? Math.max(70, PARK_BUDGET_S + 90));
const CONCURRENCY = Number(process.env.BENCH_TIMERS_CONCURRENCY ?? 4);
/**
 * n8n's N8N_CONCURRENCY_PRODUCTION_LIMIT (webhook-mode executions, which includes resumed waits).
 * 0 = n8n's default (unlimited), the default here: with a limit, n8n 2.40.7 queues a due wait before
 * it changes its status from `waiting`, so each 60 s poll loads the queued backlog again; 10,000
 * parked journeys exhausted a 4 GiB heap that way (docs/journeys.md#many-parked-journeys). Parking
 * is paced by BACKLOG, so without a limit only a few events run at once.
 */
const N8N_CONCURRENCY = Number(process.env.BENCH_TIMERS_N8N_CONCURRENCY ?? 0);
/** Accepted but not yet parked events allowed before posting pauses (BENCH_TIMERS_BACKLOG). */
const BACKLOG = Number(process.env.BENCH_TIMERS_BACKLOG ?? 16);
const MODE = process.env.BENCH_TIMERS_MODE === 'queue' ? 'queue' : 'regular';
const HEAP = process.env.BENCH_TIMERS_HEAP === '1';
/** n8n 2.40.7 WaitTracker: setInterval(getWaitingExecutions, 60000), look-ahead 70 s. */
const WAIT_POLL_INTERVAL_S = 60;

async function executionCount(n8n: N8nInstance, workflowId: string, status: string): Promise<number> {
	const q = new URLSearchParams({ filter: JSON.stringify({ workflowId, status: [status] }), limit: '1' });
	const r = await n8n.api.request<{ count: number; estimated?: boolean }>('GET', `/rest/executions?${q.toString()}`);
	return r.count;
}

/**
 * waitTill of every waiting execution of the workflow, by booking id, read straight from n8n's
 * SQLite file (read-only) with Node 24's node:sqlite from the n8n runtime: the REST list does not
 * say which booking an execution is for, and fetching 10,000 executions one by one would load n8n.
 */
function waitTillByBooking(userFolder: string, workflowId: string): Map<string, number> {
	const script = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1], { readOnly: true });
db.exec('PRAGMA busy_timeout = 10000');
const rows = db.prepare("SELECT e.waitTill AS waitTill, d.data AS data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? AND e.status = 'waiting'").all(process.argv[2]);
process.stdout.write(JSON.stringify(rows.map((r) => [r.waitTill, (/bk-[0-9]{5}-[0-9a-f]{6}/.exec(r.data) || [null])[0]])));`;
	const out = execFileSync(NODE_BIN, ['--no-warnings', '-e', script, path.join(userFolder, '.n8n', 'database.sqlite'), workflowId], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
	const map = new Map<string, number>();
	for (const [waitTill, bookingId] of JSON.parse(out) as Array<[string, string | null]>) {
		if (bookingId) map.set(bookingId, Date.parse(`${waitTill.replace(' ', 'T')}Z`));
	}
	return map;
}

/** The same from Postgres in queue mode. */
function waitTillByBookingPostgres(n8n: QueueModeN8n, workflowId: string): Map<string, number> {
	const rows = n8n.postgres.psql(
		`SELECT (extract(epoch from e."waitTill") * 1000)::bigint, substring(d.data from 'bk-[0-9]{5}-[0-9a-f]{6}') FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${workflowId.replace(/'/g, '')}' AND e.status = 'waiting'`,
	);
	const map = new Map<string, number>();
	for (const [waitTill, bookingId] of rows) if (bookingId) map.set(bookingId, Number(waitTill));
	return map;
}

async function main() {
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1' });
	const heapDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-timers-heap-'));
	const env: Record<string, string> = {
		...(N8N_CONCURRENCY > 0 ? { N8N_CONCURRENCY_PRODUCTION_LIMIT: String(N8N_CONCURRENCY) } : {}),
		...(HEAP ? heapSnapshotNodeOptions(heapDir) : {}),
	};
	const { n8n, queue, processes } = await startBenchTarget(MODE, env);
	const rss = () => {
		const byProcess = Object.fromEntries(processes.map((p) => [p.name, groupRssMb(p.pid)]));
		return { totalMb: round(Object.values(byProcess).reduce((a, r) => a + r.totalMb, 0)), byProcess };
	};
	const liveHeap = async (label: string) => {
		if (!HEAP) return undefined;
		const shots = await snapshot(processes, heapDir, label, label);
		return { totalMb: round(Object.values(shots).reduce((a, x) => a + x.liveMb, 0)), byProcessMb: Object.fromEntries(Object.entries(shots).map(([k, v]) => [k, v.liveMb])) };
	};
	const machine = machineMeter();
	let peakRss = 0;
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, rss().totalMb);
	}, 2000);
	try {
		const { tenant, creds, main, url } = await deployAbandonmentJourney(n8n, fake, { amount: WAIT_S, unit: 'seconds' });
		await sleep(3000);
		const heapBefore = await liveHeap('before-parking');
		const rssBefore = rss();
		log(`RSS before parking: ${JSON.stringify(rssBefore)}`);

		// ---- park: closed loop, CONCURRENCY requests in flight, until COUNT or the budget is spent
		const dueAt = new Map<string, number>();
		const statuses: Record<string, number> = {};
		const t0 = Date.now();
		const stopAt = t0 + PARK_BUDGET_S * 1000;
		let next = 0;
		// Keep at most BACKLOG accepted events not yet parked, so posting follows n8n's pace and an
		// event's 202 time stays close to the moment its execution reaches the Wait node.
		let waitingNow = 0;
		let polling = false;
		const poller = setInterval(() => {
			if (polling) return;
			polling = true;
			executionCount(n8n, main.id, 'waiting')
				.then((c) => (waitingNow = c))
				.catch(() => undefined)
				.finally(() => (polling = false));
		}, 1000);
		const worker = async () => {
			while (next < COUNT && Date.now() < stopAt) {
				if (dueAt.size - waitingNow > BACKLOG) {
					await sleep(200);
					continue;
				}
				const i = next++;
				const bookingId = `bk-${String(i).padStart(5, '0')}-${randomBytes(3).toString('hex')}`;
				const raw = JSON.stringify({
					eventId: `evt-${randomUUID()}`,
					type: 'booking_started',
					occurredAt: new Date().toISOString(),
					bookingId,
					guest: { phone: `+346${String(i).padStart(8, '0')}`, name: `Guest${i} Bench`, language: ['en', 'es', 'pt'][i % 3], marketingConsent: true, timeZone: 'Europe/Madrid' },
					stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: 2, children: 1, accommodationId: 'family-suite' },
					source: 'direct',
					bookingUrl: `https://book.example-resort.com/resume/${bookingId}`,
				});
				const reply = await postSigned(url, raw, creds.secret, 120_000);
				statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
				if (reply.status === 202) dueAt.set(bookingId, Date.now() + WAIT_S * 1000);
				if (i > 0 && i % 250 === 0) log(`posted ${i} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
			}
		};
		await Promise.all(Array.from({ length: CONCURRENCY }, worker));
		clearInterval(poller);
		const postSeconds = (Date.now() - t0) / 1000;
		const parked = dueAt.size;
		log(`accepted ${parked} of ${next} posted (${JSON.stringify(statuses)}) in ${postSeconds.toFixed(1)} s`);
		const firstDue = Math.min(...dueAt.values());
		let waiting = 0;
		for (;;) {
			waiting = await executionCount(n8n, main.id, 'waiting');
			if (waiting >= parked || Date.now() > firstDue - 5000) break;
			await sleep(1000);
		}
		const allWaitingSeconds = (Date.now() - t0) / 1000;
		const waitTill = queue ? waitTillByBookingPostgres(queue, main.id) : waitTillByBooking(n8n.userFolder, main.id);
		const rssParked = rss();
		log(`${waiting} executions waiting ${allWaitingSeconds.toFixed(1)} s after the first post; RSS ${JSON.stringify(rssParked)}`);
		// RSS right after parking still holds the garbage of thousands of executions; the memory the
		// parked journeys cost is what is left once n8n has been idle a while (up to 60 s, before any is due).
		const settleUntil = Math.min(Date.now() + 60_000, firstDue - 10_000);
		let rssParkedSettled = rssParked.totalMb;
		while (Date.now() < settleUntil) {
			await sleep(2000);
			rssParkedSettled = Math.min(rssParkedSettled, rss().totalMb);
		}
		log(`RSS parked and idle: ${rssParkedSettled} MiB`);
		const heapParked = Date.now() < firstDue - 40_000 ? await liveHeap('parked-idle') : undefined;

		// ---- fire: collect reminder arrivals until every booking has one, or a deadline
		const lastDue = Math.max(...dueAt.values());
		const deadline = lastDue + Math.max(120_000, parked * 200);
		const arrivals = () => {
			const byBooking = new Map<string, number[]>();
			for (const r of fake.requests({ phoneNumberId: tenant.phoneNumberId })) {
				if (r.kind !== 'messages' || r.method !== 'POST') continue;
				const template = (r.body as { template?: { name?: string; components?: Array<{ parameters?: Array<{ text?: string }> }> } }).template;
				if (template?.name !== 'booking_reminder_1') continue;
				const bookingId = String(template.components?.[1]?.parameters?.[0]?.text ?? '').replace(/^resume\//, '');
				byBooking.set(bookingId, [...(byBooking.get(bookingId) ?? []), Date.parse(r.at)]);
			}
			return byBooking;
		};
		let seen = arrivals();
		let lastLog = Date.now();
		while (Date.now() < deadline && [...dueAt.keys()].some((id) => !seen.has(id))) {
			await sleep(2000);
			seen = arrivals();
			if (Date.now() - lastLog > 30_000) {
				lastLog = Date.now();
				log(`${seen.size}/${parked} reminders arrived; RSS ${rss().totalMb} MiB`);
			}
		}
		// Let stragglers and any duplicate arrive, and n8n finish saving.
		for (let i = 0; i < 30 && (await executionCount(n8n, main.id, 'waiting')) + (await executionCount(n8n, main.id, 'running')) > 0; i++) await sleep(1000);
		await sleep(5000);
		seen = arrivals();
		const rssFired = rss();
		clearInterval(sampler);
		const heapFired = await liveHeap('all-fired');

		const lateness: number[] = [];
		const vsWaitTill: number[] = [];
		let lost = 0;
		let duplicated = 0;
		for (const [bookingId, due] of dueAt) {
			const times = seen.get(bookingId);
			if (!times) {
				lost++;
				continue;
			}
			if (times.length > 1) duplicated += times.length - 1;
			lateness.push(Math.min(...times) - due);
			const till = waitTill.get(bookingId);
			if (till !== undefined) vsWaitTill.push(Math.min(...times) - till);
		}
		const unknown = [...seen.keys()].filter((id) => !dueAt.has(id)).length;
		const seconds = (ms: number[]) => {
			const sorted = [...ms].sort((a, b) => a - b);
			const at = (p: number) => round(percentile(sorted, p) / 1000, 2);
			return { p50: at(50), p95: at(95), p99: at(99), max: at(100), min: round((sorted[0] ?? NaN) / 1000, 2), count: sorted.length };
		};
		const result = {
			bench: 'n8n-timers',
			n8nVersion: '2.40.7',
			mode: MODE === 'queue' ? 'queue (main + 2 workers, Postgres, Redis)' : 'regular (one process, SQLite)',
			requested: COUNT,
			posted: next,
			parked,
			webhookStatuses: statuses,
			concurrency: CONCURRENCY,
			maxBacklog: BACKLOG,
			n8nProductionConcurrencyLimit: N8N_CONCURRENCY > 0 ? N8N_CONCURRENCY : 'unlimited',
			parkBudgetSeconds: PARK_BUDGET_S,
			waitSeconds: WAIT_S,
			postSeconds: round(postSeconds),
			parkedPerSecond: round(parked / postSeconds),
			allWaitingAfterSeconds: round(allWaitingSeconds),
			waitingInDatabase: waiting,
			fired: lateness.length,
			lost,
			duplicated,
			unknownBookings: unknown,
			latenessSeconds: seconds(lateness),
			latenessVsWaitTillSeconds: seconds(vsWaitTill),
			acceptedToWaitTillSeconds: seconds([...dueAt].filter(([id]) => waitTill.has(id)).map(([id, due]) => waitTill.get(id)! - due)),
			waitPollIntervalSeconds: WAIT_POLL_INTERVAL_S,
			firedWithinOnePollInterval: lateness.filter((ms) => ms <= WAIT_POLL_INTERVAL_S * 1000).length,
			firedWithinOnePollIntervalOfWaitTill: vsWaitTill.filter((ms) => ms <= WAIT_POLL_INTERVAL_S * 1000).length,
			fireSpanSeconds: round((Math.max(...[...seen.values()].flat()) - firstDue) / 1000),
			rssMb: { beforeParking: rssBefore.totalMb, afterParking: rssParked.totalMb, parkedIdle: rssParkedSettled, afterFired: rssFired.totalMb, peakSampled: peakRss },
			rssByProcessMb: { beforeParking: rssBefore.byProcess, afterParking: rssParked.byProcess, afterFired: rssFired.byProcess },
			liveHeapMb: HEAP ? { beforeParking: heapBefore, parkedIdle: heapParked, afterFired: heapFired } : undefined,
			machineCpuPct: machine(),
			totalSeconds: round((Date.now() - t0) / 1000),
			clockNote:
				'latenessSeconds: arrival − (202 received + wait), both Date.now() in this process (the fake runs in-process); latenessVsWaitTillSeconds: arrival − the waitTill n8n stored for that execution (n8n runs on the same machine clock); acceptedToWaitTillSeconds: waitTill − (202 received + wait), i.e. how long after its 202 the execution reached the Wait node',
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} finally {
		clearInterval(sampler);
		await n8n.stop();
		await fake.close();
		rmSync(heapDir, { recursive: true, force: true });
	}
}

main().catch((e) => {
	log(String(e instanceof Error ? e.stack : e));
	process.exit(1);
});
