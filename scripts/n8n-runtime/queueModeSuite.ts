/**
 * The exactly-once booking-journey scenario, runnable against any N8nInstance (queue mode or not),
 * plus `queueModeExactlyOnceFigures()` for the reliability runner: starts n8n in queue mode
 * (main + 2 workers, own Postgres and Redis), runs the scenario, stops everything, returns figures.
 *
 * Scenario (the shipped workflows, deployed like test/e2e/restart.test.ts: booking-abandonment
 * linked by id to reservation-confirmation and post-stay-review-upsell; only Settings (quiet hours
 * off, Reminder 2 window) and the Wait Before Reminder 1 amount changed):
 *  1. for each of N guests, `booking_started`, `booking_abandoned`, the same `booking_abandoned`
 *     again (a redelivery: identical body and signature, which the trigger answers `duplicate`) and
 *     a second `booking_abandoned` with a new eventId (passes the trigger: only the journey row's
 *     conditional claims stand between it and a second reminder) are posted at the same time;
 *  2. once every guest had Reminder 1, every other guest gets `reservation_confirmed` the same
 *     way: once, redelivered, and again with a new eventId, all at the same time;
 *  3. the rest are left alone and must get Reminder 2 (window reminder2MinS..reminder2MaxS after
 *     Reminder 1; >= 65 s by default so the wait is stored in the database and resumed by the main's
 *     WaitTracker, which enqueues the resumed execution for a worker).
 * Counted from the fake Cloud API's request log: per guest, how many of each template reached it.
 */
import { randomBytes } from 'node:crypto';

import axios from 'axios';

import { journeySendTag, signBookingWebhook, type BookingEventType } from '../../lib';
import { bookingEventBody } from './bookingEvents';
import { formatStayDate } from '../../lib/templates';
import {
	createTenant,
	deployWorkflow,
	eventually,
	loadWorkflow,
	setSettings,
	sleep,
	templateSeeds,
	withCredentials,
	type Tenant,
} from '../../test/support/e2e';
import { FakeControl } from '../../test/support/fakeControl';
import { startFakeCloudApi, type FakeCloudApi, type RequestRecord } from '../fake-cloud-api/server';
import { provisionResortTables, rows, type DataTableRow } from './dataTables';
import { N8nApi, REPO_ROOT, type N8nInstance, type WorkflowJson } from './index';
import { applyResortUniqueKeys, startQueueModeN8n, type QueueModeN8n, type QueueModeOptions } from './queueMode';

type Log = (s: string) => void;

export interface ExactlyOnceOptions {
	guests?: number;
	/** Wait Before Reminder 1 (booking_started path), seconds (default 20, an in-memory wait). */
	reminder1DelayS?: number;
	/** Reminder 2 window after Reminder 1, seconds (default 90..100: stored in the database). */
	reminder2MinS?: number;
	reminder2MaxS?: number;
	/** Guests whose events are in flight at once (each guest = 4 posts at once; default 10). */
	postConcurrency?: number;
	/**
	 * Crash: once the confirmations are in and nothing is running (only the Reminder 2 waits parked
	 * in the database), n8n.kill() (SIGKILL), then n8n.restart() on the same database.
	 */
	killWhileParked?: boolean;
	/**
	 * Also post a second booking_abandoned / reservation_confirmed with a new eventId (default true).
	 * false: one abandoned execution per guest, so exactly one execution parks each Reminder 2.
	 */
	secondEvent?: boolean;
	log?: Log;
}

export interface Guest {
	phone: string;
	bookingId: string;
	name: string;
	language: 'en' | 'es' | 'pt';
	confirms: boolean;
}

export interface GuestOutcome {
	guest: Guest;
	/** Template names in arrival order. */
	templates: string[];
	requests: RequestRecord[];
	journeyRows: DataTableRow[];
}

export interface CrashedExecution {
	id: string;
	bookingId: string;
	eventType: string;
	/** Whether that guest confirmed (then no Reminder 2 was due). */
	guestConfirms: boolean | null;
	lastNodeExecuted: string | null;
}

export interface ExactlyOnceFigures {
	guests: number;
	confirmedGuests: number;
	eventsPosted: number;
	/** Posts the trigger answered `duplicate: true` (the same eventId seen before). */
	duplicatesRejectedAtTrigger: number;
	/** With killWhileParked: executions waiting when n8n was killed, seconds down, seconds to ready. */
	crash?: {
		waitingWhenKilled: number;
		killedAt: string;
		downSeconds: number;
		restartSeconds: number;
	};
	expected: { reminder1: number; reminder2: number; confirmation: number; total: number };
	sent: {
		reminder1: number;
		reminder2: number;
		confirmation: number;
		other: number;
		total: number;
	};
	/** Sends beyond the first of a template to one guest. */
	duplicates: number;
	/** Expected messages that never came. */
	missing: number;
	/** Messages a guest should not have had (e.g. Reminder 2 after a confirmation). */
	unexpected: number;
	/** Non-200 answers of the fake to message sends. */
	failedSends: number;
	/** Bookings with more than one journey row (concurrent upserts on Postgres can insert twice). */
	bookingsWithDuplicateRows: number;
	/** Executions of the booking workflow by final status. */
	executionsByStatus: Record<string, number>;
	crashedExecutions: CrashedExecution[];
	durationSeconds: number;
}

export interface ExactlyOnceResult {
	figures: ExactlyOnceFigures;
	outcomes: GuestOutcome[];
	workflowIds: { booking: string; confirmation: string; postStay: string };
	/** Every booking-workflow execution id (from the REST API, paged). */
	bookingExecutionIds: string[];
}

const LANG: Record<Guest['language'], string> = { en: 'en', es: 'es', pt: 'pt_BR' };
const SUITE: Record<Guest['language'], string> = {
	en: 'Family Suite',
	es: 'Suite Familiar',
	pt: 'Suíte Família',
};
const text = (value: string) => ({ type: 'text', text: value });
const ALL_STATUSES = [
	'new',
	'running',
	'waiting',
	'success',
	'error',
	'crashed',
	'canceled',
	'unknown',
];

/** The exact Reminder 1 request body the shipped workflow sends (as in test/e2e/restart.test.ts). */
export function reminder1Body(guest: Guest): Record<string, unknown> {
	const code = LANG[guest.language];
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: guest.phone.slice(1),
		type: 'template',
		// Journey sends carry their journey tag (lib/journey/sendTag.ts, docs/recovery.md).
		biz_opaque_callback_data: journeySendTag('reminder1', guest.bookingId),
		template: {
			name: 'booking_reminder_1',
			language: { code },
			components: [
				{
					type: 'body',
					parameters: [
						text(guest.name.split(' ')[0]),
						text(SUITE[guest.language]),
						text(formatStayDate('2026-07-10', code)),
						text(formatStayDate('2026-07-14', code)),
					],
				},
				{
					type: 'button',
					sub_type: 'url',
					index: '0',
					parameters: [text(`resume/${guest.bookingId}`)],
				},
			],
		},
	};
}

export const templateOf = (r: RequestRecord) =>
	String(
		(r.body as { template?: { name?: string } }).template?.name ??
			(r.body as { type?: string }).type,
	);

/** Runs the scenario on an already started n8n; starts (and closes) its own fake Cloud API. */
export async function runExactlyOnceJourneys(
	n8n: N8nInstance,
	opts: ExactlyOnceOptions = {},
): Promise<ExactlyOnceResult> {
	const log = opts.log ?? (() => undefined);
	const N = opts.guests ?? 30;
	const R1_DELAY_S = opts.reminder1DelayS ?? 20;
	const R2_MIN_S = opts.reminder2MinS ?? 90;
	const R2_MAX_S = opts.reminder2MaxS ?? 100;
	const http = axios.create({ validateStatus: () => true, timeout: 120_000 });
	const secret = randomBytes(24).toString('hex');
	const fake: FakeCloudApi = await startFakeCloudApi({
		port: 0,
		host: '127.0.0.1',
		statusDelayMs: 20,
	});
	const t0 = Date.now();
	try {
		const tenant: Tenant = await createTenant(n8n.api, new FakeControl(fake.url), 'queue-mode');
		fake.seedTemplates(tenant.wabaId, [
			...templateSeeds('booking_reminder_1'),
			...templateSeeds('booking_reminder_2'),
			...templateSeeds('reservation_confirmation'),
		]);
		const journeysTable = (await provisionResortTables(n8n.api)).resort_journeys;
		// docs/queue-mode.md: on Postgres, one journey row per booking is enforced by an index.
		const postgres = (n8n as Partial<QueueModeN8n>).postgres;
		if (postgres) log(`unique keys: ${applyResortUniqueKeys(postgres).join(', ')}`);
		const tag = randomBytes(3).toString('hex');
		const webhook = {
			id: await n8n.api.createCredential(
				'resortBookingWebhookApi',
				`Resort Booking Webhook (queue ${tag})`,
				{ signingSecret: secret, token: randomBytes(16).toString('hex') },
			),
			name: `Resort Booking Webhook (queue ${tag})`,
		};
		const guestData = {
			id: await n8n.api.createCredential('resortGuestDataApi', `Resort Guest Data (queue ${tag})`, {
				encryptionKey: randomBytes(32).toString('hex'),
				lookupKey: randomBytes(32).toString('hex'),
			}),
			name: `Resort Guest Data (queue ${tag})`,
		};
		const ours = (workflow: WorkflowJson) =>
			withCredentials(workflow, {
				resortBookingWebhookApi: webhook,
				resortGuestDataApi: guestData,
			});
		const confirmationId = (
			await deployWorkflow(n8n.api, tenant, ours(loadWorkflow('reservation-confirmation.json')))
		).id;
		const postStayId = (
			await deployWorkflow(n8n.api, tenant, ours(loadWorkflow('post-stay-review-upsell.json')))
		).id;
		const workflow = ours(loadWorkflow('booking-abandonment.json'));
		setSettings(workflow, 'Settings', {
			reminder2MinHours: R2_MIN_S / 3600,
			reminder2MaxHours: R2_MAX_S / 3600,
			// Quiet hours off: the run must not depend on the time of day.
			quietHoursStart: '00:00',
			quietHoursEnd: '00:00',
		});
		const deployed = await deployWorkflow(n8n.api, tenant, workflow, {
			// docs/queue-mode.md: in queue mode the platform is answered once the run parked or ended.
			'Booking Event': { respond: 'lastNode' },
			'Wait Before Reminder 1': { amount: R1_DELAY_S, unit: 'seconds' },
			'Confirm Reservation': { workflowId: { __rl: true, mode: 'id', value: confirmationId } },
			'Post-Stay Review': { workflowId: { __rl: true, mode: 'id', value: postStayId } },
		});
		const bookingId = deployed.id;
		const bookingUrl = `${n8n.baseUrl}/webhook/${deployed.webhookIds['Booking Event']}/booking`;
		log(
			`deployed booking-abandonment ${bookingId} (+ confirmation ${confirmationId}, post-stay ${postStayId}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
		);

		const languages: Array<Guest['language']> = ['en', 'es', 'pt'];
		const guests: Guest[] = Array.from({ length: N }, (_, i) => ({
			// Spanish mobile numbers, distinct per run: +34 6 <5 random digits> <3-digit index>.
			phone: `+346${[...randomBytes(5)].map((b) => b % 10).join('')}${String(i).padStart(3, '0')}`,
			bookingId: `bk-q-${tag}-${String(i).padStart(3, '0')}`,
			name: `Guest${i} Queue`,
			language: languages[i % languages.length],
			confirms: i % 2 === 0,
		}));

		let eventsPosted = 0;
		let duplicatesRejectedAtTrigger = 0;
		let deferredAtTrigger = 0;
		const event = (type: BookingEventType, guest: Guest): string => JSON.stringify(bookingEventBody(type, guest));
		const send = async (raw: string, signature: string) =>
			await http.post(bookingUrl, raw, {
				headers: { 'content-type': 'application/json', 'x-resort-signature': signature },
				transformRequest: [(data: string) => data],
			});
		const post = async (raw: string, signature: string): Promise<void> => {
			let response = await send(raw, signature);
			// 409: the same event's first delivery was still unanswered; a platform delivers it again.
			for (let tries = 1; response.status === 409 && tries < 30; tries++) {
				deferredAtTrigger += 1;
				await sleep(1000);
				response = await send(raw, sign(raw));
			}
			eventsPosted += 1;
			if (response.status !== 202)
				throw new Error(
					`booking webhook answered HTTP ${response.status}: ${JSON.stringify(response.data)}`,
				);
			if (JSON.stringify(response.data).includes('"duplicate":true'))
				duplicatesRejectedAtTrigger += 1;
		};
		const sign = (raw: string) => signBookingWebhook(raw, secret, Date.now() / 1000);
		const inPool = async <T>(items: T[], size: number, fn: (item: T) => Promise<void>) => {
			let next = 0;
			await Promise.all(
				Array.from({ length: Math.min(size, items.length) }, async () => {
					while (next < items.length) await fn(items[next++]);
				}),
			);
		};
		const sendsByGuest = (): Map<string, RequestRecord[]> => {
			const out = new Map<string, RequestRecord[]>(guests.map((g) => [g.phone.slice(1), []]));
			for (const r of fake.requests({ phoneNumberId: tenant.phoneNumberId })) {
				if (r.method !== 'POST' || r.kind !== 'messages') continue;
				out.get(String((r.body as { to?: string }).to))?.push(r);
			}
			return out;
		};
		const count = (name: string) => (list: RequestRecord[]) =>
			list.filter((r) => templateOf(r) === name).length;

		const listAll = async (workflowId: string) => {
			const all: Array<{ id: string; status: string }> = [];
			let lastId: string | undefined;
			for (;;) {
				// With a status filter n8n pages by id (findRangeWithCount: id < lastId, newest first, max 100).
				const q = new URLSearchParams({
					filter: JSON.stringify({ workflowId, status: ALL_STATUSES }),
					limit: '100',
					...(lastId ? { lastId } : {}),
				});
				const page = await n8n.api.request<{ results: Array<{ id: string; status: string }> }>(
					'GET',
					`/rest/executions?${q.toString()}`,
				);
				all.push(...page.results);
				if (page.results.length < 100) return all;
				lastId = page.results[page.results.length - 1].id;
			}
		};
		const statuses = (list: Array<{ status: string }>) =>
			list.reduce<Record<string, number>>(
				(acc, e) => ({ ...acc, [e.status]: (acc[e.status] ?? 0) + 1 }),
				{},
			);

		// 1. started + abandoned + its redelivery + a second abandoned (new eventId), all at once per guest.
		const concurrency = opts.postConcurrency ?? 10;
		let t = Date.now();
		await inPool(guests, concurrency, async (guest) => {
			const started = event('booking_started', guest);
			const abandoned = event('booking_abandoned', guest);
			const again = event('booking_abandoned', guest);
			const abandonedSignature = sign(abandoned);
			await Promise.all([
				post(started, sign(started)),
				post(abandoned, abandonedSignature),
				post(abandoned, abandonedSignature),
				...(opts.secondEvent === false ? [] : [post(again, sign(again))]),
			]);
		});
		log(
			`${eventsPosted} events accepted (202) in ${((Date.now() - t) / 1000).toFixed(1)} s; ${duplicatesRejectedAtTrigger} answered duplicate by the trigger, ${deferredAtTrigger} × 409 (first delivery still unanswered) delivered again`,
		);

		// 2. every guest has Reminder 1; then half confirm (once, redelivered, and a new eventId, at once).
		t = Date.now();
		await eventually(
			async () =>
				[...sendsByGuest().values()].every((list) => count('booking_reminder_1')(list) >= 1)
					? true
					: undefined,
			300_000,
			`Reminder 1 for each of ${N} guests`,
		);
		log(`every guest had Reminder 1 ${((Date.now() - t) / 1000).toFixed(1)} s after the last post`);
		const confirming = guests.filter((g) => g.confirms);
		t = Date.now();
		await inPool(confirming, concurrency, async (guest) => {
			const confirmed = event('reservation_confirmed', guest);
			const again = event('reservation_confirmed', guest);
			const signature = sign(confirmed);
			await Promise.all([
				post(confirmed, signature),
				post(confirmed, signature),
				...(opts.secondEvent === false ? [] : [post(again, sign(again))]),
			]);
		});
		log(
			`reservation_confirmed for ${confirming.length} guests accepted in ${((Date.now() - t) / 1000).toFixed(1)} s`,
		);

		let crash: ExactlyOnceFigures['crash'];
		if (opts.killWhileParked) {
			// Kill only when every confirmation is out and no execution is running: what is left are
			// the Reminder 2 waits stored in the database (a SIGKILL of a *running* execution leaves it
			// `crashed`, not resumed: n8n behaviour, out of this scenario).
			await eventually(
				async () =>
					confirming.every(
						(g) =>
							count('reservation_confirmation')(sendsByGuest().get(g.phone.slice(1)) ?? []) >= 1,
					)
						? true
						: undefined,
				300_000,
				'a confirmation for each confirming guest',
			);
			const parked = await eventually(
				async () => {
					const s = statuses(await listAll(bookingId));
					return !s.new && !s.running && s.waiting ? s : undefined;
				},
				300_000,
				'only waiting executions (none new or running)',
			);
			const sentBefore = fake.requests({ phoneNumberId: tenant.phoneNumberId }).length;
			const down = Date.now();
			await n8n.kill();
			log(
				`n8n killed (SIGKILL) with ${parked.waiting} executions waiting; ${sentBefore} requests so far`,
			);
			await n8n.restart();
			crash = {
				waitingWhenKilled: parked.waiting ?? 0,
				killedAt: new Date(down).toISOString(),
				downSeconds: Math.round((Date.now() - down) / 100) / 10,
				restartSeconds: Math.round(n8n.startupSeconds * 10) / 10,
			};
			log(`n8n restarted: ${JSON.stringify(crash)}`);
		}

		// 3. the others get Reminder 2; the confirmed get their confirmation.
		await eventually(
			async () => {
				const byGuest = sendsByGuest();
				return guests.every(
					(g) =>
						count(g.confirms ? 'reservation_confirmation' : 'booking_reminder_2')(
							byGuest.get(g.phone.slice(1)) ?? [],
						) >= 1,
				)
					? true
					: undefined;
			},
			(R2_MAX_S + 300) * 1000,
			'a confirmation for each confirming guest and Reminder 2 for each other guest',
		);
		log(
			`all confirmations and Reminder 2 arrived ${((Date.now() - t0) / 1000).toFixed(1)} s after the start`,
		);

		// Settle: every booking execution finished (the confirmed guests' Reminder 2 waits wake up and
		// find the journey converted), then give a late duplicate a chance to show up.
		await eventually(
			async () => {
				const s = statuses(await listAll(bookingId));
				return !s.new && !s.running && !s.waiting ? true : undefined;
			},
			(R2_MAX_S + 300) * 1000,
			'no booking execution left new, running or waiting',
		);
		await sleep(5000);
		const executions = await listAll(bookingId);
		// Executions n8n marked `crashed` (after a kill): which booking, which event, which node last.
		const crashedExecutions: CrashedExecution[] = [];
		for (const e of executions.filter((x) => x.status === 'crashed')) {
			const detail = await n8n.api.getExecution(e.id);
			const journey = N8nApi.nodeOutput(detail, 'Journey')[0] ?? {};
			crashedExecutions.push({
				id: e.id,
				bookingId: String(journey.bookingId ?? ''),
				eventType: String(journey.type ?? ''),
				guestConfirms: guests.find((g) => g.bookingId === journey.bookingId)?.confirms ?? null,
				lastNodeExecuted: detail.data?.resultData.lastNodeExecuted ?? null,
			});
		}

		const byGuest = sendsByGuest();
		const journeyRows = await rows(n8n.api, journeysTable);
		const outcomes: GuestOutcome[] = guests.map((guest) => ({
			guest,
			requests: byGuest.get(guest.phone.slice(1)) ?? [],
			templates: (byGuest.get(guest.phone.slice(1)) ?? []).map(templateOf),
			journeyRows: journeyRows.filter((row) => row.bookingId === guest.bookingId),
		}));
		const all = outcomes.flatMap((o) => o.requests);
		const sent = {
			reminder1: all.filter((r) => templateOf(r) === 'booking_reminder_1').length,
			reminder2: all.filter((r) => templateOf(r) === 'booking_reminder_2').length,
			confirmation: all.filter((r) => templateOf(r) === 'reservation_confirmation').length,
			other: 0,
			total: all.length,
		};
		sent.other = sent.total - sent.reminder1 - sent.reminder2 - sent.confirmation;
		let duplicates = 0;
		let missing = 0;
		let unexpected = 0;
		for (const o of outcomes) {
			const expected = new Set([
				'booking_reminder_1',
				o.guest.confirms ? 'reservation_confirmation' : 'booking_reminder_2',
			]);
			for (const name of expected) {
				const n = o.templates.filter((x) => x === name).length;
				if (n === 0) missing += 1;
				if (n > 1) duplicates += n - 1;
			}
			unexpected += o.templates.filter((x) => !expected.has(x)).length;
		}
		const figures: ExactlyOnceFigures = {
			guests: N,
			confirmedGuests: confirming.length,
			eventsPosted,
			duplicatesRejectedAtTrigger,
			...(crash ? { crash } : {}),
			expected: {
				reminder1: N,
				reminder2: N - confirming.length,
				confirmation: confirming.length,
				total: 2 * N,
			},
			sent,
			duplicates,
			missing,
			unexpected,
			failedSends: all.filter((r) => r.status !== 200).length,
			bookingsWithDuplicateRows: outcomes.filter((o) => o.journeyRows.length > 1).length,
			executionsByStatus: statuses(executions),
			crashedExecutions,
			durationSeconds: Math.round((Date.now() - t0) / 100) / 10,
		};
		log(`figures ${JSON.stringify(figures)}`);
		return {
			figures,
			outcomes,
			workflowIds: { booking: bookingId, confirmation: confirmationId, postStay: postStayId },
			bookingExecutionIds: executions.map((e) => e.id),
		};
	} finally {
		await fake.close();
	}
}

export interface QueueModeFigures extends ExactlyOnceFigures {
	mode: 'queue';
	workers: number;
	/** Workers that logged at least one booking execution. */
	workersUsed: number;
	/** Booking executions (ids) each worker started, resumes included. */
	executionsPerWorker: number[];
	/** Booking executions no worker logged (the main ran them): must be 0. */
	executionsNotOnWorker: number;
	/** Booking executions started twice on workers: parked in the database, resumed by the main's WaitTracker. */
	resumedFromDatabase: number;
	startupSeconds: number;
	timings: QueueModeN8n['timings'];
	versions: QueueModeN8n['versions'];
}

/** Which worker ran which booking execution, from the workers' "Worker started execution" log lines. */
export function workerFigures(n8n: QueueModeN8n, bookingExecutionIds: string[]) {
	const ids = new Set(bookingExecutionIds);
	const perWorker = n8n.workerExecutions().map((list) => list.filter((id) => ids.has(id)));
	const starts = new Map<string, number>();
	for (const list of perWorker) for (const id of list) starts.set(id, (starts.get(id) ?? 0) + 1);
	return {
		workers: n8n.workers.length,
		workersUsed: perWorker.filter((list) => list.length > 0).length,
		executionsPerWorker: perWorker.map((list) => new Set(list).size),
		executionsNotOnWorker: bookingExecutionIds.filter((id) => !starts.has(id)).length,
		resumedFromDatabase: [...starts.values()].filter((n) => n > 1).length,
	};
}

/**
 * For the reliability runner: queue-mode n8n (main + workers on a Postgres and a Redis of its
 * own), the exactly-once scenario, everything stopped again (also on failure). Throws when
 * Postgres/Redis/n8n cannot start (never reports a skipped run as a pass).
 */
export async function queueModeExactlyOnceFigures(
	opts: ExactlyOnceOptions & Partial<QueueModeOptions> = {},
): Promise<QueueModeFigures> {
	const n8n = await startQueueModeN8n({ extensionsDir: REPO_ROOT, workers: 2, ...opts });
	try {
		const result = await runExactlyOnceJourneys(n8n, opts);
		return {
			mode: 'queue',
			...result.figures,
			...workerFigures(n8n, result.bookingExecutionIds),
			startupSeconds: n8n.startupSeconds,
			timings: n8n.timings,
			versions: n8n.versions,
		};
	} finally {
		await n8n.stop();
	}
}
