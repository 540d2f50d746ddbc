/**
 * `npm run reliability`: the full reliability and security suite of issue #9, bounded in time,
 * 127.0.0.1 only, writing RELIABILITY.md (figures, machine, when it ran).
 *
 *  1. fuzz     test/e2e/fuzz-webhooks.test.ts run by jest with FUZZ_COUNT (10,000 per endpoint in the
 *              full run) against its own n8n (jest globalSetup); its printed figures are copied.
 *  2. storm    test/reliability/storm.ts   (full: 3,000 events for 300 bookings)
 *  3. faults   test/reliability/faults.ts  (full: 160 bookings, 30 % of sends faulted)
 *  4. restart  test/reliability/restart.ts (SIGKILL mid-storm and mid-wait, started again at once;
 *              workflows/journey-recovery.json deployed with compressed timings, RESTART_RECOVERY)
 *  5. queue    the exactly-once scenarios (storm, faults, restart) again against n8n in queue mode, if
 *              scripts/n8n-runtime/queueMode.ts (startQueueModeN8n) is present; otherwise the
 *              section says why not. Plus `workers`: the restart scenario with only the workers
 *              SIGKILLed while they run journeys (the main keeps taking webhooks).
 *
 * Environment: RELIABILITY_SIZE=full (default) | reduced; RELIABILITY_ONLY=fuzz,storm,...;
 * RELIABILITY_QUEUE_ONLY=storm,faults,restart,workers (default all; the others keep earlier figures);
 * RELIABILITY_FUZZ_COUNT (per endpoint; full 10,000, reduced 500);
 * RELIABILITY_BUDGET_MIN (default 40): scenarios that would start after the budget are skipped
 * and reported as such; RELIABILITY_OUT (default RELIABILITY.md); RELIABILITY_SEED.
 */
import { spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

import { startFakeCloudApi } from './fake-cloud-api/server';
import { installN8n, REPO_ROOT, startN8n, type N8nInstance } from './n8n-runtime';
import { FakeControl } from '../test/support/fakeControl';
import { runFaults, type FaultsResult } from '../test/reliability/faults';
import { PLATFORM_REDELIVERY, type Target } from '../test/reliability/journeys';
import { runRestart, type RestartResult } from '../test/reliability/restart';
import { runStorm, type StormResult } from '../test/reliability/storm';

const SIZE = (process.env.RELIABILITY_SIZE ?? 'full') as 'full' | 'reduced';
const ONLY = new Set((process.env.RELIABILITY_ONLY ?? 'fuzz,storm,faults,restart,queue').split(',').map((s) => s.trim()));
/** Which queue-mode scenarios run when the queue section runs (the others keep their earlier figures). */
const QUEUE_ONLY = new Set((process.env.RELIABILITY_QUEUE_ONLY ?? 'storm,faults,restart,workers').split(',').map((s) => s.trim()));
/** A scenario's name in RELIABILITY_ONLY / RELIABILITY_QUEUE_ONLY: the workers-only kill is a restart run. */
const scenarioKey = (r: { scenario: string; crash?: string }) => (r.scenario === 'restart' && r.crash === 'workers' ? 'workers' : r.scenario);
const BUDGET_MS = Number(process.env.RELIABILITY_BUDGET_MIN ?? 40) * 60_000;
const OUT = path.resolve(REPO_ROOT, process.env.RELIABILITY_OUT ?? 'RELIABILITY.md');
const SEED = process.env.RELIABILITY_SEED ? Number(process.env.RELIABILITY_SEED) : undefined;

const SIZES = {
	full: {
		fuzzCount: 10_000,
		storm: { bookings: 300, events: 3000, concurrency: 8, wait1S: 120, reminder2S: 60, settleTimeoutMs: 15 * 60_000 },
		faults: { bookings: 160, events: 640, concurrency: 6, wait1S: 90, reminder2S: 30, settleTimeoutMs: 12 * 60_000 },
		restart: { bookings: 120, events: 480, concurrency: 6, wait1S: 100, reminder2S: 80, settleTimeoutMs: 12 * 60_000 },
	},
	reduced: {
		fuzzCount: 500,
		storm: { bookings: 80, events: 500, concurrency: 6, wait1S: 90, reminder2S: 30, settleTimeoutMs: 10 * 60_000 },
		faults: { bookings: 50, events: 200, concurrency: 6, wait1S: 60, reminder2S: 20, settleTimeoutMs: 8 * 60_000 },
		restart: { bookings: 50, events: 200, concurrency: 6, wait1S: 90, reminder2S: 70, settleTimeoutMs: 10 * 60_000 },
	},
}[SIZE];
/**
 * The restart scenario deploys journey-recovery, compressed only through the workflows' settings:
 * the journeys' claim lease 1 min (shipped 15), the recovery's minimum crash age 1.5 min (shipped
 * 16; it must exceed the lease) and its schedule every 15 s (shipped 5 min).
 */
const RESTART_RECOVERY = { claimLeaseMinutes: 1, minAgeMinutes: 1.5, everySeconds: 15, timeoutMs: 8 * 60_000 };
const FUZZ_COUNT = Number(process.env.RELIABILITY_FUZZ_COUNT ?? SIZES.fuzzCount);

const started = Date.now();
const log = (line: string) => process.stderr.write(`[reliability ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
const withinBudget = (what: string, estimateMs: number) => {
	const ok = Date.now() - started + estimateMs <= BUDGET_MS;
	if (!ok) log(`${what}: skipped, it would end after the ${BUDGET_MS / 60_000} min budget`);
	return ok;
};

interface FuzzResult {
	count: number;
	passed: boolean;
	seconds: number;
	exitCode: number | null;
	summaries: string[];
	failures: string[];
}

/** Runs the fuzz e2e file with FUZZ_COUNT in a child jest (own n8n from globalSetup), keeps its figures. */
async function runFuzz(count: number): Promise<FuzzResult> {
	const t0 = Date.now();
	const child = spawn(
		process.execPath,
		[path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/e2e/fuzz-webhooks', '--selectProjects', 'e2e', '--runInBand'],
		{ cwd: REPO_ROOT, env: { ...process.env, FUZZ_COUNT: String(count) }, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let out = '';
	child.stdout.on('data', (c: Buffer) => (out += c.toString()));
	child.stderr.on('data', (c: Buffer) => {
		out += c.toString();
		process.stderr.write(c);
	});
	// Bounded: the child is stopped when the run's time budget is over.
	const timer = setTimeout(() => child.kill('SIGTERM'), Math.max(60_000, BUDGET_MS - (Date.now() - started)));
	const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
	clearTimeout(timer);
	const summaries = [...out.matchAll(/\[fuzz [^\]]+\] seed=[\s\S]*?keep-alive resends so far: \d+/g)].map((m) => m[0]);
	const failures = [...out.matchAll(/✕ .*$/gm)].map((m) => m[0]);
	return { count, passed: exitCode === 0, seconds: (Date.now() - t0) / 1000, exitCode, summaries, failures };
}

interface TargetHandle {
	target: Target;
	instance: N8nInstance;
	close(): Promise<void>;
	describe: string;
}

async function startSqliteTarget(): Promise<TargetHandle> {
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1', statusDelayMs: 20 });
	const userFolder = mkdtempSync(path.join(os.tmpdir(), 'n8n-reliability-'));
	const instance = await startN8n({
		extensionsDir: REPO_ROOT,
		userFolder,
		log,
		logLevel: 'warn',
		startTimeoutMs: 600_000,
		env: { DB_PING_TIMEOUT_MS: '60000' },
	});
	log(`n8n (SQLite) ${instance.baseUrl} ready in ${instance.startupSeconds.toFixed(1)} s; fake ${fake.url}`);
	return {
		target: { label: 'sqlite', baseUrl: instance.baseUrl, api: instance.api, fake: new FakeControl(fake.url), instance, log },
		instance,
		describe: `n8n 2.40.7, regular mode, SQLite (one process), started by scripts/n8n-runtime startN8n`,
		close: async () => {
			await instance.stop().catch(() => undefined);
			await fake.close();
			// RELIABILITY_KEEP_USER_FOLDER=1 keeps n8n's database and log for a look after a failure.
			if (process.env.RELIABILITY_KEEP_USER_FOLDER === '1') log(`kept n8n's user folder ${userFolder}`);
			else rmSync(userFolder, { recursive: true, force: true });
		},
	};
}

// ------------------------------------------------------------------------------------------------
// QUEUE MODE HOOK (issue #9.5). startQueueModeN8n() lives in scripts/n8n-runtime/queueMode.ts
// (another branch). It is loaded by path at run time so this file type-checks without it; when it
// is present, the exactly-once scenarios run against it exactly as against SQLite. To change how the
// queue-mode n8n is started (workers, concurrency), edit only this function.
async function startQueueTarget(): Promise<TargetHandle | { notRun: string }> {
	const file = path.join(REPO_ROOT, 'scripts', 'n8n-runtime', 'queueMode.ts');
	if (!existsSync(file)) return { notRun: 'scripts/n8n-runtime/queueMode.ts (startQueueModeN8n) is not in this checkout, so no queue-mode n8n could be started.' };
	type PsqlServer = { psql(sql: string): string[][] };
	type StartQueue = (opts: { extensionsDir: string; workers?: number; log?: (line: string) => void; logLevel?: string; env?: Record<string, string> }) => Promise<
		N8nInstance & { workers: unknown[]; versions?: Record<string, string>; postgres: PsqlServer; killWorkers(): Promise<void>; restartWorkers(): Promise<void> }
	>;
	let startQueueModeN8n: StartQueue;
	let applyResortUniqueKeys: (postgres: PsqlServer) => string[];
	try {
		({ startQueueModeN8n, applyResortUniqueKeys } = (await import(file)) as { startQueueModeN8n: StartQueue; applyResortUniqueKeys: typeof applyResortUniqueKeys });
	} catch (error) {
		return { notRun: `loading queueMode.ts failed: ${(error as Error).message}` };
	}
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1', statusDelayMs: 20 });
	let instance: Awaited<ReturnType<StartQueue>>;
	try {
		instance = await startQueueModeN8n({ extensionsDir: REPO_ROOT, workers: 2, log, logLevel: 'warn' });
	} catch (error) {
		await fake.close();
		return { notRun: `startQueueModeN8n failed: ${(error as Error).message}` };
	}
	log(`n8n (queue mode) ${instance.baseUrl} ready; ${instance.workers.length} workers`);
	return {
		target: {
			label: 'queue',
			// The fourth setting docs/queue-mode.md asks for: answer the platform after the run parked.
			bookingRespond: 'lastNode',
			baseUrl: instance.baseUrl,
			api: instance.api,
			fake: new FakeControl(fake.url),
			instance,
			workers: {
				kill: () => instance.killWorkers(),
				restart: () => instance.restartWorkers(),
				get startupSeconds() {
					return instance.startupSeconds;
				},
			},
			log,
			// What docs/queue-mode.md asks of an agency on Postgres: one journey row per booking.
			afterTablesProvisioned: () => {
				log(`queue: unique keys ${applyResortUniqueKeys(instance.postgres).join(', ')}`);
			},
		},
		instance,
		describe: `n8n 2.40.7, queue mode: main + ${instance.workers.length} workers, ${JSON.stringify(instance.versions ?? {})}`,
		close: async () => {
			// Why executions failed, before the database goes away: workflow and the first "SomeError: text"
			// string of the stored data (n8n stores it flattened, so the stack's first line is a plain string).
			try {
				const failed = instance.postgres.psql(
					`SELECT w.name, e.status, count(*), coalesce(substring(d.data from '"([A-Za-z]*Error: [^"\\\\]{0,160})'), '?')
					 FROM execution_entity e JOIN workflow_entity w ON w.id = e."workflowId" LEFT JOIN execution_data d ON d."executionId" = e.id
					 WHERE e.status IN ('error', 'crashed') GROUP BY 1, 2, 4 ORDER BY 3 DESC LIMIT 20`,
				);
				for (const [workflow, status, count, message] of failed) log(`queue: ${count} × ${status} in "${workflow}": ${message}`);
			} catch (error) {
				log(`queue: could not list failed executions: ${(error as Error).message}`);
			}
			await instance.stop().catch(() => undefined);
			await fake.close();
		},
	};
}
// ------------------------------------------------------------------------------------------------

/** bookingRespond: the Booking Event Trigger's Respond setting the target deployed the journeys with. */
type ScenarioResult = ((StormResult | FaultsResult | RestartResult) & { bookingRespond?: string }) | { scenario: string; target: string; error: string } | { scenario: string; target: string; skipped: string };

async function exactlyOnceSuite(handle: TargetHandle): Promise<ScenarioResult[]> {
	const out: ScenarioResult[] = [];
	const t = handle.target;
	const guard = async (scenario: string, estimateMs: number, run: () => Promise<ScenarioResult>) => {
		if (!ONLY.has(scenario) && t.label === 'sqlite') return;
		if (t.label === 'queue' && !QUEUE_ONLY.has(scenario)) return;
		if (!withinBudget(`${scenario} (${t.label})`, estimateMs)) {
			out.push({ scenario, target: t.label, skipped: `not started: it would have ended after the ${BUDGET_MS / 60_000} min budget` });
			return;
		}
		try {
			const result = await run();
			out.push('error' in result || 'skipped' in result ? result : { ...result, bookingRespond: t.bookingRespond ?? 'onReceived' });
		} catch (error) {
			log(`${scenario} (${t.label}) failed to run: ${(error as Error).stack}`);
			out.push({ scenario, target: t.label, error: (error as Error).message });
		}
	};
	await guard('storm', 4 * 60_000, () => runStorm(t, { ...SIZES.storm, seed: SEED }));
	await guard('faults', 4 * 60_000, () => runFaults(t, { ...SIZES.faults, seed: SEED }));
	await guard('restart', 9 * 60_000, () => runRestart(t, { ...SIZES.restart, seed: SEED, recovery: RESTART_RECOVERY }));
	// Queue mode only: the workers die while running journeys, the main keeps taking webhooks.
	if (t.workers) await guard('workers', 9 * 60_000, () => runRestart(t, { ...SIZES.restart, seed: SEED, recovery: RESTART_RECOVERY, crash: 'workers' }));
	return out;
}

// ------------------------------------------------------------------------------------------------
// RELIABILITY.md

const n = (v: number) => v.toLocaleString('en-US');
const yes = (ok: boolean) => (ok ? '**pass**' : '**FAIL**');

/** Results recorded before the setting existed (3 Dec 2026) ran with the only behaviour there was. */
const respondLabel = (respond: string | undefined) =>
	respond === 'lastNode' ? 'When Last Node Finishes' : respond === 'onReceived' ? 'Immediately' : 'Immediately (run before the setting existed)';

function scenarioSection(r: ScenarioResult): string {
	if ('skipped' in r) return `#### ${r.scenario} (${r.target})\n\nNot run: ${r.skipped}.\n`;
	if ('error' in r) return `#### ${r.scenario} (${r.target})\n\n**The scenario could not complete:** \`${r.error}\`.\n`;
	const lines: string[] = [];
	const common = (c: (StormResult | FaultsResult | RestartResult) & { bookingRespond?: string }) => [
		`| bookings | ${n(c.bookings)} |`,
		`| events posted (incl. duplicates) | ${n(c.events)} |`,
		`| required messages | ${n(c.expectedMessages)} |`,
		`| messages accepted by the fake (distinct) | ${Object.entries(c.delivered).map(([k, v]) => `${k} ${n(v)}`).join(', ')} |`,
		`| duplicates (a message accepted twice) | ${n(c.duplicates)} |`,
		`| missing (not delivered, not in review) | ${n(c.missing)} |`,
		`| unexpected (sent but should not be) | ${n(c.unexpected)} |`,
		`| Reminder 2 claimed before the confirmation converted the booking (allowed: the confirmation's execution started after the compressed window; abandoned-then-booked only) | ${n(c.reminder2BeforeConversion ?? 0)} |`,
		`| journeys in the wrong stage | ${n(c.wrongStage)} |`,
		`| bookings without exactly one journey row | ${n(c.rowCountWrong)} |`,
		`| most requests for one message | ${c.maxAttemptsPerMessage} |`,
		`| review-queue rows / correction-queue rows | ${c.reviewRows} / ${c.correctionRows} |`,
		`| executions not successful (error/crashed/canceled, up to 100 listed per status) | ${JSON.stringify(c.executionsNotSuccessful)} |`,
		`| settled (no execution left, log quiet) | ${c.settled} after ${c.settleSeconds.toFixed(0)} s |`,
		`| Booking Event Trigger → Respond | ${respondLabel(c.bookingRespond)} |`,
	];
	if (r.scenario === 'storm') {
		const s = r as StormResult;
		lines.push(`#### Storm (${s.target}): ${yes(s.ok)}`, '', `Seed ${s.seed}. Categories: ${JSON.stringify(s.bookingsByCategory)}. Events by kind: ${JSON.stringify(s.eventsByDuplicate)}.`, '');
		lines.push('| figure | value |', '|---|---|', ...common(s));
		lines.push(
			`| HTTP answers to the posts | ${JSON.stringify(s.postStatus)} (${n(s.posts)} posts; ${s.redelivered} redelivered after a non-2xx${s.gaveUp === undefined ? '' : `; ${s.gaveUp} events never answered 2xx after ${PLATFORM_REDELIVERY.maxTries} tries with backoff`}) |`,
			`| posting time / rate | ${s.postSeconds.toFixed(1)} s, ${s.eventsPerSecond.toFixed(1)} events/s |`,
			`| post latency p50 / p99 | ${s.postLatencyP50Ms} ms / ${s.postLatencyP99Ms} ms |`,
		);
	} else if (r.scenario === 'faults') {
		const f = r as FaultsResult;
		lines.push(`#### Faults (${f.target}): ${yes(f.ok)}`, '', `Seed ${f.seed}. Fault mix (share of all message requests): ${f.faultMix.map((m) => `${m.kind} ${Math.round(m.share * 100)} %${m.retryable ? '' : ' (non-retryable)'}`).join('; ')}.`, '');
		lines.push('| figure | value |', '|---|---|', ...common(f));
		lines.push(
			`| message requests / faulted share | ${n(f.messageRequests)} / ${(f.faultRate * 100).toFixed(1)} % |`,
			`| requests by outcome | ${JSON.stringify(f.requestsByOutcome)} |`,
			`| required messages in the review queue (one row each, with executionId) | ${n(f.inReview)} |`,
			`| lost | ${n(f.lost)} |`,
			`| retry policy | at most ${f.maxAttemptsAllowed} requests per message (1 + 3 retries); most seen ${f.maxAttemptsPerMessage} |`,
		);
	} else {
		const x = r as RestartResult;
		const workers = x.crash === 'workers';
		lines.push(
			workers
				? `#### Workers SIGKILLed mid-storm and mid-wait, main kept running (${x.target}): ${yes(x.ok)}`
				: `#### Restart, SIGKILL mid-storm and mid-wait (${x.target}): ${yes(x.ok)}`,
			'',
			`Seed ${x.seed}.`,
			'',
		);
		lines.push('| figure | value |', '|---|---|', ...common(x));
		lines.push(
			`| killed after | ${x.bookingsPostedBeforeKill} of ${x.bookings} bookings posted; ${x.executionsActiveAtKill} executions new/running/waiting at the kill (listing capped at 100 per workflow)${x.runningAtKill === undefined ? '' : `, ${x.runningAtKill} of them running`} |`,
			`| down (kill → ${workers ? 'workers ready' : 'ready'} again) | ${x.downSeconds.toFixed(1)} s (startup ${x.startupSeconds.toFixed(1)} s) |`,
			...(x.runningSettledSecondsAfterKill === undefined
				? []
				: [
						`| executions running at the kill no longer \`running\` (marked crashed, or finished) | ${x.runningSettledSecondsAfterKill.toFixed(0)} s after the kill |`,
						`| executions marked crashed that were not running at the kill (must be 0) | ${x.crashedNotRunningAtKill} |`,
					]),
			`| HTTP answers to the posts | ${JSON.stringify(x.postStatus)}; ${x.redelivered} redeliveries by the poster |`,
			`| lost journeys' messages | ${n(x.lost)} |`,
			`| executions left \`new\` by the killed n8n (never enqueued, never answered, so redelivered; not waited for by the settle) | ${x.orphanedNewExecutions ?? 0} |`,
		);
		const rec = x.recovery;
		if (!rec) lines.push('| journey-recovery | not deployed in this run |');
		else
			lines.push(
				`| journey-recovery | deployed; journeys' \`claimLeaseMinutes\` ${rec.timings.claimLeaseMinutes}, recovery \`minAgeMinutes\` ${rec.timings.minAgeMinutes}, every ${rec.timings.everySeconds} s |`,
				`| crashed journey executions (booking-abandonment) / replayed once / replayed more than once | ${n(rec.crashed)} / ${n(rec.replayed)} / ${n(rec.replayedTwice)}${rec.replayedNotListed ? ` (${rec.replayedNotListed} replayed according to the original's retrySuccessId only: the public API did not list the replay)` : ''} |`,
				`| crashed executions not handled by the recovery when the wait ended | ${n(rec.notHandled)} (every one handled ${rec.handledSecondsAfterKill.toFixed(0)} s after the kill${rec.notHandled ? ': NOT all' : ''}) |`,
				`| recovery log / replays by status / recovery runs by status | ${JSON.stringify(rec.logByStatus)} / ${JSON.stringify(rec.replaysByStatus)} / ${JSON.stringify(rec.recoveryRunsByStatus)} |`,
				`| crashed sub-workflow executions (replayed with their parent) | ${n(rec.crashedSubWorkflowExecutions)} |`,
			);
		const window = (x.duplicateMessages ?? []).filter((m) => m.window > 0);
		lines.push(
			`| duplicates in the documented at-least-once window (accepted by the API before the kill, never recorded, sent again by the replay) | ${n(x.duplicatesAtLeastOnceWindow ?? 0)}${window.length ? `: ${window.map((m) => `\`${m.bookingId}\` ${m.template}`).join(', ')}` : ''} |`,
			`| other duplicates | ${n(x.duplicatesOther ?? x.duplicates)} |`,
		);
	}
	if (r.failedBookings.length) {
		lines.push('', `Bookings with a problem (${r.failedBookings.length}; first 15):`, '');
		for (const b of r.failedBookings.slice(0, 15)) lines.push(`- \`${b.bookingId}\` (${b.category}): ${b.problems.join('; ')}`);
	}
	return lines.join('\n') + '\n';
}

function machine(): string {
	const cpus = os.cpus();
	return `${os.type()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version} (the machine is shared with other work)`;
}

interface Saved {
	/** Sections not run this time, kept from an earlier run's raw figures (RELIABILITY_ONLY). */
	kept?: Array<{ section: string; startedAt: string; size: string; loadEnd: string }>;
	size: string;
	startedAt: string;
	minutes: number;
	budgetMin?: number;
	machine: string;
	loadEnd: string;
	fuzz?: FuzzResult | { skipped: string };
	sqlite: ScenarioResult[];
	sqliteDescribe: string;
	queue: ScenarioResult[] | { notRun: string };
	queueDescribe?: string;
}

function render(opts: Saved): string {
	const parts: string[] = [];
	parts.push(
		'# Reliability',
		'',
		`Produced by \`npm run reliability\` (scripts/reliability.ts), size **${opts.size}**, started ${opts.startedAt}, took ${opts.minutes.toFixed(1)} min (budget ${opts.budgetMin ?? BUDGET_MS / 60_000} min). Every server listened on 127.0.0.1.`,
		'',
		// (Older raw files labelled the load taken when writing as 'at the start'.)
		`Machine: ${opts.machine.replace(/; load average at the start [^(]*\(the machine is shared\)/, ' (the machine is shared with other work)')}, runner on that Node, n8n on Node 24; load average (1/5/15 min) when the file was written ${opts.loadEnd}.`,
		'',
		...(opts.kept?.length
			? [`Not every section ran in this run (RELIABILITY_ONLY): ${opts.kept.map((k) => `**${k.section}** is from the run started ${k.startedAt} (size ${k.size}, load average at its end ${k.loadEnd})`).join('; ')}.`, '']
			: []),
		'Security review (secrets, keys, logs, stolen webhook URL): [docs/security.md](docs/security.md).',
		'',
		'How each figure is checked: the scenarios are in `test/reliability/` and take a running target (n8n + fake Cloud API), so the same code runs against SQLite and queue mode. Messages are counted from the fake Cloud API\'s request log per guest number and template; stages and queues from the Data tables over n8n\'s REST API. Short versions run in `npm test` (`test/e2e/fuzz-webhooks`, `test/e2e/storm`, `test/e2e/faults`, `test/e2e/restart`).',
		'',
		'## Bugs this suite found (fixed, with tests)',
		'',
		'1. **A cancellation that arrives first was lost** (storm): `reservation_cancelled` only updated an existing journey row, so when it came before the booking\'s other events nothing was written, the later `booking_started` opened the journey and Reminder 1 went to a cancelled booking (4 of 12 cancelled bookings in one short storm). Fix: `booking-abandonment.json` upserts the row (**Save Cancelled Journey**) before **Mark Cancelled**. Test: `test/e2e/storm.test.ts` (the same seed, 1328345164, passes now).',
		'2. **Acknowledged booking events were lost under load** (storm on a loaded machine, SQLite): the Booking Event Trigger answered 202 before n8n had stored the execution; when SQLite\'s write lock timed out ("Timeout waiting for lock SqliteWriteConnectionMutex", 115 times in one run at load average ~15, some of them in ActiveExecutions.add, i.e. while creating the execution) the event was gone although the platform had its 202: all 300 posts got 202, yet 12 bookings had no journey row and 14 required messages were missing; that n8n also did not settle within 10 min (executions stuck in new/running). Fix: the trigger lets n8n answer 202 after the execution is created (a failure becomes a 5xx the platform redelivers) and forgets the event ids of a request not answered 2xx (`SeenKeys.forget`), so the redelivery is not taken for a duplicate. Tests: `test/e2e/storm.test.ts` (every event acknowledged, every journey complete), `test/e2e/booking-trigger.test.ts` (unchanged answers), `test/unit/whatsapp-core.test.ts` (forget).',
		'3. **Reminder 2 after a failed Reminder 1** (faults): a second `booking_abandoned` for the same booking (new eventId) took the *Reminder 1 Already Handled* branch straight to **Plan Reminder 2**, so a guest whose Reminder 1 had failed (in the review queue) still got Reminder 2 (1 of 50 bookings in a reduced fault run; if the Faults section below shows that booking, the run predates the fix). Fix: Reminder 2 also requires `reminder1MessageId` (set only when Reminder 1 was sent); since 2 Dec 2026 at **Claim Reminder 2**, not at **Plan Reminder 2**, where it lost Reminder 2 when `booking_abandoned` came while the timer\'s Reminder 1 was still in flight (`test/e2e/journeys.test.ts`). Tests: `test/e2e/faults.test.ts` (checks that no Reminder 2 goes without a delivered Reminder 1), `test/e2e/journeys.test.ts` (12 journeys unchanged).',
		'',
		'4. **A SIGKILL while executions are running lost them** (restart scenario; 13 of 48 required messages in the reduced run of 2026-11-25, without recovery): n8n 2.40.7 marks them `crashed` at the next start and does not resume them, and their booking events were already acknowledged. Fix: `workflows/journey-recovery.json` replays each crashed journey execution once through n8n\'s Retry, and every journey claim (reminders, confirmation, review, upsell) has a lease so a replay takes over a claim the crashed run never recorded (docs/recovery.md). Tests: `test/e2e/recovery.test.ts`; the restart scenario below deploys the recovery (settings in its table) and counts what it did. The WhatsApp API has no idempotency key, so a message it accepted just before the kill, which the crashed run never recorded, used to be sent again by the replay. Since 2 Dec 2026 the journeys tag those sends (`biz_opaque_callback_data`) and First Contact records them from their status webhook, which Meta redelivers until n8n is back, before the lease lets a replay take them over (docs/recovery.md). Duplicates that still fit that window (the earlier copy reached the API before the kill, the row lacks its id) are counted on their own in the restart table; all others fail the run.',
		'5. **Acknowledged WhatsApp webhooks were lost under load** (fuzz, 10,000 requests to the Resort WhatsApp Trigger on 2 Dec 2026 while other e2e suites ran on the machine, SQLite): like bug 2, the trigger answered 200 before n8n had created the execution, and SQLite\'s write lock timed out 330 times in that n8n\'s log: 1,310 requests were answered 200 with events accepted; n8n\'s REST count settled at 1,062 executions, and its database held 1,214 when the run ended (1,004 success; 58 error, each a lock timeout inside the workflow, visible and retryable in the executions list; 152 still new or running). The other 96 accepted requests never got an execution, and Meta does not redeliver an answered webhook, so those guest messages (and statuses) were gone. Fix: the trigger lets n8n answer 200 once the execution is created (still before the workflow runs) and forgets the message/status keys of a request not answered 2xx, so Meta\'s redelivery is taken. Tests: the fuzz (expected executions = accepted events), `test/e2e/foundation.test.ts` and `test/e2e/send-operations.test.ts` (answers unchanged).',
		'6. **Two journey rows for one booking in queue mode** (storm and faults against n8n in queue mode on Postgres, the first runs of this runner\'s queue section, 2 Dec 2026): n8n\'s Data table upsert is an UPDATE and, when that matched nothing, an INSERT in one transaction; SQLite runs one write transaction at a time, but on Postgres two workers running events of the same new booking both inserted (1 of 80 bookings in the reduced storm, 1 of 50 in the reduced faults run; the two rows created 3 ms apart). Nothing was sent twice in those runs (the claim\'s update matched both rows), but a row inserted just after another execution\'s claim would not carry it and could be claimed again. Fix: `scripts/postgres/resort-unique-keys.sql` (unique indexes on `resort_journeys.bookingId` and `resort_guests.guestKey`, run once per database, docs/queue-mode.md); the second INSERT fails and the upsert node\'s retry on fail updates the row the first one created. The same storm had 14 First Contact executions (status webhooks) fail with "timeout exceeded when trying to connect": n8n\'s default Postgres pool is 2 connections per process, and a worker runs 10 executions at once; the queue-mode runtime now sets `DB_POSTGRESDB_POOL_SIZE` to the worker concurrency. Tests: the queue section below (exactly one journey row per booking is one of its checks).',
		'',
		'## 1. Fuzz (both webhook endpoints)',
		'',
	);
	const fuzz = opts.fuzz;
	if (!fuzz) parts.push('Not selected in this run.', '');
	else if ('skipped' in fuzz) parts.push(`Not run: ${fuzz.skipped}.`, '');
	else if (fuzz.exitCode === null) {
		parts.push(`**Stopped before the end** (\`FUZZ_COUNT=${fuzz.count}\`, killed after ${fuzz.seconds.toFixed(0)} s: over the time budget of this run). Figures printed before it stopped:`, '', '```', ...(fuzz.summaries.length ? fuzz.summaries : ['(none: the first endpoint had not finished)']), '```', '');
	} else {
		parts.push(
			`\`FUZZ_COUNT=${fuzz.count} jest test/e2e/fuzz-webhooks\` (own n8n from the e2e globalSetup): ${yes(fuzz.passed)} (exit ${fuzz.exitCode}, ${fuzz.seconds.toFixed(0)} s). The test asserts: no 5xx, no transport error, 413 for oversize, 401 for every unsigned, forged, malformed or replayed (stale timestamp) request, exactly the expected executions (none from a refused request), /healthz 200 afterwards.`,
			'',
			'```',
			...(fuzz.summaries.length ? fuzz.summaries : ['(no summary printed)']),
			'```',
			'',
		);
		if (fuzz.failures.length) parts.push('Failed tests:', '', ...fuzz.failures.map((f) => `- ${f}`), '');
	}
	parts.push(`## 2–4. Storm, faults, restart (${opts.sqliteDescribe})`, '');
	if (!opts.sqlite.length) parts.push('Not selected in this run.', '');
	for (const r of opts.sqlite) parts.push(scenarioSection(r));
	parts.push('## 5. Queue mode', '');
	if ('notRun' in opts.queue)
		parts.push(
			`**Not run.** ${opts.queue.notRun}`,
			'',
			'Hook: `startQueueTarget()` in scripts/reliability.ts (marked QUEUE MODE HOOK) loads `scripts/n8n-runtime/queueMode.ts` at run time when the file exists and runs the same storm, faults and restart scenarios against `startQueueModeN8n({ workers: 2 })` (main + 2 workers, Postgres, Redis); nothing else has to change. The scenarios use only REST, Data table and fake-API calls (no SQLite file), so they do not assume a database.',
			'',
		);
	else {
		parts.push(`${opts.queueDescribe}. Same scenarios, same checks.`, '');
		for (const r of opts.queue) parts.push(scenarioSection(r));
	}
	return parts.join('\n') + '\n';
}

// Committed with RELIABILITY.md, so a run of only some sections (RELIABILITY_ONLY) keeps the others.
const RAW = path.join(REPO_ROOT, 'docs', 'reliability-results.json');

async function main(): Promise<void> {
	if (process.env.RELIABILITY_RENDER_ONLY) {
		writeFileSync(OUT, render(JSON.parse(readFileSync(RAW, 'utf8')) as Saved));
		log(`rendered ${path.relative(REPO_ROOT, OUT)} from ${path.relative(REPO_ROOT, RAW)}`);
		return;
	}
	const startedAt = new Date();
	await installN8n({ log });
	let sqlite: ScenarioResult[] = [];
	let sqliteDescribe = 'not started';
	if (['storm', 'faults', 'restart'].some((s) => ONLY.has(s))) {
		const handle = await startSqliteTarget();
		sqliteDescribe = handle.describe;
		try {
			sqlite = await exactlyOnceSuite(handle);
		} finally {
			await handle.close();
		}
	}
	let queue: ScenarioResult[] | { notRun: string } = { notRun: 'not selected in this run (RELIABILITY_ONLY).' };
	let queueDescribe: string | undefined;
	if (ONLY.has('queue')) {
		if (!withinBudget('queue mode', 10 * 60_000)) queue = { notRun: `not started: it would have ended after the ${BUDGET_MS / 60_000} min budget.` };
		else {
			const handle = await startQueueTarget();
			if ('notRun' in handle) queue = handle;
			else {
				queueDescribe = handle.describe;
				try {
					queue = await exactlyOnceSuite(handle);
				} finally {
					await handle.close();
				}
			}
		}
	}
	// Fuzz last: on a busy machine it is the slowest part, and npm test runs it too (1,500 per endpoint).
	let fuzz: FuzzResult | { skipped: string } | undefined;
	if (ONLY.has('fuzz')) {
		fuzz = withinBudget('fuzz', 5 * 60_000) ? await runFuzz(FUZZ_COUNT) : { skipped: 'not started: it would have ended after the time budget' };
		if ('summaries' in fuzz) log(`fuzz: ${fuzz.passed ? 'passed' : 'FAILED'} in ${fuzz.seconds.toFixed(0)} s`);
	}
	const loadEnd = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
	// Raw figures first: RELIABILITY_RENDER_ONLY=1 renders RELIABILITY.md again from them.
	const saved: Saved = { size: SIZE, startedAt: startedAt.toISOString(), minutes: (Date.now() - started) / 60_000, budgetMin: BUDGET_MS / 60_000, machine: machine(), loadEnd, fuzz, sqlite, sqliteDescribe, queue, queueDescribe };
	// Sections left out by RELIABILITY_ONLY keep their figures from the previous raw file.
	const previous = existsSync(RAW) ? (JSON.parse(readFileSync(RAW, 'utf8')) as Saved) : undefined;
	if (previous) {
		// A section the previous file had itself kept still dates from its own, earlier run.
		const keep = (section: string) =>
			saved.kept!.push(previous.kept?.find((k) => k.section === section) ?? { section, startedAt: previous.startedAt, size: previous.size, loadEnd: previous.loadEnd });
		saved.kept = [];
		if (!ONLY.has('fuzz') && previous.fuzz) {
			saved.fuzz = previous.fuzz;
			keep('1. Fuzz');
		}
		if (!['storm', 'faults', 'restart'].some((x) => ONLY.has(x)) && previous.sqlite?.length) {
			saved.sqlite = previous.sqlite;
			saved.sqliteDescribe = previous.sqliteDescribe;
			// Per scenario: the previous file may itself have kept some of them from different runs.
			for (const r of previous.sqlite) keep(`${r.scenario} (${r.target})`);
		} else if (previous.sqlite?.length) {
			// Some of storm, faults, restart ran: keep the previous figures of the others, in order.
			const order = ['storm', 'faults', 'restart'];
			const kept = previous.sqlite.filter((r) => !ONLY.has(r.scenario) && !saved.sqlite.some((x) => x.scenario === r.scenario));
			for (const r of kept) keep(`${r.scenario} (${r.target})`);
			saved.sqlite = [...saved.sqlite, ...kept].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
		}
		if (!ONLY.has('queue') && previous.queue) {
			saved.queue = previous.queue;
			saved.queueDescribe = previous.queueDescribe;
			keep('5. Queue mode');
		} else if (Array.isArray(saved.queue) && Array.isArray(previous.queue)) {
			// Some queue scenarios ran (RELIABILITY_QUEUE_ONLY): keep the previous figures of the others, in order.
			const order = ['storm', 'faults', 'restart', 'workers'];
			const ran = new Set(saved.queue.map(scenarioKey));
			const kept = previous.queue.filter((r) => !ran.has(scenarioKey(r)) && !QUEUE_ONLY.has(scenarioKey(r)));
			for (const r of kept) keep(`${scenarioKey(r)} (queue)`);
			saved.queue = [...saved.queue, ...kept].sort((a, b) => order.indexOf(scenarioKey(a)) - order.indexOf(scenarioKey(b)));
		}
	}
	mkdirSync(path.dirname(RAW), { recursive: true });
	writeFileSync(RAW, JSON.stringify(saved, null, 2));
	mkdirSync(path.dirname(OUT), { recursive: true });
	writeFileSync(OUT, render(saved));
	log(`wrote ${path.relative(REPO_ROOT, OUT)} and ${path.relative(REPO_ROOT, RAW)}`);
	const failed =
		(fuzz && 'passed' in fuzz && !fuzz.passed) ||
		[...sqlite, ...(Array.isArray(queue) ? queue : [])].some((r) => 'error' in r || ('ok' in r && !r.ok));
	process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exit(2);
});
