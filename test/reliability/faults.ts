/**
 * Faults (issue #9.3): the fake Cloud API fails about 30 % of message requests with a mix of
 * retryable errors (131000 → HTTP 500, 130429 → 400 throughput, 131016 → 503, a bare HTTP 502
 * with Graph code 1), non-retryable ones (131026 undeliverable, 132001 template missing,
 * 131051 unsupported type), slow answers (a few seconds, then success) and dropped connections
 * (socket destroyed before any answer). Each required message must end either accepted exactly
 * once, or never accepted with exactly one row in `resort_review_queue` naming it (where a person
 * sees it, with the executionId to replay). Attempts per message stay within the send node's
 * policy: 1 + maxRetries (3) = 4 requests.
 */
import { randomInt } from 'crypto';

import type { FaultSpec } from '../../scripts/fake-cloud-api/server';
import {
	checkBookings,
	deployJourneys,
	executionsByStatus,
	generateBookings,
	postStorm,
	settle,
	PLATFORM_REDELIVERY,
	undeployJourneys,
	type CheckResult,
	type Target,
} from './journeys';

/** Share of all message requests per fault kind (sums to 0.30). */
export const FAULT_MIX: Array<{ kind: string; share: number; retryable: boolean; spec: Omit<FaultSpec, 'probability' | 'phoneNumberId'> }> = [
	{ kind: '131000 (500)', share: 0.05, retryable: true, spec: { error: { code: 131000 } } },
	{ kind: '130429 (400, Retry-After 1)', share: 0.04, retryable: true, spec: { error: { code: 130429 }, retryAfterSeconds: 1 } },
	{ kind: '131016 (503)', share: 0.03, retryable: true, spec: { error: { code: 131016 } } },
	{ kind: 'code 1 (API Unknown) as HTTP 502', share: 0.02, retryable: true, spec: { error: { code: 1, httpStatus: 502, message: 'Bad Gateway' } } },
	{ kind: '131026 (undeliverable)', share: 0.04, retryable: false, spec: { error: { code: 131026 } } },
	{ kind: '132001 (template missing, 404)', share: 0.02, retryable: false, spec: { error: { code: 132001 } } },
	{ kind: '131051 (unsupported)', share: 0.02, retryable: false, spec: { error: { code: 131051 } } },
	{ kind: 'slow 3 s, then success', share: 0.04, retryable: true, spec: { latencyMs: 3000 } },
	{ kind: 'dropped connection', share: 0.04, retryable: true, spec: { drop: true } },
];

/** Faults for one phone number with conditional probabilities, so each kind fires with its share of requests. */
export function faultSpecs(phoneNumberId: string): FaultSpec[] {
	let left = 1;
	return FAULT_MIX.map((f) => {
		const probability = f.share / left;
		left -= f.share;
		return { ...f.spec, phoneNumberId, path: 'messages', method: 'POST', probability };
	});
}

export interface FaultsOptions {
	bookings: number;
	events: number;
	concurrency: number;
	seed?: number;
	wait1S: number;
	reminder2S: number;
	settleTimeoutMs: number;
	/** The send node's policy: first try + 3 retries. */
	maxAttempts?: number;
}

export interface FaultsResult extends CheckResult {
	scenario: 'faults';
	target: string;
	seed: number;
	events: number;
	faultMix: Array<{ kind: string; share: number; retryable: boolean }>;
	messageRequests: number;
	requestsByOutcome: Record<string, number>;
	/** Share of message requests that got a fault. */
	faultRate: number;
	/** Required messages accepted / in review / lost. */
	lost: number;
	settled: boolean;
	settleSeconds: number;
	executionsNotSuccessful: Record<string, number>;
	maxAttemptsAllowed: number;
	ok: boolean;
}

export async function runFaults(target: Target, opts: FaultsOptions): Promise<FaultsResult> {
	const log = target.log ?? (() => undefined);
	const seed = opts.seed ?? randomInt(1, 2 ** 31);
	const maxAttempts = opts.maxAttempts ?? 4;
	const d = await deployJourneys(target, { label: `faults ${target.label}`, wait1S: opts.wait1S, reminder2S: opts.reminder2S });
	// No cancellations: every booking here must produce messages for the faults to hit.
	const bookings = generateBookings({ count: opts.bookings, events: opts.events, seed, mix: { cancelled: 0 } });
	for (const b of bookings) target.onPhone?.(b.phone);
	const events = bookings.reduce((n, b) => n + b.events.length, 0);
	await target.fake.addFaults(...faultSpecs(d.tenant.phoneNumberId));
	log(`faults: ${bookings.length} bookings, ${events} events (seed ${seed}), 30 % of message requests faulted`);
	let check: CheckResult;
	let settled: boolean;
	let waitedS: number;
	try {
		const tally = await postStorm(d, bookings, { concurrency: opts.concurrency, ...PLATFORM_REDELIVERY });
		log(`faults: posted, statuses ${JSON.stringify(tally.byStatus)}; settling`);
		({ settled, waitedS } = await settle(target, d, {
			notBefore: tally.lastAcceptedAt + (opts.wait1S + opts.reminder2S) * 1000,
			timeoutMs: opts.settleTimeoutMs,
			quietMs: 15_000,
		}));
		check = await checkBookings(target, d, bookings, { allowReview: true, maxAttempts });
	} finally {
		await target.fake.clearFaults();
	}
	const requests = await target.fake.sends(d.tenant.phoneNumberId);
	const requestsByOutcome: Record<string, number> = {};
	let faulted = 0;
	for (const r of requests) {
		if (r.fault) faulted++;
		const fault = r.fault ? (JSON.parse(r.fault) as FaultSpec) : undefined;
		const key = fault?.drop ? 'dropped' : fault?.error ? `error ${fault.error.code}` : fault?.latencyMs ? `slow → ${r.status}` : `ok ${r.status}`;
		requestsByOutcome[key] = (requestsByOutcome[key] ?? 0) + 1;
	}
	const executionsNotSuccessful = await executionsByStatus(target.api, [...d.workflowIds, d.firstContactId]);
	await undeployJourneys(target, d);
	const result: FaultsResult = {
		scenario: 'faults',
		target: target.label,
		seed,
		events,
		faultMix: FAULT_MIX.map(({ kind, share, retryable }) => ({ kind, share, retryable })),
		messageRequests: requests.length,
		requestsByOutcome,
		faultRate: requests.length ? faulted / requests.length : 0,
		lost: check.missing,
		settled,
		settleSeconds: waitedS,
		executionsNotSuccessful,
		maxAttemptsAllowed: maxAttempts,
		...check,
		ok: false,
	};
	result.ok =
		settled &&
		check.missing === 0 &&
		check.duplicates === 0 &&
		check.unexpected === 0 &&
		check.wrongStage === 0 &&
		check.rowCountWrong === 0 &&
		check.failedBookings.length === 0 &&
		check.maxAttemptsPerMessage <= maxAttempts;
	log(`faults: ${JSON.stringify({ ...result, failedBookings: result.failedBookings.slice(0, 10) })}`);
	return result;
}
