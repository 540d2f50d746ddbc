/**
 * What the reliability scenarios share: a running target (any n8n that looks like an
 * `N8nInstance`, SQLite or queue mode, plus a fake Cloud API reached over HTTP), the shipped
 * booking journeys deployed into it, generated bookings with their expected messages, and the
 * check of what happened against the fake's request log and the Data tables (REST only: nothing
 * here reads n8n's database files, so the same code runs against Postgres).
 */
import { randomBytes, randomUUID } from 'crypto';

import axios from 'axios';

import { retryDelayMs, signBookingWebhook, type BookingEventType } from '../../lib';
import { BOOKING_SITE, bookingEventBody } from '../../scripts/n8n-runtime/bookingEvents';
import type { RequestRecord } from '../../scripts/fake-cloud-api/server';
import type { N8nApi, N8nInstance, WorkflowJson } from '../../scripts/n8n-runtime';
import { provisionResortTables, rows, type DataTableRow } from '../../scripts/n8n-runtime/dataTables';
import { createTenant, deployWorkflow, loadWorkflow, setSettings, sleep, templateSeeds, withCredentials, type Tenant } from '../support/e2e';
import type { FakeControl } from '../support/fakeControl';
import { rng, type Rng } from '../support/fuzz';

/** A running n8n (SQLite or queue mode) and a fake Cloud API. `instance` is needed only by the restart scenario. */
export interface Target {
	/** Shown in results: 'sqlite', 'queue (main + 2 workers, Postgres, Redis)', ... */
	label: string;
	/** Where webhooks are posted (the main instance, or a webhook processor in queue mode). */
	baseUrl: string;
	api: N8nApi;
	fake: FakeControl;
	instance?: Pick<N8nInstance, 'kill' | 'restart' | 'pid' | 'startupSeconds'>;
	/** Queue mode: kill and restart only the workers (the main keeps taking webhooks). */
	workers?: Pick<N8nInstance, 'kill' | 'restart' | 'startupSeconds'>;
	/**
	 * Called once the resort's Data tables exist: the database-side setup an agency does for this
	 * target (queue mode on Postgres: scripts/postgres/resort-unique-keys.sql).
	 */
	afterTablesProvisioned?: () => void | Promise<void>;
	/**
	 * The Booking Event Trigger's Respond setting for this target (shipped: 'onReceived'). Queue
	 * mode needs 'lastNode' (docs/queue-mode.md): a worker killed mid-run loses the stored event.
	 */
	bookingRespond?: 'onReceived' | 'lastNode';
	/** Called with every guest number handed to n8n (the e2e plaintext scan registers them). */
	onPhone?: (phone: string) => void;
	log?: (line: string) => void;
}

export const TEMPLATES = ['booking_reminder_1', 'booking_reminder_2', 'reservation_confirmation'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface JourneyDeployment {
	tenant: Tenant;
	secret: string;
	bookingUrl: string;
	tables: Record<string, string>;
	/** booking-abandonment first, then reservation-confirmation and post-stay-review-upsell. */
	workflowIds: string[];
	/** first-contact: where the fake's status webhooks arrive (it records journey sends from them). */
	firstContactId: string;
	wait1S: number;
	reminder2S: number;
}

/**
 * The three shipped journey workflows, deployed as an agency imports them, with only the owner's
 * knobs changed: Wait Before Reminder 1 = wait1S, Reminder 2 window = reminder2S (min = max),
 * quiet hours off (the run must not depend on the time of day), and, when given, the claim lease
 * (`claimLeaseMinutes` in each workflow's settings; shipped 15), and the target's Respond setting
 * of the Booking Event Trigger (`bookingRespond`). First Contact is deployed as
 * shipped too: the status webhooks of the journeys' sends arrive there.
 */
export async function deployJourneys(target: Target, opts: { label: string; wait1S: number; reminder2S: number; claimLeaseMinutes?: number }): Promise<JourneyDeployment> {
	const { api, fake } = target;
	const tenant = await createTenant(api, fake, opts.label);
	await fake.seedTemplates(tenant.wabaId, TEMPLATES.flatMap((name) => templateSeeds(name)));
	const tables = await provisionResortTables(api);
	await target.afterTablesProvisioned?.();
	const secret = randomBytes(24).toString('hex');
	const tag = randomBytes(3).toString('hex');
	const webhook = {
		id: await api.createCredential('resortBookingWebhookApi', `Resort Booking Webhook (${opts.label} ${tag})`, {
			signingSecret: secret,
			token: randomBytes(16).toString('hex'),
		}),
		name: `Resort Booking Webhook (${opts.label} ${tag})`,
	};
	const guestData = {
		id: await api.createCredential('resortGuestDataApi', `Resort Guest Data (${opts.label} ${tag})`, {
			encryptionKey: randomBytes(32).toString('hex'),
			lookupKey: randomBytes(32).toString('hex'),
		}),
		name: `Resort Guest Data (${opts.label} ${tag})`,
	};
	const ours = (workflow: WorkflowJson) => withCredentials(workflow, { resortBookingWebhookApi: webhook, resortGuestDataApi: guestData });
	const lease: Record<string, number> = opts.claimLeaseMinutes === undefined ? {} : { claimLeaseMinutes: opts.claimLeaseMinutes };
	const confirmation = ours(loadWorkflow('reservation-confirmation.json'));
	setSettings(confirmation, 'Confirmation Settings', lease);
	const confirmationId = (await deployWorkflow(api, tenant, confirmation)).id;
	const postStay = ours(loadWorkflow('post-stay-review-upsell.json'));
	setSettings(postStay, 'Post-Stay Settings', lease);
	const postStayId = (await deployWorkflow(api, tenant, postStay)).id;
	const workflow = ours(loadWorkflow('booking-abandonment.json'));
	setSettings(workflow, 'Settings', {
		reminder2MinHours: opts.reminder2S / 3600,
		reminder2MaxHours: opts.reminder2S / 3600,
		quietHoursStart: '00:00',
		quietHoursEnd: '00:00',
		...lease,
	});
	const deployed = await deployWorkflow(api, tenant, workflow, {
		...(target.bookingRespond ? { 'Booking Event': { respond: target.bookingRespond } } : {}),
		'Wait Before Reminder 1': { amount: opts.wait1S, unit: 'seconds' },
		'Confirm Reservation': { workflowId: { __rl: true, mode: 'id', value: confirmationId } },
		'Post-Stay Review': { workflowId: { __rl: true, mode: 'id', value: postStayId } },
	});
	const firstContactId = (await deployWorkflow(api, tenant, ours(loadWorkflow('first-contact.json')))).id;
	return {
		tenant,
		secret,
		firstContactId,
		bookingUrl: `${target.baseUrl}/webhook/${deployed.webhookIds['Booking Event']}/booking`,
		tables,
		workflowIds: [deployed.id, confirmationId, postStayId],
		wait1S: opts.wait1S,
		reminder2S: opts.reminder2S,
	};
}

export async function undeployJourneys(target: Target, d: JourneyDeployment): Promise<void> {
	for (const id of [...d.workflowIds, d.firstContactId]) await target.api.deactivateWorkflow(id).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// Bookings, their events and what each must end with

/**
 * left: started only → Reminder 1 after the wait. abandoned: started + abandoned → Reminder 1 at
 * once and Reminder 2 after the window. booked: started + confirmed → the confirmation, no
 * reminder. abandonedBooked: started + abandoned + confirmed → the confirmation, Reminder 1 at
 * most once (it races the confirmation by design), no Reminder 2. cancelled: started + cancelled →
 * nothing.
 */
export type Category = 'left' | 'abandoned' | 'booked' | 'abandonedBooked' | 'cancelled';

const CATEGORY_EVENTS: Record<Category, BookingEventType[]> = {
	left: ['booking_started'],
	abandoned: ['booking_started', 'booking_abandoned'],
	booked: ['booking_started', 'reservation_confirmed'],
	abandonedBooked: ['booking_started', 'booking_abandoned', 'reservation_confirmed'],
	cancelled: ['booking_started', 'reservation_cancelled'],
};

export const EXPECTED_STAGE: Record<Category, string> = {
	left: 'started',
	abandoned: 'abandoned',
	booked: 'converted',
	abandonedBooked: 'converted',
	cancelled: 'cancelled',
};

/** [min, max] requests accepted by the fake per template. */
export const EXPECTED_MESSAGES: Record<Category, Record<TemplateName, [number, number]>> = {
	left: { booking_reminder_1: [1, 1], booking_reminder_2: [0, 0], reservation_confirmation: [0, 0] },
	abandoned: { booking_reminder_1: [1, 1], booking_reminder_2: [1, 1], reservation_confirmation: [0, 0] },
	booked: { booking_reminder_1: [0, 0], booking_reminder_2: [0, 0], reservation_confirmation: [1, 1] },
	abandonedBooked: { booking_reminder_1: [0, 1], booking_reminder_2: [0, 0], reservation_confirmation: [1, 1] },
	cancelled: { booking_reminder_1: [0, 0], booking_reminder_2: [0, 0], reservation_confirmation: [0, 0] },
};

export interface Booking {
	index: number;
	bookingId: string;
	phone: string;
	category: Category;
	/** Raw bodies in the order they will be posted (duplicates included). */
	events: Array<{ type: BookingEventType; raw: string; duplicate: 'no' | 'same-event-id' | 'new-event-id' }>;
}

const LANGUAGES = ['en', 'es', 'pt'] as const;

/** Confirmations keep the resume URL the storm's expected messages were written for. */
function eventBody(type: BookingEventType, b: { bookingId: string; phone: string; index: number }): Record<string, unknown> {
	const body = bookingEventBody(type, { ...b, name: `Guest${b.index} Storm`, language: LANGUAGES[b.index % LANGUAGES.length] });
	body.bookingUrl = `${BOOKING_SITE}resume/${b.bookingId}`;
	return body;
}

function shuffle<T>(r: Rng, items: T[]): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = r.int(0, i);
		[items[i], items[j]] = [items[j], items[i]];
	}
	return items;
}

/**
 * `count` bookings with about `events` events in all: each booking's own events, then
 * duplicates (the same body again = a redelivery with the same eventId, or the same business
 * event with a new eventId) spread at random, and every booking's list shuffled (out of order).
 */
export function generateBookings(opts: { count: number; events: number; seed: number; mix?: Partial<Record<Category, number>> }): Booking[] {
	const r = rng(opts.seed);
	const mix: Record<Category, number> = { left: 1, abandoned: 1, booked: 1, abandonedBooked: 1, cancelled: 1, ...opts.mix };
	const categories = (Object.keys(mix) as Category[]).filter((c) => mix[c] > 0);
	const run = randomBytes(4).readUInt32BE(0) % 90 + 10;
	const bookings: Booking[] = Array.from({ length: opts.count }, (_, index) => {
		const category = categories[index % categories.length];
		// Spanish mobile numbers +34 7<run 2 digits><index 6 digits>: distinct per run and booking.
		const phone = `+347${run}${String(index).padStart(6, '0')}`;
		const bookingId = `bk-storm-${run}-${String(index).padStart(5, '0')}-${randomBytes(2).toString('hex')}`;
		const events = CATEGORY_EVENTS[category].map((type) => ({ type, raw: JSON.stringify(eventBody(type, { bookingId, phone, index })), duplicate: 'no' as const }));
		return { index, bookingId, phone, category, events };
	});
	let total = bookings.reduce((n, b) => n + b.events.length, 0);
	while (total < opts.events) {
		const b = r.pick(bookings);
		const original = r.pick(b.events.filter((e) => e.duplicate === 'no'));
		if (r.chance(0.5)) b.events.push({ ...original, duplicate: 'same-event-id' });
		else {
			const body = JSON.parse(original.raw) as Record<string, unknown>;
			body.eventId = `evt-${randomUUID()}`;
			b.events.push({ type: original.type, raw: JSON.stringify(body), duplicate: 'new-event-id' });
		}
		total++;
	}
	for (const b of bookings) shuffle(r, b.events);
	return bookings;
}

// ---------------------------------------------------------------------------------------------
// Posting

export const http = axios.create({ validateStatus: () => true, timeout: 120_000 });

export interface PostTally {
	posted: number;
	byStatus: Record<string, number>;
	/** Posts that got no 2xx and were posted again (a booking platform redelivers until it gets a 2xx). */
	redelivered: number;
	/** Events that never got a 2xx: the poster gave up after maxTries (n8n never acknowledged them). */
	gaveUp: number;
	firstPostAt: number;
	lastAcceptedAt: number;
	latencies: number[];
}

export function newTally(): PostTally {
	return { posted: 0, byStatus: {}, redelivered: 0, gaveUp: 0, firstPostAt: 0, lastAcceptedAt: 0, latencies: [] };
}

/**
 * How a booking platform redelivers an event that got no 2xx: 1 s, 2 s, 4 s … doubling, at most
 * 30 s apart, 12 tries (about 3.5 minutes). Platforms keep trying for hours; the scenarios stop
 * sooner and count what they gave up on.
 */
export const PLATFORM_REDELIVERY = { maxTries: 12, retryDelayMs: 1000, backoffMaxMs: 30_000 };

/** Posts one signed event until it gets a 2xx (like a booking platform), at most `maxTries` times. */
export async function postEvent(d: JourneyDeployment, raw: string, tally: PostTally, opts: { maxTries?: number; retryDelayMs?: number; backoffMaxMs?: number } = {}): Promise<boolean> {
	const maxTries = opts.maxTries ?? 1;
	for (let attempt = 1; attempt <= maxTries; attempt++) {
		if (!tally.firstPostAt) tally.firstPostAt = Date.now();
		const t0 = Date.now();
		let status: number;
		try {
			const response = await http.post(d.bookingUrl, raw, {
				headers: { 'content-type': 'application/json', 'x-resort-signature': signBookingWebhook(raw, d.secret, Date.now() / 1000) },
				transformRequest: [(data: string) => data],
			});
			status = response.status;
		} catch {
			status = 0; // connection refused or reset (n8n down)
		}
		tally.posted++;
		tally.latencies.push(Date.now() - t0);
		tally.byStatus[String(status)] = (tally.byStatus[String(status)] ?? 0) + 1;
		if (status >= 200 && status < 300) {
			tally.lastAcceptedAt = Date.now();
			return true;
		}
		if (attempt < maxTries) {
			tally.redelivered++;
			const delay = opts.retryDelayMs ?? 1000;
			// The package's own backoff (lib/whatsapp/retry.ts), without jitter: 1, 2, 4 … s up to the cap.
			const backoff = { maxRetries: maxTries - 1, baseDelayMs: delay, maxDelayMs: opts.backoffMaxMs ?? delay };
			await sleep(opts.backoffMaxMs ? retryDelayMs(backoff, attempt, undefined, () => 1) : delay);
		}
	}
	tally.gaveUp++;
	return false;
}

/**
 * Posts every booking's events: `concurrency` bookings at a time, each booking's events all at
 * once (so they race each other in n8n), in the booking's shuffled order.
 */
export async function postStorm(
	d: JourneyDeployment,
	bookings: Booking[],
	opts: { concurrency: number; maxTries?: number; retryDelayMs?: number; backoffMaxMs?: number; tally?: PostTally; onProgress?: (done: number) => void },
): Promise<PostTally> {
	const tally = opts.tally ?? newTally();
	let next = 0;
	let done = 0;
	const worker = async () => {
		while (next < bookings.length) {
			const b = bookings[next++];
			await Promise.all(b.events.map((e) => postEvent(d, e.raw, tally, opts)));
			opts.onProgress?.(++done);
		}
	};
	await Promise.all(Array.from({ length: opts.concurrency }, worker));
	return tally;
}

// ---------------------------------------------------------------------------------------------
// Waiting for the dust to settle, and checking

const ACTIVE = new Set(['new', 'running', 'waiting', 'unknown']);

/** Executions of these workflows not finished yet (n8n lists at most 100 per call: enough to say "some"). */
export async function activeExecutions(api: N8nApi, workflowIds: string[], ignoreNew?: ReadonlySet<string>): Promise<{ active: number; ignoredNew: number }> {
	let active = 0;
	let ignoredNew = 0;
	for (const workflowId of workflowIds) {
		const list = await api.listExecutions({ workflowId, status: ['new', 'running', 'waiting'], limit: 100 });
		for (const e of list) {
			if (!ACTIVE.has(e.status)) continue;
			if (e.status === 'new' && ignoreNew?.has(String(e.id))) ignoredNew += 1;
			else active += 1;
		}
	}
	return { active, ignoredNew };
}

export async function executionsByStatus(api: N8nApi, workflowIds: string[]): Promise<Record<string, number>> {
	const out: Record<string, number> = {};
	for (const workflowId of workflowIds) {
		for (const status of ['error', 'crashed', 'canceled']) {
			const list = (await api.listExecutions({ workflowId, status: [status], limit: 100 })).filter((e) => e.status === status);
			if (list.length) out[status] = (out[status] ?? 0) + list.length;
		}
	}
	return out;
}

/**
 * Waits until every timer had its chance (`notBefore`), no execution of the journeys is new,
 * running or waiting, and the fake's message log has not grown for `quietMs`.
 */
export async function settle(
	target: Target,
	d: JourneyDeployment,
	opts: { notBefore: number; timeoutMs: number; quietMs?: number; ignoreNew?: ReadonlySet<string> },
): Promise<{ settled: boolean; waitedS: number; ignoredNew: number }> {
	const start = Date.now();
	const quietMs = opts.quietMs ?? 8000;
	let lastCount = -1;
	let lastChange = Date.now();
	for (;;) {
		const count = (await target.fake.sends(d.tenant.phoneNumberId)).length;
		if (count !== lastCount) {
			lastCount = count;
			lastChange = Date.now();
		}
		const { active, ignoredNew } =
			Date.now() >= opts.notBefore ? await activeExecutions(target.api, [...d.workflowIds, d.firstContactId], opts.ignoreNew).catch(() => ({ active: 1, ignoredNew: 0 })) : { active: 1, ignoredNew: 0 };
		if (active === 0 && Date.now() - lastChange >= quietMs) return { settled: true, waitedS: (Date.now() - start) / 1000, ignoredNew };
		if (Date.now() - start > opts.timeoutMs) return { settled: false, waitedS: (Date.now() - start) / 1000, ignoredNew };
		await sleep(2000);
	}
}

export interface BookingVerdict {
	bookingId: string;
	category: Category;
	problems: string[];
}

export interface CheckResult {
	bookings: number;
	/** Messages that had to be delivered (min of each expectation). */
	expectedMessages: number;
	/** Distinct messages accepted by the fake (status 200), per template. */
	delivered: Record<string, number>;
	/** Extra accepted copies of one message to one guest (beyond the first). */
	duplicates: number;
	/** Required messages neither accepted by the fake nor in the review queue. */
	missing: number;
	/** Required messages not delivered but in the review queue (a person sees them). */
	inReview: number;
	/** Accepted messages that should not exist (e.g. a reminder after the booking was confirmed). */
	unexpected: number;
	/**
	 * abandonedBooked bookings whose Reminder 2 was claimed before the confirmation's execution
	 * converted the booking (journey row: reminder2ClaimedAt < confirmationClaimedAt). With the
	 * window compressed to seconds, a confirmation that waited longer than that in n8n's queue comes
	 * after Reminder 2 is due; that Reminder 2 follows the workflow's rule and is allowed, counted here.
	 */
	reminder2BeforeConversion: number;
	wrongStage: number;
	/** Bookings without exactly one journey row. */
	rowCountWrong: number;
	/** Most requests for one message to one guest (first try + retries). */
	maxAttemptsPerMessage: number;
	reviewRows: number;
	correctionRows: number;
	failedBookings: BookingVerdict[];
}

const templateOf = (r: RequestRecord) => (r.body as { template?: { name?: string } }).template?.name ?? '(text)';

/**
 * Every booking against the fake's request log and the Data tables. A required message is fine
 * when the fake accepted it exactly once, or (when `allowReview`) when it was never accepted and
 * exactly one review-queue row for that booking names its template.
 */
export async function checkBookings(target: Target, d: JourneyDeployment, bookings: Booking[], opts: { allowReview: boolean; maxAttempts?: number }): Promise<CheckResult> {
	const sends = await target.fake.sends(d.tenant.phoneNumberId);
	const byPhone = new Map<string, RequestRecord[]>();
	for (const r of sends) {
		const to = String((r.body as { to?: string }).to);
		byPhone.set(to, [...(byPhone.get(to) ?? []), r]);
	}
	const ids = new Set(bookings.map((b) => b.bookingId));
	const group = (all: DataTableRow[]) => {
		const out = new Map<string, DataTableRow[]>();
		for (const row of all) {
			const id = String(row.bookingId);
			if (ids.has(id)) out.set(id, [...(out.get(id) ?? []), row]);
		}
		return out;
	};
	const journeys = group(await rows(target.api, d.tables.resort_journeys));
	const reviews = group(await rows(target.api, d.tables.resort_review_queue));
	const corrections = group(await rows(target.api, d.tables.resort_correction_queue));

	const result: CheckResult = {
		bookings: bookings.length,
		expectedMessages: 0,
		delivered: {},
		duplicates: 0,
		missing: 0,
		inReview: 0,
		unexpected: 0,
		reminder2BeforeConversion: 0,
		wrongStage: 0,
		rowCountWrong: 0,
		maxAttemptsPerMessage: 0,
		reviewRows: [...reviews.values()].flat().length,
		correctionRows: [...corrections.values()].flat().length,
		failedBookings: [],
	};
	for (const b of bookings) {
		const problems: string[] = [];
		const mine = byPhone.get(b.phone.slice(1)) ?? [];
		const review = reviews.get(b.bookingId) ?? [];
		const accepted1 = mine.some((r) => templateOf(r) === 'booking_reminder_1' && r.status === 200);
		const row = (journeys.get(b.bookingId) ?? [])[0];
		const claimedAt = (column: string) => (row?.[column] ? Date.parse(String(row[column])) : NaN);
		const reminder2BeforeConversion = b.category === 'abandonedBooked' && claimedAt('reminder2ClaimedAt') < claimedAt('confirmationClaimedAt');
		for (const template of TEMPLATES) {
			let [min, max] = EXPECTED_MESSAGES[b.category][template];
			// A Reminder 1 that failed does not plan Reminder 2 (docs/journeys.md): then none is due.
			if (template === 'booking_reminder_2' && !accepted1) [min, max] = [0, 0];
			else if (template === 'booking_reminder_2' && reminder2BeforeConversion) max = 1;
			result.expectedMessages += min;
			const requests = mine.filter((r) => templateOf(r) === template);
			const accepted = requests.filter((r) => r.status === 200).length;
			const reviewed = review.filter((row) => String(row.reason).includes(`${template} not delivered`)).length;
			result.maxAttemptsPerMessage = Math.max(result.maxAttemptsPerMessage, requests.length);
			if (opts.maxAttempts !== undefined && requests.length > opts.maxAttempts && accepted === 0) problems.push(`${template}: ${requests.length} attempts (policy allows ${opts.maxAttempts})`);
			if (accepted > 0) result.delivered[template] = (result.delivered[template] ?? 0) + 1;
			if (template === 'booking_reminder_2' && reminder2BeforeConversion && accepted > 0) result.reminder2BeforeConversion++;
			if (accepted > 1) {
				result.duplicates += accepted - 1;
				problems.push(`${template}: accepted ${accepted} times`);
			}
			if (accepted > max) {
				if (max === 0) {
					result.unexpected += accepted;
					problems.push(`${template}: sent although not expected`);
				}
			}
			if (accepted === 0 && min > 0) {
				if (opts.allowReview && reviewed === 1) result.inReview++;
				else {
					result.missing++;
					problems.push(`${template}: not delivered, ${reviewed} review rows (requests ${requests.map((r) => r.status).join(',') || 'none'})`);
				}
			} else if (reviewed > 0 && accepted > 0) problems.push(`${template}: delivered and also in review (${reviewed})`);
			else if (reviewed > 1) problems.push(`${template}: ${reviewed} review rows`);
		}
		const rowsOf = journeys.get(b.bookingId) ?? [];
		if (rowsOf.length !== 1) {
			result.rowCountWrong++;
			problems.push(`${rowsOf.length} journey rows`);
		}
		const stage = rowsOf[0]?.stage;
		if (stage !== EXPECTED_STAGE[b.category]) {
			result.wrongStage++;
			problems.push(`stage ${String(stage)} (expected ${EXPECTED_STAGE[b.category]})`);
		}
		if (problems.length) result.failedBookings.push({ bookingId: b.bookingId, category: b.category, problems });
	}
	return result;
}

export const percentile = (values: number[], p: number) => {
	if (!values.length) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
