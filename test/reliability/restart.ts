/**
 * Restart mid-storm and mid-wait (issue #9.4): a storm of duplicated, out-of-order booking events
 * is being posted when n8n is killed with SIGKILL, and started again at once. At that moment some
 * executions are running (mid-storm) and many are parked in Wait nodes stored in the database
 * (Wait Before Reminder 1 and the Reminder 2 window are over n8n's 65 s in-memory threshold, so
 * mid-wait). The poster behaves like a booking platform: an event that got no 2xx (connection
 * refused or reset while n8n is down) is posted again until it gets one. Afterwards every booking
 * is checked like the storm: right stage, each required message accepted exactly once, none that
 * should not exist. Lost and duplicated messages are counted, not hidden.
 *
 * Needs `target.instance` (kill + restart on the same database): the default n8n from
 * scripts/n8n-runtime, or a queue-mode main.
 */
import { randomInt } from 'crypto';

import { sleep } from '../support/e2e';
import {
	checkBookings,
	deployJourneys,
	executionsByStatus,
	generateBookings,
	newTally,
	postStorm,
	settle,
	undeployJourneys,
	type CheckResult,
	type Target,
} from './journeys';

export interface RestartOptions {
	bookings: number;
	events: number;
	concurrency: number;
	seed?: number;
	/** Over 65 s, so the waits are stored in the database. */
	wait1S: number;
	reminder2S: number;
	settleTimeoutMs: number;
	/** Kill when this share of the bookings has been posted. */
	killAt?: number;
}

export interface RestartResult extends CheckResult {
	scenario: 'restart';
	target: string;
	seed: number;
	events: number;
	postStatus: Record<string, number>;
	redelivered: number;
	bookingsPostedBeforeKill: number;
	executionsActiveAtKill: number;
	downSeconds: number;
	startupSeconds: number;
	settled: boolean;
	settleSeconds: number;
	executionsNotSuccessful: Record<string, number>;
	lost: number;
	ok: boolean;
}

export async function runRestart(target: Target, opts: RestartOptions): Promise<RestartResult> {
	const log = target.log ?? (() => undefined);
	if (!target.instance) throw new Error('the restart scenario needs target.instance (kill and restart)');
	const instance = target.instance;
	const seed = opts.seed ?? randomInt(1, 2 ** 31);
	const d = await deployJourneys(target, { label: `restart ${target.label}`, wait1S: opts.wait1S, reminder2S: opts.reminder2S });
	const bookings = generateBookings({ count: opts.bookings, events: opts.events, seed });
	for (const b of bookings) target.onPhone?.(b.phone);
	const events = bookings.reduce((n, b) => n + b.events.length, 0);
	const killAfter = Math.floor(bookings.length * (opts.killAt ?? 0.5));
	log(`restart: ${bookings.length} bookings, ${events} events (seed ${seed}); SIGKILL after ${killAfter} bookings`);

	const tally = newTally();
	let killed: Promise<{ activeAtKill: number; downSeconds: number }> | undefined;
	const kill = async () => {
		const activeAtKill = await (async () => {
			let n = 0;
			for (const id of d.workflowIds) n += (await target.api.listExecutions({ workflowId: id, status: ['running', 'waiting', 'new'], limit: 100 })).length;
			return n;
		})().catch(() => -1);
		const t0 = Date.now();
		await instance.kill();
		log(`restart: n8n killed (SIGKILL) with ${activeAtKill} executions new/running/waiting; starting again`);
		await instance.restart();
		const downSeconds = (Date.now() - t0) / 1000;
		log(`restart: n8n up again after ${downSeconds.toFixed(1)} s (startup ${instance.startupSeconds.toFixed(1)} s, pid ${instance.pid})`);
		return { activeAtKill, downSeconds };
	};
	await postStorm(d, bookings, {
		concurrency: opts.concurrency,
		// Like a booking platform: redeliver until a 2xx (n8n may be down for a minute or two).
		maxTries: 200,
		retryDelayMs: 2000,
		tally,
		onProgress: (done) => {
			if (done === killAfter && !killed) killed = kill();
		},
	});
	const { activeAtKill, downSeconds } = await (killed ?? kill());
	log(`restart: all posted, statuses ${JSON.stringify(tally.byStatus)}, ${tally.redelivered} redeliveries; settling`);
	await sleep(1000);
	const { settled, waitedS } = await settle(target, d, {
		notBefore: tally.lastAcceptedAt + (opts.wait1S + opts.reminder2S) * 1000,
		timeoutMs: opts.settleTimeoutMs,
		quietMs: 15_000,
	});
	const check = await checkBookings(target, d, bookings, { allowReview: false });
	const executionsNotSuccessful = await executionsByStatus(target.api, d.workflowIds);
	await undeployJourneys(target, d);
	const result: RestartResult = {
		scenario: 'restart',
		target: target.label,
		seed,
		events,
		postStatus: tally.byStatus,
		redelivered: tally.redelivered,
		bookingsPostedBeforeKill: killAfter,
		executionsActiveAtKill: activeAtKill,
		downSeconds,
		startupSeconds: instance.startupSeconds,
		settled,
		settleSeconds: waitedS,
		executionsNotSuccessful,
		lost: check.missing,
		...check,
		ok: false,
	};
	result.ok = settled && check.missing === 0 && check.duplicates === 0 && check.unexpected === 0 && check.wrongStage === 0 && check.rowCountWrong === 0;
	log(`restart: ${JSON.stringify({ ...result, failedBookings: result.failedBookings.slice(0, 10) })}`);
	return result;
}
