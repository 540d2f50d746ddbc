/**
 * Does a parked journey cost n8n memory? The timers bench reports RSS, which V8 does not hand back
 * promptly, so it cannot tell live memory from garbage. This probe asks V8 itself: n8n runs with
 * `--heapsnapshot-signal=SIGUSR2`; a heap snapshot first runs a full garbage collection and then
 * holds only reachable objects, so the sum of its nodes' self sizes is the live JS heap.
 *
 * Steps: start n8n (SQLite) and the fake Cloud API, deploy the shipped booking-abandonment
 * workflow with Wait Before Reminder 1 = 2 h (stored in the database as `waiting`), snapshot;
 * park COUNT journeys (signed booking_started, BACKLOG-paced like the timers bench); idle 30 s;
 * snapshot again. Nothing comes due while it runs. Prints one JSON line.
 *
 *   tsx bench/support/timersHeapProbe.ts        (BENCH_HEAP_COUNT, default 2000)
 *
 * BENCH_HEAP_MODE=queue runs n8n in queue mode instead (main + 2 workers, Postgres, Redis:
 * scripts/n8n-runtime/queueMode.ts) and snapshots every process.
 *
 * BENCH_HEAP_KEEP_DIR=<dir> keeps the snapshots there (baseline-main.heapsnapshot,
 * parked-main.heapsnapshot, …-worker1 …) for `tsx bench/support/heapSnapshot.ts <baseline> <parked>`, which lists
 * what grew and what retains it.
 */
import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';

import { randomBytes } from 'crypto';
import { startFakeCloudApi } from '../../scripts/fake-cloud-api/server';
import type { N8nInstance } from '../../scripts/n8n-runtime';
import { bookingEventBody } from '../../scripts/n8n-runtime/bookingEvents';
import { deployAbandonmentJourney } from './journeys';
import { snapshot } from './heap';
import { log, postSigned, round, sleep, startBenchTarget } from './n8n';

const COUNT = Number(process.env.BENCH_HEAP_COUNT ?? 2000);
const MODE = process.env.BENCH_HEAP_MODE === 'queue' ? 'queue' : 'regular';
const CONCURRENCY = 4;
const BACKLOG = 16;

async function executionCount(n8n: N8nInstance, workflowId: string, status: string): Promise<number> {
	const q = new URLSearchParams({ filter: JSON.stringify({ workflowId, status: [status] }), limit: '1' });
	return (await n8n.api.request<{ count: number }>('GET', `/rest/executions?${q.toString()}`)).count;
}

async function main() {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'n8n-heap-'));
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1' });
	const nodeOptions = { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}` };
	const { n8n, processes } = await startBenchTarget(MODE, nodeOptions);
	try {
		const { creds, main, url } = await deployAbandonmentJourney(n8n, fake, { amount: 2, unit: 'hours' });
		// Warm up: a few journeys so code paths, caches and the isolate pool exist before the baseline.
		for (let i = 0; i < 20; i++) {
			const body = bookingEventBody('booking_started', { bookingId: `bk-warm-${i}-${randomBytes(3).toString('hex')}`, phone: `+345${String(i).padStart(8, '0')}`, name: `Warm${i} Probe`, language: 'en' });
			await postSigned(url, JSON.stringify(body), creds.secret, 120_000);
		}
		while ((await executionCount(n8n, main.id, 'waiting')) < 20) await sleep(500);
		await sleep(10_000);
		const baseline = await snapshot(processes, dir, 'after 20 parked (baseline)', 'baseline', process.env.BENCH_HEAP_KEEP_DIR);

		let next = 0;
		let accepted = 0;
		let waitingNow = 20;
		const t0 = Date.now();
		const poller = setInterval(() => void executionCount(n8n, main.id, 'waiting').then((c) => (waitingNow = c), () => undefined), 1000);
		const worker = async () => {
			while (next < COUNT) {
				if (20 + accepted - waitingNow > BACKLOG) {
					await sleep(200);
					continue;
				}
				const i = next++;
				const body = bookingEventBody('booking_started', { bookingId: `bk-${String(i).padStart(5, '0')}-${randomBytes(3).toString('hex')}`, phone: `+346${String(i).padStart(8, '0')}`, name: `Guest${i} Probe`, language: ['en', 'es', 'pt'][i % 3] });
				const reply = await postSigned(url, JSON.stringify(body), creds.secret, 120_000);
				if (reply.status === 202) accepted++;
				if (i > 0 && i % 500 === 0) log(`posted ${i} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
			}
		};
		await Promise.all(Array.from({ length: CONCURRENCY }, worker));
		clearInterval(poller);
		while ((await executionCount(n8n, main.id, 'waiting')) < 20 + accepted) await sleep(1000);
		const parkSeconds = (Date.now() - t0) / 1000;
		await sleep(30_000);
		const parked = await snapshot(processes, dir, `after ${20 + accepted} parked, idle 30 s`, 'parked', process.env.BENCH_HEAP_KEEP_DIR);
		const waiting = await executionCount(n8n, main.id, 'waiting');
		const perProcess = Object.fromEntries(
			processes.map(({ name }) => {
				const delta = parked[name].liveMb - baseline[name].liveMb;
				return [name, { baselineMb: baseline[name].liveMb, parkedMb: parked[name].liveMb, deltaMb: round(delta), perParkedJourneyKb: round((delta * 1024) / accepted, 2) }];
			}),
		);
		const totalDelta = Object.values(perProcess).reduce((a, p) => a + p.deltaMb, 0);
		process.stdout.write(
			`${JSON.stringify({ probe: 'timers-heap', mode: MODE, n8nVersion: '2.40.7', parked: accepted, waitingInDatabase: waiting, parkSeconds: round(parkSeconds), baseline, parkedIdle: parked, perProcess, liveHeapDeltaMb: round(totalDelta), perParkedJourneyKb: round((totalDelta * 1024) / accepted, 2), at: new Date().toISOString(), loadAverage1m: round(os.loadavg()[0]) })}\n`,
		);
	} finally {
		await n8n.stop();
		await fake.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

if (require.main === module) {
	main().catch((e) => {
		log(String(e instanceof Error ? e.stack : e));
		process.exit(1);
	});
}
