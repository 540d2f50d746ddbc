/**
 * Booking-link clicks, in the real n8n against the fake Cloud API: templates registered with the
 * Resort Tracked Link Trigger as URL base (what `templates:push --tracked-link-base` does), the
 * shipped workflows with `trackLinkClicks` on. A guest's "View Accommodations" button (first
 * contact, no booking yet) and a Reminder 1 button (a booking) each carry a signed token; opening
 * them redirects to the booking site and records a `link_click`. Damaged and forged links are
 * refused with 400/403, never redirected, and recorded as refused requests.
 */
import axios from 'axios';
import { randomBytes, randomUUID } from 'crypto';

import { computeEngagement, parseAnalyticsEvents, signBookingWebhook, verifyTrackedLink } from '../../lib';
import { DEFAULT_BRANDING, findTemplate, loadTemplates, toMetaTemplate, withTrackedLinks } from '../../lib/templates';
import type { TemplateSeed } from '../../scripts/fake-cloud-api/server';
import { provisionResortTables, rows, type DataTableRow } from '../../scripts/n8n-runtime/dataTables';
import { phoneForms } from '../support/analyticsJourneys';
import { connect, createTenant, deployWorkflow, eventually, loadWorkflow, setSettings, withCredentials, type Tenant } from '../support/e2e';
import { createGuestDataCredential, type GuestDataCredential } from '../support/guestData';
import { guestPhone, plaintextOnPurpose } from '../support/guestPhones';

jest.setTimeout(300_000);

const { env, n8n, fake } = connect();
const http = axios.create({ validateStatus: () => true, timeout: 30_000, maxRedirects: 0 });
const SITE = DEFAULT_BRANDING.bookingBaseUrl;
const linkSecret = randomBytes(24).toString('hex');

let tenant: Tenant;
let guestData: GuestDataCredential;
let linkBase: string;
let bookingUrl: string;
let bookingSecret: string;
let eventsTable: string;
const workflowIds: string[] = [];
const startedAt = new Date().toISOString();

/** Seeds what templates:push registers with a tracked link base. */
function trackedSeeds(name: string): TemplateSeed[] {
	const definition = withTrackedLinks(findTemplate(loadTemplates(), name), linkBase, SITE);
	return Object.keys(definition.languages).map((language) => toMetaTemplate(definition, language) as unknown as TemplateSeed);
}

/** The URL-suffix parameter of a sent template (button 0), and the template's name. */
function urlParameter(payload: Record<string, unknown>): { template: string; value: string } {
	const template = payload.template as { name: string; components: Array<{ type: string; sub_type?: string; parameters: Array<{ text?: string }> }> };
	const button = template.components.find((c) => c.type === 'button' && c.sub_type === 'url');
	return { template: template.name, value: String(button?.parameters[0]?.text ?? '') };
}

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'tracked-links', { linkSigningSecret: linkSecret });
	guestData = await createGuestDataCredential(n8n, 'tracked-links');
	eventsTable = (await provisionResortTables(n8n)).resort_events;
	bookingSecret = randomBytes(24).toString('hex');
	const hookName = `Resort Booking Webhook (tracked-links ${randomBytes(3).toString('hex')})`;
	const hook = { id: await n8n.createCredential('resortBookingWebhookApi', hookName, { signingSecret: bookingSecret, token: randomBytes(16).toString('hex') }), name: hookName };
	const ours = <T extends Parameters<typeof withCredentials>[0]>(workflow: T) =>
		withCredentials(workflow, { resortBookingWebhookApi: hook, resortGuestDataApi: guestData });

	const links = await deployWorkflow(n8n, tenant, loadWorkflow('tracked-links.json'));
	workflowIds.push(links.id);
	linkBase = `${env.n8nUrl}/webhook/${links.webhookIds['Tracked Link Click']}/go?l=`;
	await fake.seedTemplates(tenant.wabaId, [
		...trackedSeeds('welcome_qualifier'),
		...trackedSeeds('product_suggestions'),
		...trackedSeeds('booking_reminder_1'),
		...trackedSeeds('booking_reminder_2'),
		...trackedSeeds('reservation_confirmation'),
	]);

	const confirmation = ours(loadWorkflow('reservation-confirmation.json'));
	setSettings(confirmation, 'Confirmation Settings', { trackLinkClicks: true });
	const confirmationId = (await deployWorkflow(n8n, tenant, confirmation)).id;
	const postStayId = (await deployWorkflow(n8n, tenant, ours(loadWorkflow('post-stay-review-upsell.json')))).id;
	workflowIds.push(confirmationId, postStayId);
	const abandonment = ours(loadWorkflow('booking-abandonment.json'));
	setSettings(abandonment, 'Settings', { trackLinkClicks: true, reminder2MinHours: 1, reminder2MaxHours: 1.1, quietHoursStart: '00:00', quietHoursEnd: '00:00' });
	const deployed = await deployWorkflow(n8n, tenant, abandonment, {
		'Confirm Reservation': { workflowId: { __rl: true, mode: 'id', value: confirmationId } },
		'Post-Stay Review': { workflowId: { __rl: true, mode: 'id', value: postStayId } },
	});
	workflowIds.push(deployed.id);
	bookingUrl = `${env.n8nUrl}/webhook/${deployed.webhookIds['Booking Event']}/booking`;
	const firstContact = ours(loadWorkflow('first-contact.json'));
	setSettings(firstContact, 'Settings', { trackLinkClicks: true, ownerPhone: plaintextOnPurpose("tracked-links e2e: the resort owner's number in the Settings node (not a guest)") });
	workflowIds.push((await deployWorkflow(n8n, tenant, firstContact)).id);
});

afterAll(async () => {
	for (const id of workflowIds) await n8n.deactivateWorkflow(id).catch(() => undefined);
});

const lucia = { phone: guestPhone(), name: 'Lucía García' };
const ben = { phone: guestPhone(), name: 'Ben Carter', bookingId: `bk-${randomBytes(4).toString('hex')}` };
const clicks: Array<{ template: string; token: string; status: number; location?: string }> = [];

async function open(token: string) {
	const response = await http.get(`${linkBase}${encodeURIComponent(token)}`);
	return { status: response.status, location: response.headers.location as string | undefined, body: String(response.data), cache: response.headers['cache-control'] };
}

async function sentTo(phone: string, template: string) {
	return await eventually(
		async () => (await fake.messages({ phoneNumberId: tenant.phoneNumberId })).find((m) => m.to === phone.slice(1) && urlParameterOf(m.payload) === template),
		90_000,
		`${template} to the guest`,
	);
}
const urlParameterOf = (payload: Record<string, unknown>) => (payload.template as { name?: string } | undefined)?.name;

test('the suggestions button (no booking yet) carries a signed link that names the guest, and opens the booking site', async () => {
	const wa = lucia.phone.slice(1);
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: wa, name: 'Lucía', text: 'Hola' });
	await sentTo(lucia.phone, 'welcome_qualifier');
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: wa, name: 'Lucía', quickReplyButton: { payload: 'family', text: 'Familia' } });
	const message = await sentTo(lucia.phone, 'product_suggestions');
	const { value: token } = urlParameter(message.payload);
	const check = verifyTrackedLink(token, linkSecret);
	expect(check.ok).toBe(true);
	if (!check.ok) return;
	expect(check.claims).toMatchObject({ template: 'product_suggestions', language: 'es', guestKey: guestData.lookupKey(lucia.phone), bookingId: undefined });
	// The path is what the button opened before tracking: the catalog's suggestions with UTM tags.
	expect(check.claims.path).toMatch(/utm_source=whatsapp/);
	for (const form of phoneForms(lucia.phone)) expect(token).not.toContain(form);
	for (const form of phoneForms(lucia.phone)) expect(Buffer.from(token.split('.')[1], 'base64url').toString()).not.toContain(form);

	const opened = await open(token);
	expect(opened).toMatchObject({ status: 302, location: `${SITE}${check.claims.path}`, cache: 'no-store' });
	clicks.push({ template: 'product_suggestions', token, status: 302, location: opened.location });
});

test('Reminder 1 carries a signed link for its booking; opening it twice redirects twice', async () => {
	const raw = JSON.stringify({
		eventId: `evt-${randomUUID()}`,
		type: 'booking_abandoned',
		occurredAt: new Date().toISOString(),
		bookingId: ben.bookingId,
		guest: { phone: ben.phone, name: ben.name, language: 'en', marketingConsent: true, timeZone: 'Europe/Madrid' },
		stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: 2, children: 1, accommodationId: 'family-suite' },
		source: 'direct',
		bookingUrl: `${SITE}resume/${ben.bookingId}`,
	});
	const accepted = await axios.post(bookingUrl, raw, {
		headers: { 'content-type': 'application/json', 'x-resort-signature': signBookingWebhook(raw, bookingSecret, Date.now() / 1000) },
		transformRequest: [(data: string) => data],
		validateStatus: () => true,
	});
	expect(accepted.status).toBe(202);
	const message = await sentTo(ben.phone, 'booking_reminder_1');
	const { value: token } = urlParameter(message.payload);
	const check = verifyTrackedLink(token, linkSecret);
	expect(check).toMatchObject({ ok: true, claims: { template: 'booking_reminder_1', language: 'en', bookingId: ben.bookingId, guestKey: guestData.lookupKey(ben.phone) } });
	if (!check.ok) return;
	expect(check.claims.path).toBe(`resume/${ben.bookingId}`);
	for (let i = 0; i < 2; i++) {
		const opened = await open(token);
		expect(opened).toMatchObject({ status: 302, location: `${SITE}resume/${ben.bookingId}` });
		clicks.push({ template: 'booking_reminder_1', token, status: 302, location: opened.location });
	}
});

test('damaged and forged links are refused, never redirected', async () => {
	const [good] = clicks;
	const [version, payload, signature] = good.token.split('.');
	const otherPath = Buffer.from(JSON.stringify({ p: 'admin', i: 1, t: 'product_suggestions' })).toString('base64url');
	const cases: Array<[string, number]> = [
		[`${version}.${otherPath}.${signature}`, 403], // another path under the real signature
		[`${version}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`, 403], // changed signature
		[good.token.slice(0, 30), 400], // cut short (as a chat app may do)
		['', 400],
	];
	for (const [token, status] of cases) {
		const opened = await open(token);
		expect({ status: opened.status, location: opened.location }).toEqual({ status, location: undefined });
		expect(opened.body).toContain(SITE);
	}
	// No token at all.
	const bare = await http.get(linkBase.replace(/\?l=$/, ''));
	expect(bare.status).toBe(400);
});

test('every click and refusal is recorded in resort_events, without a phone number, and counted per template', async () => {
	const isMine = (row: DataTableRow) =>
		Date.parse(String(row.at)) >= Date.parse(startedAt) - 1000 &&
		(row.source === 'tracked-links' || row.guestKey === guestData.lookupKey(lucia.phone) || row.guestKey === guestData.lookupKey(ben.phone));
	const events = await eventually(
		async () => {
			const mine = (await rows(n8n, eventsTable)).filter(isMine);
			const done = mine.filter((r) => r.type === 'link_click').length >= 3 && mine.filter((r) => r.type === 'webhook_rejected' && r.source === 'tracked-links').length >= 5;
			return done ? mine : undefined;
		},
		60_000,
		'link clicks and refusals recorded',
	);
	await new Promise((resolve) => setTimeout(resolve, 2000));
	const settled = (await rows(n8n, eventsTable)).filter(isMine);
	expect(settled.length).toBe(events.length);

	const linkClicks = settled.filter((r) => r.type === 'link_click');
	expect(linkClicks.map((r) => [r.template, r.language, r.bookingId, r.guestKey, r.source]).sort()).toEqual(
		[
			['booking_reminder_1', 'en', ben.bookingId, guestData.lookupKey(ben.phone), 'tracked-links'],
			['booking_reminder_1', 'en', ben.bookingId, guestData.lookupKey(ben.phone), 'tracked-links'],
			['product_suggestions', 'es', null, guestData.lookupKey(lucia.phone), 'tracked-links'],
		].sort(),
	);
	expect(
		settled
			.filter((r) => r.type === 'webhook_rejected')
			.map((r) => `${r.source} ${r.reason} ${r.httpStatus}`)
			.sort(),
	).toEqual([
		'tracked-links bad_link_signature 403',
		'tracked-links bad_link_signature 403',
		'tracked-links malformed_link 400',
		'tracked-links malformed_link 400',
		'tracked-links malformed_link 400',
	]);
	const text = JSON.stringify(settled);
	for (const phone of [lucia.phone, ben.phone]) for (const form of phoneForms(phone)) expect(text).not.toContain(form);

	const { events: parsed, invalid } = parseAnalyticsEvents(settled);
	expect(invalid).toEqual([]);
	const engagement = computeEngagement(parsed, { from: new Date(Date.parse(startedAt) - 1000).toISOString(), to: new Date(Date.now() + 1000).toISOString() });
	const row = (template: string) => engagement.find((r) => r.template === template);
	// Ben opened his reminder twice: one message, clicked once.
	expect(row('booking_reminder_1')).toMatchObject({ sent: 1, clicked: 1, clickRate: 1 });
	expect(row('product_suggestions')).toMatchObject({ sent: 1, clicked: 1, clickRate: 1 });
	expect(row('welcome_qualifier')).toMatchObject({ sent: 1, clicked: 1 }); // the "Familia" tap
});
