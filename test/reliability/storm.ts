/**
 * Event storm (issue #9.2): many booking events for many bookings, duplicated (same eventId
 * redelivered, and the same business event with a new eventId) and out of order (each booking's
 * events shuffled and posted all at once), many bookings in parallel. Every journey must end in
 * the right stage with every required message accepted by the fake exactly once and none that
 * should not exist. Checked against the fake's request log and the journey rows.
 */
import { randomInt } from 'crypto';

import {
	checkBookings,
	deployJourneys,
	executionsByStatus,
	generateBookings,
	percentile,
	postStorm,
	PLATFORM_REDELIVERY,
	settle,
	undeployJourneys,
	type Booking,
	type CheckResult,
	type Target,
} from './journeys';

export interface StormOptions {
	bookings: number;
	events: number;
	/** Bookings posted at the same time (each with all its events at once). */
	concurrency: number;
	seed?: number;
	/** Wait Before Reminder 1, seconds: longer than a booking's events take to be processed. */
	wait1S: number;
	/** Reminder 2 window (min = max), seconds. */
	reminder2S: number;
	settleTimeoutMs: number;
}

export interface StormResult extends CheckResult {
	scenario: 'storm';
	target: string;
	seed: number;
	events: number;
	eventsByDuplicate: Record<string, number>;
	posts: number;
	postStatus: Record<string, number>;
	/** Posts answered without a 2xx and posted again (as a booking platform does). */
	redelivered: number;
	/** Events the poster gave up on (no 2xx after PLATFORM_REDELIVERY's tries): never acknowledged by n8n. */
	gaveUp: number;
	postSeconds: number;
	eventsPerSecond: number;
	postLatencyP50Ms: number;
	postLatencyP99Ms: number;
	settled: boolean;
	settleSeconds: number;
	executionsNotSuccessful: Record<string, number>;
	bookingsByCategory: Record<string, number>;
	ok: boolean;
}

export async function runStorm(target: Target, opts: StormOptions): Promise<StormResult> {
	const log = target.log ?? (() => undefined);
	const seed = opts.seed ?? randomInt(1, 2 ** 31);
	const d = await deployJourneys(target, { label: `storm ${target.label}`, wait1S: opts.wait1S, reminder2S: opts.reminder2S });
	const bookings: Booking[] = generateBookings({ count: opts.bookings, events: opts.events, seed });
	for (const b of bookings) target.onPhone?.(b.phone);
	const events = bookings.reduce((n, b) => n + b.events.length, 0);
	log(`storm: ${bookings.length} bookings, ${events} events (seed ${seed}), ${opts.concurrency} bookings at a time`);
	const t0 = Date.now();
	const tally = await postStorm(d, bookings, {
		concurrency: opts.concurrency,
		...PLATFORM_REDELIVERY,
		onProgress: (done) => {
			if (done % Math.max(1, Math.floor(bookings.length / 5)) === 0) log(`storm: ${done}/${bookings.length} bookings posted (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
		},
	});
	const postSeconds = (Date.now() - t0) / 1000;
	log(`storm: posted in ${postSeconds.toFixed(1)} s, statuses ${JSON.stringify(tally.byStatus)}; settling`);
	const { settled, waitedS } = await settle(target, d, {
		notBefore: tally.lastAcceptedAt + (opts.wait1S + opts.reminder2S) * 1000,
		timeoutMs: opts.settleTimeoutMs,
	});
	const check = await checkBookings(target, d, bookings, { allowReview: false });
	const executionsNotSuccessful = await executionsByStatus(target.api, [...d.workflowIds, d.firstContactId]);
	await undeployJourneys(target, d);
	const eventsByDuplicate: Record<string, number> = {};
	const bookingsByCategory: Record<string, number> = {};
	for (const b of bookings) {
		bookingsByCategory[b.category] = (bookingsByCategory[b.category] ?? 0) + 1;
		for (const e of b.events) eventsByDuplicate[e.duplicate] = (eventsByDuplicate[e.duplicate] ?? 0) + 1;
	}
	const result: StormResult = {
		scenario: 'storm',
		target: target.label,
		seed,
		events,
		eventsByDuplicate,
		posts: tally.posted,
		postStatus: tally.byStatus,
		redelivered: tally.redelivered,
		gaveUp: tally.gaveUp,
		postSeconds,
		eventsPerSecond: events / postSeconds,
		postLatencyP50Ms: percentile(tally.latencies, 50),
		postLatencyP99Ms: percentile(tally.latencies, 99),
		settled,
		settleSeconds: waitedS,
		executionsNotSuccessful,
		bookingsByCategory,
		...check,
		ok: false,
	};
	result.ok = settled && check.duplicates === 0 && check.missing === 0 && check.unexpected === 0 && check.wrongStage === 0 && check.rowCountWrong === 0;
	log(`storm: ${JSON.stringify({ ...result, failedBookings: result.failedBookings.slice(0, 10) })}`);
	return result;
}
