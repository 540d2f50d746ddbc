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
 * With `recovery` (what `npm run reliability` runs), workflows/journey-recovery.json is deployed
 * too, as docs/recovery.md sets it up (an n8n API key, the credential 'n8n API (journey recovery)'),
 * with its timings compressed only by configuration: the journeys' `claimLeaseMinutes`, the
 * recovery's `minAgeMinutes` (it replays only crashes older than that, which must exceed the
 * lease) and its schedule. After the restart the scenario waits until every crashed journey
 * execution has been handled by the recovery (replayed, or logged as refused / given up), then
 * until the replays have finished. A message accepted twice is split: copies that fit the
 * accepted-but-unrecorded window (docs/recovery.md: the API accepted it before the kill and the row
 * still lacks its id, so neither the crashed run nor the status webhook recorded it and the replay
 * sent it again) are reported on its own, per booking; any other duplicate fails the run. First
 * Contact is deployed with the journeys, so status webhooks record such sends as they do in
 * production.
 *
 * Needs `target.instance` (kill + restart on the same database): the default n8n from
 * scripts/n8n-runtime, or a queue-mode main.
 */
import { randomInt } from 'crypto';

import type { RequestRecord } from '../../scripts/fake-cloud-api/server';
import { rows } from '../../scripts/n8n-runtime/dataTables';
import { countBy, createRecoveryCredential, publicExecutions, type PublicExecution } from '../../scripts/n8n-runtime/recovery';
import { deployJourneyRecovery, sleep } from '../support/e2e';
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
	type JourneyDeployment,
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
	/** Deploy workflows/journey-recovery.json with these compressed settings (production: 15 / 16 / 300 s). */
	recovery?: RecoveryTimings;
	/**
	 * What is SIGKILLed: all of n8n (default), or in queue mode only the workers (`target.workers`)
	 * while at least one journey execution runs; the main keeps answering webhooks and enqueuing.
	 */
	crash?: 'n8n' | 'workers';
}

export interface RecoveryTimings {
	/** The journeys' claimLeaseMinutes. */
	claimLeaseMinutes: number;
	/** journey-recovery's minAgeMinutes (> claimLeaseMinutes). */
	minAgeMinutes: number;
	/** journey-recovery's schedule. */
	everySeconds: number;
	/** How long to wait, after everything was posted, for the recovery to handle every crashed execution. */
	timeoutMs: number;
}

/** One message accepted more than once for a booking. */
export interface DuplicateMessage {
	bookingId: string;
	template: string;
	accepted: number;
	/** Accepted copies whose request reached the API before the kill and whose id the journey row does not hold. */
	acceptedBeforeKillUnrecorded: number;
	/** Copies explained by the at-least-once window (at most accepted − 1). */
	window: number;
}

export interface RecoveryOutcome {
	timings: RecoveryTimings;
	/** Crashed journey executions (booking-abandonment, modes the recovery replays). */
	crashed: number;
	/** Of those: replayed (an execution with retryOf = it). */
	replayed: number;
	/** resort_recovery_log rows by status (retried, retry_failed, gave_up). */
	logByStatus: Record<string, number>;
	/** Crashed executions the recovery had not handled when the wait ended. */
	notHandled: number;
	/** Crashed executions replayed more than once. */
	replayedTwice: number;
	/** Counted as replayed through the original's retrySuccessId only: n8n's public API did not list the replay. */
	replayedNotListed?: number;
	replaysByStatus: Record<string, number>;
	recoveryRunsByStatus: Record<string, number>;
	/** From the kill until every crashed execution was handled. */
	handledSecondsAfterKill: number;
	/** Crashed executions of the sub-workflows (replayed with their parent, not on their own). */
	crashedSubWorkflowExecutions: number;
}

export interface RestartResult extends CheckResult {
	scenario: 'restart';
	target: string;
	crash: 'n8n' | 'workers';
	/** Executions (journeys, their sub-workflows, First Contact) `running` just before the kill. */
	runningAtKill: number;
	/** From the kill until none of those was `running` any more (n8n marked them, or they finished). */
	runningSettledSecondsAfterKill: number;
	/** Crashed executions that were not running at the kill (n8n marked a live one crashed). */
	crashedNotRunningAtKill: number;
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
	/** Executions `new` since before the restart that never ran (queue mode; never acknowledged, see above). Not counted as active by the settle. */
	orphanedNewExecutions: number;
	executionsNotSuccessful: Record<string, number>;
	lost: number;
	/** Deployed journey-recovery: what it did. Absent when run without it. */
	recovery?: RecoveryOutcome;
	/** Duplicates that are the documented at-least-once window (accepted before the kill, never recorded, sent again by the replay). */
	duplicatesAtLeastOnceWindow: number;
	/** All other duplicates: a failure. */
	duplicatesOther: number;
	duplicateMessages: DuplicateMessage[];
	ok: boolean;
}

const MESSAGE_COLUMN: Record<string, string> = {
	booking_reminder_1: 'reminder1MessageId',
	booking_reminder_2: 'reminder2MessageId',
	reservation_confirmation: 'confirmationMessageId',
};
const REPLAYED_MODES = new Set(['webhook', 'trigger', 'retry']);

const wamidOf = (r: RequestRecord) => (r.response as { messages?: Array<{ id?: string }> } | null)?.messages?.[0]?.id;

/**
 * Every message accepted more than once, and how many of its extra copies the at-least-once window
 * explains: a copy whose request reached the API before the kill and whose id the journey row does
 * not hold was accepted while (or just before) n8n died, by a run that never recorded it.
 */
export function classifyDuplicates(
	sends: RequestRecord[],
	journeys: Array<Record<string, unknown>>,
	bookings: Array<{ bookingId: string; phone: string }>,
	killedAt: number,
): DuplicateMessage[] {
	const rowOf = new Map(journeys.map((r) => [String(r.bookingId), r]));
	const out: DuplicateMessage[] = [];
	for (const b of bookings) {
		const to = b.phone.slice(1);
		const mine = sends.filter((r) => String((r.body as { to?: string }).to) === to && r.status === 200);
		for (const [template, column] of Object.entries(MESSAGE_COLUMN)) {
			const accepted = mine.filter((r) => (r.body as { template?: { name?: string } }).template?.name === template);
			if (accepted.length < 2) continue;
			const recorded = String(rowOf.get(b.bookingId)?.[column] ?? '');
			const unrecorded = accepted.filter((r) => Date.parse(r.at) < killedAt && wamidOf(r) !== recorded).length;
			out.push({ bookingId: b.bookingId, template, accepted: accepted.length, acceptedBeforeKillUnrecorded: unrecorded, window: Math.min(accepted.length - 1, unrecorded) });
		}
	}
	return out;
}

export async function runRestart(target: Target, opts: RestartOptions): Promise<RestartResult> {
	const log = target.log ?? (() => undefined);
	const crash = opts.crash ?? 'n8n';
	const instance = crash === 'workers' ? target.workers : target.instance;
	if (!instance) throw new Error(crash === 'workers' ? 'crash "workers" needs target.workers (queue mode)' : 'the restart scenario needs target.instance (kill and restart)');
	const seed = opts.seed ?? randomInt(1, 2 ** 31);
	const d = await deployJourneys(target, { label: `restart ${target.label}`, wait1S: opts.wait1S, reminder2S: opts.reminder2S, claimLeaseMinutes: opts.recovery?.claimLeaseMinutes });
	const journeyWorkflowId = d.workflowIds[0];
	let recoveryKey: string | undefined;
	let recoveryWorkflowId: string | undefined;
	if (opts.recovery) {
		if (!(opts.recovery.minAgeMinutes > opts.recovery.claimLeaseMinutes)) throw new Error('recovery.minAgeMinutes must exceed claimLeaseMinutes (docs/recovery.md)');
		const apiBaseUrl = `${target.api.baseUrl}/api/v1`;
		const credential = await createRecoveryCredential(target.api, { apiBaseUrl, label: `journey recovery (restart ${target.label} ${crash} ${seed})`, credentialName: `n8n API (journey recovery, ${crash} ${seed})` });
		recoveryKey = credential.apiKey;
		recoveryWorkflowId = (
			await deployJourneyRecovery(target.api, d.tenant, {
				credential,
				apiBaseUrl,
				journeyWorkflowIds: [journeyWorkflowId],
				// As a resort sets it up: Post-Stay Review and Upsell's own runs are replayed too.
				detachedJourneyWorkflowIds: [d.workflowIds[2]],
				minAgeMinutes: opts.recovery.minAgeMinutes,
				everySeconds: opts.recovery.everySeconds,
			})
		).id;
		log(`restart: journey-recovery deployed (${JSON.stringify(opts.recovery)})`);
	}
	const bookings = generateBookings({ count: opts.bookings, events: opts.events, seed });
	for (const b of bookings) target.onPhone?.(b.phone);
	const events = bookings.reduce((n, b) => n + b.events.length, 0);
	const killAfter = Math.floor(bookings.length * (opts.killAt ?? 0.5));
	log(`restart: ${bookings.length} bookings, ${events} events (seed ${seed}); SIGKILL (${crash}) after ${killAfter} bookings`);
	const watched = [...d.workflowIds, d.firstContactId];
	const runningNow = async () => {
		const ids: string[] = [];
		for (const id of watched) for (const e of await target.api.listExecutions({ workflowId: id, status: ['running'], limit: 100 })) if (e.status === 'running') ids.push(String(e.id));
		return ids;
	};
	let runningAtKill: string[] = [];

	const tally = newTally();
	let killedAt = 0;
	let killed: Promise<{ activeAtKill: number; downSeconds: number }> | undefined;
	// Executions still `new` when n8n is back: in queue mode a main killed between creating an
	// execution and enqueuing its job leaves it `new` for good (n8n 2.40.7 recovers enqueued
	// executions at start only in regular mode, commands/start.js). Such a request was never answered
	// (WorkflowRunner.run returns after the enqueue), so its sender redelivered it.
	const newAtRestart = new Set<string>();
	const kill = async () => {
		if (crash === 'workers') {
			// Kill the workers while they run something (a journey execution is ~0.1–1 s long).
			const until = Date.now() + 20_000;
			while (Date.now() < until && (await runningNow().catch(() => [])).length === 0) await sleep(100);
		}
		runningAtKill = await runningNow().catch(() => []);
		const activeAtKill = await (async () => {
			let n = 0;
			for (const id of d.workflowIds) n += (await target.api.listExecutions({ workflowId: id, status: ['running', 'waiting', 'new'], limit: 100 })).length;
			return n;
		})().catch(() => -1);
		const t0 = Date.now();
		killedAt = t0;
		await instance.kill();
		log(`restart: ${crash === 'workers' ? 'workers' : 'n8n'} killed (SIGKILL) with ${activeAtKill} executions new/running/waiting (${runningAtKill.length} running); starting again`);
		await instance.restart();
		const downSeconds = (Date.now() - t0) / 1000;
		// With only the workers killed, executions `new` now are jobs queued meanwhile: they will run.
		if (crash === 'n8n') {
			for (const id of watched) {
				for (const e of await target.api.listExecutions({ workflowId: id, status: ['new'], limit: 100 }).catch(() => [])) if (e.status === 'new') newAtRestart.add(String(e.id));
			}
		}
		log(`restart: ${crash === 'workers' ? 'workers' : 'n8n'} up again after ${downSeconds.toFixed(1)} s (startup ${instance.startupSeconds.toFixed(1)} s)`);
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
	let recovery: RecoveryOutcome | undefined;
	let notBefore = tally.lastAcceptedAt + (opts.wait1S + opts.reminder2S) * 1000;
	// The killed runs are `running` until n8n marks them crashed: at its start (regular mode), or in
	// queue mode when the main's queue recovery finds no job for them (N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL).
	const stillRunningFromKill = async () => {
		const now = new Set(await runningNow());
		return runningAtKill.filter((id) => now.has(id)).length;
	};
	const markDeadline = Date.now() + opts.settleTimeoutMs;
	while ((await stillRunningFromKill().catch(() => 1)) > 0 && Date.now() < markDeadline) await sleep(2000);
	const runningSettledSecondsAfterKill = (Date.now() - killedAt) / 1000;
	log(`restart: none of the ${runningAtKill.length} executions running at the kill is running any more, ${runningSettledSecondsAfterKill.toFixed(0)} s after it`);
	if (opts.recovery && recoveryKey && recoveryWorkflowId) {
		recovery = await awaitRecovery(target, d, { apiKey: recoveryKey, journeyWorkflowId, recoveryWorkflowId, timings: opts.recovery, killedAt, markedAt: Date.now() });
		// A replay starts its journey again from the booking event (or its Wait node): its waits run again.
		notBefore = Math.max(notBefore, Date.now() + 5000);
	}
	// Only those of them still `new` once every timer had its chance (after notBefore) are left out.
	const { settled, waitedS, ignoredNew } = await settle(target, d, { notBefore, timeoutMs: opts.settleTimeoutMs, quietMs: 15_000, ignoreNew: newAtRestart });
	const check = await checkBookings(target, d, bookings, { allowReview: false });
	const executionsNotSuccessful = await executionsByStatus(target.api, [...d.workflowIds, d.firstContactId]);
	const killedIds = new Set(runningAtKill);
	let crashedNotRunningAtKill = 0;
	for (const id of watched) {
		for (const e of await target.api.listExecutions({ workflowId: id, status: ['crashed'], limit: 100 }).catch(() => [])) {
			// Started after the kill and still marked crashed: n8n took a live execution for a dead one (queue recovery).
			if (e.status === 'crashed' && !killedIds.has(String(e.id)) && Date.parse(String(e.startedAt ?? e.createdAt ?? '')) > killedAt) crashedNotRunningAtKill += 1;
		}
	}
	const duplicateMessages = classifyDuplicates(await target.fake.sends(d.tenant.phoneNumberId), await rows(target.api, d.tables.resort_journeys), bookings, killedAt);
	const duplicatesAtLeastOnceWindow = duplicateMessages.reduce((n, m) => n + m.window, 0);
	if (recovery && recoveryKey && recoveryWorkflowId) {
		// After the settle: every replay finished, and the recovery never replayed anything twice.
		const final = await recoveryFigures(target, d, { apiKey: recoveryKey, journeyWorkflowId, recoveryWorkflowId });
		recovery = { ...recovery, replayed: final.replayed, replayedTwice: final.replayedTwice, replayedNotListed: final.replayedNotListed, replaysByStatus: final.replaysByStatus, recoveryRunsByStatus: final.recoveryRunsByStatus, logByStatus: final.logByStatus };
		await target.api.deactivateWorkflow(recoveryWorkflowId).catch(() => undefined);
	}
	await undeployJourneys(target, d);
	const result: RestartResult = {
		scenario: 'restart',
		target: target.label,
		crash,
		runningAtKill: runningAtKill.length,
		runningSettledSecondsAfterKill,
		crashedNotRunningAtKill,
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
		orphanedNewExecutions: ignoredNew,
		executionsNotSuccessful,
		lost: check.missing,
		...check,
		recovery,
		duplicatesAtLeastOnceWindow,
		duplicatesOther: check.duplicates - duplicatesAtLeastOnceWindow,
		duplicateMessages,
		ok: false,
	};
	const recoveryOk = !recovery || (recovery.notHandled === 0 && recovery.replayedTwice === 0 && recovery.replayed === recovery.crashed);
	result.ok =
		settled && recoveryOk && crashedNotRunningAtKill === 0 && check.missing === 0 && result.duplicatesOther === 0 && check.unexpected === 0 && check.wrongStage === 0 && check.rowCountWrong === 0;
	log(`restart: ${JSON.stringify({ ...result, failedBookings: result.failedBookings.slice(0, 10) })}`);
	return result;
}

interface RecoveryRefs {
	apiKey: string;
	journeyWorkflowId: string;
	recoveryWorkflowId: string;
}

async function recoveryFigures(target: Target, d: JourneyDeployment, refs: RecoveryRefs) {
	const base = target.api.baseUrl;
	const executions = await publicExecutions(base, refs.apiKey, refs.journeyWorkflowId);
	const crashed = executions.filter((e) => e.status === 'crashed' && REPLAYED_MODES.has(e.mode));
	const retries = executions.filter((e) => e.retryOf);
	const retriesOf = (e: PublicExecution) => retries.filter((r) => String(r.retryOf) === String(e.id)).length;
	const log = await rows(target.api, d.tables.resort_recovery_log);
	const logged = new Set(log.filter((r) => String(r.workflowId) === refs.journeyWorkflowId || !r.workflowId).map((r) => String(r.executionId)));
	let crashedSubWorkflowExecutions = 0;
	for (const id of d.workflowIds.slice(1)) crashedSubWorkflowExecutions += (await publicExecutions(base, refs.apiKey, id, 'crashed')).length;
	// n8n also writes a successful replay's id into the original's retrySuccessId (the recovery skips those too).
	const replayedOnce = (e: PublicExecution) => retriesOf(e) >= 1 || Boolean(e.retrySuccessId);
	return {
		crashed,
		replayed: crashed.filter(replayedOnce).length,
		replayedTwice: crashed.filter((e) => retriesOf(e) > 1).length,
		notHandled: crashed.filter((e) => !replayedOnce(e) && !logged.has(String(e.id))).length,
		/** Crashed executions counted as replayed only through retrySuccessId (their replay was not in the listing). */
		replayedNotListed: crashed.filter((e) => retriesOf(e) === 0 && Boolean(e.retrySuccessId)).length,
		replaysByStatus: countBy(retries, (e) => e.status),
		recoveryRunsByStatus: countBy(await publicExecutions(base, refs.apiKey, refs.recoveryWorkflowId), (e) => e.status),
		logByStatus: countBy(log, (r) => String(r.status)),
		crashedSubWorkflowExecutions,
	};
}

/** Waits until the recovery has handled every crashed journey execution (replayed it, or logged why not). */
async function awaitRecovery(target: Target, d: JourneyDeployment, o: RecoveryRefs & { timings: RecoveryTimings; killedAt: number; markedAt: number }): Promise<RecoveryOutcome> {
	const log = target.log ?? (() => undefined);
	const start = Date.now();
	// n8n marked the killed executions crashed by `markedAt` (stoppedAt = then); the recovery acts on them minAgeMinutes later.
	const earliest = Math.max(o.killedAt, o.markedAt) + o.timings.minAgeMinutes * 60_000;
	let last: Awaited<ReturnType<typeof recoveryFigures>> | undefined;
	for (;;) {
		last = await recoveryFigures(target, d, o).catch((error: Error) => {
			log(`restart: recovery figures not readable yet (${error.message})`);
			return undefined;
		});
		if (last && Date.now() >= earliest && last.notHandled === 0) break;
		// The recovery replays one execution at a time (each call returns when the replay has finished
		// or parked): allow 10 s per crashed execution beyond the configured wait.
		if (Date.now() - start > o.timings.timeoutMs + (last?.crashed.length ?? 0) * 10_000) break;
		await sleep(5000);
	}
	const outcome: RecoveryOutcome = {
		timings: o.timings,
		crashed: last?.crashed.length ?? -1,
		replayed: last?.replayed ?? 0,
		logByStatus: last?.logByStatus ?? {},
		notHandled: last?.notHandled ?? -1,
		replayedTwice: last?.replayedTwice ?? 0,
		replayedNotListed: last?.replayedNotListed ?? 0,
		replaysByStatus: last?.replaysByStatus ?? {},
		recoveryRunsByStatus: last?.recoveryRunsByStatus ?? {},
		handledSecondsAfterKill: (Date.now() - o.killedAt) / 1000,
		crashedSubWorkflowExecutions: last?.crashedSubWorkflowExecutions ?? -1,
	};
	log(`restart: recovery ${outcome.notHandled === 0 ? 'handled every' : `did NOT handle ${outcome.notHandled} of the`} ${outcome.crashed} crashed journey executions, ${outcome.handledSecondsAfterKill.toFixed(0)} s after the kill: ${JSON.stringify(outcome)}`);
	return outcome;
}
