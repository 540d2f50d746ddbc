/**
 * Failed journey executions are replayed too (issue #9): a journey execution that ends `error` has
 * acknowledged its booking event (202) and stopped short, like a crashed one. The full queue-mode
 * storm of 3 Dec 2026 lost 6 bookings this way (their executions failed on database connection
 * timeouts on an overloaded machine). workflows/journey-recovery.json now lists `error` executions
 * of the journey workflow as well and replays them through n8n's Retry, each further attempt
 * waiting twice as long as the one before.
 *
 * The failure here is deterministic and one an owner can cause: the Reservation Confirmation
 * sub-workflow refuses its caller (workflow setting "This workflow can be called by" = a list
 * without Booking Abandonment), so Confirm Reservation fails and the execution ends `error`. The
 * recovery replays it and it fails again (attempt 1); the owner fixes the setting; the next attempt
 * waits twice the minimum age, runs from the failed node and the guest gets one confirmation.
 *
 * Shared n8n and fake (globalSetup). Compressed by configuration only: the recovery's minAgeMinutes
 * 0.25 (15 s) and schedule every 5 s, the journeys' claim lease 0.2 min, quiet hours off.
 */
import { randomBytes } from 'crypto';

import axios from 'axios';

import { signBookingWebhook } from '../../lib';
import { bookingEventBody } from '../../scripts/n8n-runtime/bookingEvents';
import { provisionResortTables, rows } from '../../scripts/n8n-runtime/dataTables';
import { createRecoveryCredential, publicExecutions, type PublicExecution } from '../../scripts/n8n-runtime/recovery';
import { connect, createTenant, deployJourneyRecovery, deployWorkflow, eventually, loadWorkflow, setSettings, sleep, templateSeeds, withCredentials, type Tenant } from '../support/e2e';

jest.setTimeout(6 * 60_000);

const { env, n8n, fake } = connect();
const http = axios.create({ validateStatus: () => true, timeout: 30_000 });
const secret = randomBytes(24).toString('hex');
const MIN_AGE_MINUTES = 0.25;
const EVERY_SECONDS = 5;

let tenant: Tenant;
let journeyId: string;
let confirmationId: string;
let postStayId: string;
let recoveryId: string;
let bookingUrl: string;
let tables: Record<string, string>;
let apiKey: string;

/** The sub-workflow's caller policy, as the owner sets it in the workflow's settings. */
async function setCallerPolicy(settings: Record<string, unknown>): Promise<void> {
	const current = await n8n.getWorkflow(confirmationId);
	await n8n.request('PATCH', `/rest/workflows/${confirmationId}`, {
		versionId: current.versionId,
		settings: { ...(current.settings ?? {}), ...settings },
	});
}

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'recovery-errors');
	await fake.seedTemplates(tenant.wabaId, [...templateSeeds('reservation_confirmation'), ...templateSeeds('booking_reminder_1')]);
	tables = await provisionResortTables(n8n);
	const suffix = randomBytes(3).toString('hex');
	const credential = await createRecoveryCredential(n8n, { apiBaseUrl: `${env.n8nUrl}/api/v1`, label: `recovery errors ${suffix}`, credentialName: `n8n API (recovery errors ${suffix})` });
	apiKey = credential.apiKey;
	const cred = async (type: string, name: string, data: Record<string, unknown>) => ({ id: await n8n.createCredential(type, name, data), name });
	const webhook = await cred('resortBookingWebhookApi', `Resort Booking Webhook (recovery errors ${suffix})`, { signingSecret: secret, token: randomBytes(16).toString('hex') });
	const guestData = await cred('resortGuestDataApi', `Resort Guest Data (recovery errors ${suffix})`, { encryptionKey: randomBytes(32).toString('hex'), lookupKey: randomBytes(32).toString('hex') });
	const ours = (file: string) => withCredentials(loadWorkflow(file), { resortBookingWebhookApi: webhook, resortGuestDataApi: guestData });

	const confirmation = ours('reservation-confirmation.json');
	setSettings(confirmation, 'Confirmation Settings', { claimLeaseMinutes: 0.2 });
	// Callable only by the workflows listed, and the list names none: Confirm Reservation will fail.
	confirmation.settings = { ...(confirmation.settings ?? {}), callerPolicy: 'workflowsFromAList', callerIds: '0' };
	confirmationId = (await deployWorkflow(n8n, tenant, confirmation)).id;
	// Not used here, but Booking Abandonment cannot be published without it (checked_in goes there).
	postStayId = (await deployWorkflow(n8n, tenant, ours('post-stay-review-upsell.json'))).id;
	const journey = ours('booking-abandonment.json');
	setSettings(journey, 'Settings', { quietHoursStart: '00:00', quietHoursEnd: '00:00', claimLeaseMinutes: 0.2 });
	const deployed = await deployWorkflow(n8n, tenant, journey, {
		'Confirm Reservation': { workflowId: { __rl: true, mode: 'id', value: confirmationId } },
		'Post-Stay Review': { workflowId: { __rl: true, mode: 'id', value: postStayId } },
	});
	journeyId = deployed.id;
	bookingUrl = `${env.n8nUrl}/webhook/${deployed.webhookIds['Booking Event']}/booking`;
	recoveryId = (
		await deployJourneyRecovery(n8n, tenant, {
			credential,
			apiBaseUrl: `${env.n8nUrl}/api/v1`,
			journeyWorkflowIds: [journeyId],
			minAgeMinutes: MIN_AGE_MINUTES,
			everySeconds: EVERY_SECONDS,
			maxAttempts: 3,
		})
	).id;
});

afterAll(async () => {
	for (const id of [recoveryId, journeyId, confirmationId, postStayId]) if (id) await n8n.deactivateWorkflow(id).catch(() => undefined);
});

const executions = () => publicExecutions(env.n8nUrl, apiKey, journeyId);
const byId = (list: PublicExecution[], id: string) => list.find((e) => String(e.id) === id);

test('a journey execution that failed is replayed with backoff until it succeeds; the guest gets exactly one confirmation', async () => {
	const guest = { phone: `+3461${[...randomBytes(7)].map((b) => b % 10).join('')}`, bookingId: `bk-err-${randomBytes(3).toString('hex')}`, name: 'Eva Error', language: 'en' };
	const to = guest.phone.slice(1);
	const confirmations = async () =>
		(await fake.sends(tenant.phoneNumberId)).filter((r) => (r.body as { to?: string }).to === to && (r.body as { template?: { name?: string } }).template?.name === 'reservation_confirmation');

	const raw = JSON.stringify(bookingEventBody('reservation_confirmed', guest));
	const response = await http.post(bookingUrl, raw, {
		headers: { 'content-type': 'application/json', 'x-resort-signature': signBookingWebhook(raw, secret, Date.now() / 1000) },
		transformRequest: [(data: string) => data],
	});
	expect(response.status).toBe(202);

	// The original fails on Confirm Reservation (the sub-workflow refuses its caller).
	const original = await eventually(async () => (await executions()).find((e) => e.status === 'error' && !e.retryOf), 60_000, 'the confirmation execution to fail');
	const detail = await n8n.getExecution(original.id);
	expect(JSON.stringify(detail.data?.resultData.error ?? '')).toMatch(/called|policy|allowed/i);
	expect(detail.data?.resultData.lastNodeExecuted).toBe('Confirm Reservation');

	// Attempt 1: the recovery replays it at least minAge after it ended; it fails again (the setting is unchanged).
	const first = await eventually(
		async () => (await executions()).find((e) => String(e.retryOf) === String(original.id) && ['error', 'success'].includes(e.status)),
		90_000,
		'the first replay to end',
	);
	expect(first.status).toBe('error');
	expect(first.mode).toBe('retry');
	expect(Date.parse(first.startedAt!) - Date.parse(byId(await executions(), String(original.id))!.stoppedAt!)).toBeGreaterThanOrEqual(MIN_AGE_MINUTES * 60_000);
	expect(await confirmations()).toHaveLength(0);

	// The owner fixes the sub-workflow's setting. Attempt 2 waits twice the minimum age after attempt 1 ended.
	await setCallerPolicy({ callerPolicy: 'workflowsFromSameOwner', callerIds: '' });
	const second = await eventually(
		async () => (await executions()).find((e) => String(e.retryOf) === String(first.id) && ['error', 'success', 'waiting'].includes(e.status)),
		120_000,
		'the second replay to end',
	);
	expect(second.status).toBe('success');
	expect(Date.parse(second.startedAt!) - Date.parse(first.stoppedAt!)).toBeGreaterThanOrEqual(2 * MIN_AGE_MINUTES * 60_000);

	const sent = await eventually(async () => ((await confirmations()).length ? await confirmations() : undefined), 30_000, 'the confirmation');
	expect(sent.map((r) => r.status)).toEqual([200]);
	const [row] = await rows(n8n, tables.resort_journeys, { filter: { filters: [{ columnName: 'bookingId', condition: 'eq', value: guest.bookingId }] } });
	expect(row).toMatchObject({ stage: 'converted', confirmationInFlight: false });
	expect(String(row.confirmationMessageId)).toBe((sent[0].response as { messages: Array<{ id: string }> }).messages[0].id);

	// The recovery logged both replays, and nothing more happens over further runs.
	const log = (await rows(n8n, tables.resort_recovery_log)).filter((r) => [String(original.id), String(first.id)].includes(String(r.executionId)));
	expect(log.map((r) => [String(r.executionId), r.status]).sort()).toEqual([
		[String(original.id), 'retried'],
		[String(first.id), 'retried'],
	].sort());
	await sleep(4 * EVERY_SECONDS * 1000);
	expect((await executions()).filter((e) => e.mode === 'retry')).toHaveLength(2);
	expect(await confirmations()).toHaveLength(1);
});
