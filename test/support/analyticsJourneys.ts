/**
 * A resort of its own (tenant, credentials, the four shipped journey workflows) and a scripted
 * run of guest journeys through it, for the analytics e2e tests: what the shipped workflows record
 * into `resort_events`, and what the dashboard shows of it.
 *
 * The script (guests have fresh numbers; the fake Cloud API answers every accepted send with
 * `sent` + `delivered` status webhooks unless a fault says otherwise):
 * - Lucia writes "Hola" on WhatsApp (first contact → welcome_qualifier), taps "Familia" (button →
 *   qualified → product_suggestions), then starts a booking and confirms it (1240 EUR).
 * - Ben abandons a booking (booking_reminder_1; the fake then reports it read), confirms (900 EUR)
 *   and buys an extra for it (extra_purchased, 120 EUR: stage upsold, no message).
 * - Carla abandons a booking; Meta reports her reminder failed (status webhook, code 131049).
 * - Three refused webhooks: a booking event with a wrong signature (401), an invalid booking
 *   event (422) and a WhatsApp delivery with a wrong signature (401).
 */
import axios from 'axios';
import { randomBytes } from 'crypto';

import { signBookingWebhook, type BookingEventType } from '../../lib';
import { bookingEventBody } from '../../scripts/n8n-runtime/bookingEvents';
import { maskPhone } from '../../lib/privacy';
import type { N8nApi, WorkflowJson } from '../../scripts/n8n-runtime';
import { provisionResortTables, rows, type DataTableRow } from '../../scripts/n8n-runtime/dataTables';
import type { FakeControl } from './fakeControl';
import { createTenant, deployWorkflow, eventually, loadWorkflow, setSettings, sleep, templateSeeds, withCredentials, type Tenant } from './e2e';
import { createGuestDataCredential, type GuestDataCredential } from './guestData';
import { guestPhone, plaintextOnPurpose } from './guestPhones';

const http = axios.create({ validateStatus: () => true, timeout: 30_000 });

export interface AnalyticsGuest {
	name: string;
	phone: string;
	bookingId: string;
	language: string;
	guestKey: string;
}

export interface AnalyticsResort {
	tenant: Tenant;
	guestData: GuestDataCredential;
	bookingSecret: string;
	bookingUrl: string;
	eventsTable: string;
	workflowIds: string[];
}

export interface ScriptedRun {
	guests: { lucia: AnalyticsGuest; ben: AnalyticsGuest; carla: AnalyticsGuest };
	startedAt: string;
	finishedAt: string;
}

export async function deployAnalyticsResort(n8n: N8nApi, fake: FakeControl, n8nUrl: string, label: string): Promise<AnalyticsResort> {
	const tenant = await createTenant(n8n, fake, label);
	await fake.seedTemplates(tenant.wabaId, [
		...templateSeeds('welcome_qualifier'),
		...templateSeeds('product_suggestions'),
		...templateSeeds('booking_reminder_1'),
		...templateSeeds('booking_reminder_2'),
		...templateSeeds('reservation_confirmation'),
		...templateSeeds('post_purchase_review'),
		...templateSeeds('upsell_offer'),
	]);
	const tables = await provisionResortTables(n8n);
	const guestData = await createGuestDataCredential(n8n, label);
	const bookingSecret = randomBytes(24).toString('hex');
	const hookName = `Resort Booking Webhook (${label} ${randomBytes(3).toString('hex')})`;
	const hook = {
		id: await n8n.createCredential('resortBookingWebhookApi', hookName, { signingSecret: bookingSecret, token: randomBytes(16).toString('hex') }),
		name: hookName,
	};
	const ours = (workflow: WorkflowJson) => withCredentials(workflow, { resortBookingWebhookApi: hook, resortGuestDataApi: guestData });
	const workflowIds: string[] = [];
	const confirmation = await deployWorkflow(n8n, tenant, ours(loadWorkflow('reservation-confirmation.json')));
	const postStay = await deployWorkflow(n8n, tenant, ours(loadWorkflow('post-stay-review-upsell.json')));
	workflowIds.push(confirmation.id, postStay.id);

	const abandonment = ours(loadWorkflow('booking-abandonment.json'));
	// Reminder 2 an hour later (never within the test); quiet hours off (the test must not depend on the time of day).
	setSettings(abandonment, 'Settings', { reminder2MinHours: 1, reminder2MaxHours: 1.1, quietHoursStart: '00:00', quietHoursEnd: '00:00' });
	const deployed = await deployWorkflow(n8n, tenant, abandonment, {
		// A started booking gets its reminder after a minute: Lucia confirms long before.
		'Wait Before Reminder 1': { amount: 60, unit: 'seconds' },
		'Confirm Reservation': { workflowId: { __rl: true, mode: 'id', value: confirmation.id } },
		'Post-Stay Review': { workflowId: { __rl: true, mode: 'id', value: postStay.id } },
	});
	workflowIds.push(deployed.id);

	const firstContact = ours(loadWorkflow('first-contact.json'));
	const owner = plaintextOnPurpose("analytics e2e: the resort owner's number in the Settings node (not a guest)");
	setSettings(firstContact, 'Settings', { ownerPhone: owner });
	workflowIds.push((await deployWorkflow(n8n, tenant, firstContact)).id);

	return {
		tenant,
		guestData,
		bookingSecret,
		bookingUrl: `${n8nUrl}/webhook/${deployed.webhookIds['Booking Event']}/booking`,
		eventsTable: tables.resort_events,
		workflowIds,
	};
}

export async function stopAnalyticsResort(n8n: N8nApi, resort: AnalyticsResort | undefined): Promise<void> {
	for (const id of resort?.workflowIds ?? []) await n8n.deactivateWorkflow(id).catch(() => undefined);
}

const bookingEvent = (type: BookingEventType, guest: AnalyticsGuest, amount?: number) => bookingEventBody(type, guest, { amount });

async function postBooking(resort: AnalyticsResort, body: Record<string, unknown>, secret = resort.bookingSecret): Promise<number> {
	const raw = JSON.stringify(body);
	const response = await http.post(resort.bookingUrl, raw, {
		headers: { 'content-type': 'application/json', 'x-resort-signature': signBookingWebhook(raw, secret, Date.now() / 1000) },
		transformRequest: [(data: string) => data],
	});
	return response.status;
}

/** Rows of resort_events that belong to this run: its guests and bookings, and refusals during it. */
export async function runEvents(n8n: N8nApi, resort: AnalyticsResort, run: Pick<ScriptedRun, 'guests' | 'startedAt'> & { finishedAt?: string }): Promise<DataTableRow[]> {
	const guests = Object.values(run.guests);
	const keys = new Set(guests.map((g) => g.guestKey));
	const bookings = new Set(guests.map((g) => g.bookingId));
	const from = Date.parse(run.startedAt);
	const to = run.finishedAt ? Date.parse(run.finishedAt) : Infinity;
	return (await rows(n8n, resort.eventsTable)).filter((row) => {
		if (keys.has(String(row.guestKey)) || bookings.has(String(row.bookingId))) return true;
		const at = Date.parse(String(row.at));
		return row.type === 'webhook_rejected' && at >= from - 1000 && at <= to + 1000;
	});
}

const countOf = (events: DataTableRow[], type: string, where: (row: DataTableRow) => boolean = () => true) =>
	events.filter((row) => row.type === type && where(row)).length;

/** What the script must leave in resort_events, per type (see the file comment). */
export const EXPECTED_TYPE_COUNTS: Record<string, number> = {
	webhook_received: 8,
	webhook_rejected: 3,
	message_sent: 6,
	message_delivered: 5,
	message_read: 1,
	message_failed: 1,
	guest_reply: 1,
	button_click: 1,
	stage_changed: 9,
	conversion: 3,
};

export async function runScriptedJourneys(n8n: N8nApi, fake: FakeControl, resort: AnalyticsResort): Promise<ScriptedRun> {
	const startedAt = new Date().toISOString();
	const make = (name: string, language: string): AnalyticsGuest => {
		const phone = guestPhone();
		return { name, phone, language, bookingId: `bk-${randomBytes(4).toString('hex')}`, guestKey: resort.guestData.lookupKey(phone) };
	};
	const guests = { lucia: make('Lucía García', 'es'), ben: make('Ben Carter', 'en'), carla: make('Carla Souza', 'pt') };
	const { tenant } = resort;
	const events = () => runEvents(n8n, resort, { guests, startedAt });
	const until = async (what: string, check: (rows: DataTableRow[]) => boolean, timeoutMs = 60_000) =>
		await eventually(async () => ((await check(await events())) ? true : undefined), timeoutMs, what);
	const mine = (guest: AnalyticsGuest) => (row: DataTableRow) => row.guestKey === guest.guestKey;
	const { lucia, ben, carla } = guests;

	// Lucia on WhatsApp: a greeting, then a tap on the welcome's "Family" button.
	const wa = lucia.phone.slice(1);
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: wa, name: 'Lucía', text: 'Hola' });
	await until('Lucia welcomed and delivered', (rows) => countOf(rows, 'message_delivered', mine(lucia)) >= 1 && countOf(rows, 'guest_reply', mine(lucia)) === 1);
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: wa, name: 'Lucía', quickReplyButton: { payload: 'family', text: 'Familia' } });
	await until('Lucia suggestions delivered', (rows) => countOf(rows, 'message_delivered', mine(lucia)) >= 2 && countOf(rows, 'button_click', mine(lucia)) === 1);

	// Lucia books; the journey row exists before the confirmation arrives.
	expect(await postBooking(resort, bookingEvent('booking_started', lucia))).toBe(202);
	await until('Lucia booking started', (rows) => countOf(rows, 'stage_changed', (r) => r.stage === 'booking_started' && r.bookingId === lucia.bookingId) === 1);
	await sleep(500);
	expect(await postBooking(resort, bookingEvent('reservation_confirmed', lucia, 1240))).toBe(202);
	await until('Lucia confirmation sent', (rows) => countOf(rows, 'message_sent', mine(lucia)) === 3);

	// Ben abandons, reads the reminder, and confirms.
	expect(await postBooking(resort, bookingEvent('booking_abandoned', ben))).toBe(202);
	await until('Ben reminder delivered', (rows) => countOf(rows, 'message_delivered', mine(ben)) === 1);
	const reminder = (await events()).find((r) => r.type === 'message_sent' && r.guestKey === ben.guestKey);
	await fake.status({ wamid: String(reminder?.messageId), status: 'read' });
	await until('Ben read', (rows) => countOf(rows, 'message_read', mine(ben)) === 1);
	expect(await postBooking(resort, bookingEvent('reservation_confirmed', ben, 900))).toBe(202);
	// The fault below must hit Carla's reminder, not this confirmation.
	await until('Ben confirmation sent', (rows) => countOf(rows, 'message_sent', mine(ben)) === 2);
	// Ben buys an extra: recorded only (the fault below cannot hit it: nothing is sent).
	expect(await postBooking(resort, bookingEvent('extra_purchased', ben, 120))).toBe(202);
	await until('Ben upsold', (rows) => countOf(rows, 'stage_changed', (r) => r.stage === 'upsold' && r.bookingId === ben.bookingId) === 1);

	// Carla abandons; Meta accepts her reminder, then reports it failed.
	await fake.addFaults({ phoneNumberId: tenant.phoneNumberId, path: 'messages', count: 1, statusFailure: { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' } });
	expect(await postBooking(resort, bookingEvent('booking_abandoned', carla))).toBe(202);

	// Refused webhooks.
	expect(await postBooking(resort, bookingEvent('booking_abandoned', make('Nobody', 'en')), 'not-the-secret-at-all-0000')).toBe(401);
	expect(await postBooking(resort, { eventId: 'evt-broken', type: 'booking_abandoned' })).toBe(422);
	const forged = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: wa, text: 'forged', signature: 'wrong' });
	expect(forged.delivered.status).toBe(401);

	await until(
		'every expected event',
		(rows) => Object.entries(EXPECTED_TYPE_COUNTS).every(([type, count]) => countOf(rows, type) >= count),
		90_000,
	);
	// Late extras (a duplicate, a stray status) would show up within this.
	await sleep(3000);
	return { guests, startedAt, finishedAt: new Date().toISOString() };
}

/** Every way a guest's number could appear in a row: international, national, masked. */
export function phoneForms(phone: string): string[] {
	const digits = phone.replace(/\D/g, '');
	return [digits, digits.slice(2), maskPhone(phone)];
}
