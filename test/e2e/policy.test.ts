/**
 * The WhatsApp policy in the sending path, in the real n8n against the fake Cloud API:
 * Webhook (guest state as Data-table values would arrive) → Resort WhatsApp sendTemplate with
 * Policy parameters from the incoming json. Blocked and deferred items never reach the API.
 */
import axios from 'axios';
import { randomUUID } from 'crypto';
import { DateTime } from 'luxon';

import { N8nApi, type WorkflowJson } from '../../scripts/n8n-runtime';
import { connect, createTenant, deployWorkflow, type Tenant } from '../support/e2e';
import { createGuestDataCredential, withGuestData, type GuestDataCredential } from '../support/guestData';

jest.setTimeout(150_000);

const { env, n8n, fake } = connect();
const GUEST = '34611222333';
const SEND = 'Send Offer';
const credentials = { resortWhatsAppApi: { id: '', name: '' } };
const http = axios.create({ validateStatus: () => true, timeout: 30_000 });

/** Real zones with no DST, one per UTC offset from −11 to +14, to find night or day "now". */
const ZONES = [
	'Pacific/Pago_Pago',
	'Pacific/Honolulu',
	'Pacific/Gambier',
	'Pacific/Pitcairn',
	'America/Phoenix',
	'America/Regina',
	'America/Bogota',
	'America/La_Paz',
	'America/Argentina/Buenos_Aires',
	'Atlantic/South_Georgia',
	'Atlantic/Cape_Verde',
	'Africa/Abidjan',
	'Africa/Lagos',
	'Africa/Johannesburg',
	'Europe/Moscow',
	'Asia/Dubai',
	'Asia/Karachi',
	'Asia/Dhaka',
	'Asia/Bangkok',
	'Asia/Shanghai',
	'Asia/Tokyo',
	'Australia/Brisbane',
	'Pacific/Noumea',
	'Pacific/Tarawa',
	'Pacific/Tongatapu',
	'Pacific/Kiritimati',
];

/** The zone whose local time is closest to `hour` right now. */
function zoneAtLocalHour(hour: number): string {
	const now = DateTime.utc();
	const distance = (zone: string) => {
		const local = now.setZone(zone);
		const diff = Math.abs(local.hour + local.minute / 60 - (hour + 0.5));
		return Math.min(diff, 24 - diff);
	};
	return [...ZONES].sort((a, b) => distance(a) - distance(b))[0];
}

function policyWorkflow(
	name: string,
	path: string,
	options: { loop?: boolean; errorOutput?: boolean } = {},
): WorkflowJson {
	const body = (field: string) => `={{ $json.body.${field} }}`;
	const sendNode: Record<string, unknown> = {
		id: 'send-offer',
		name: SEND,
		type: 'n8n-nodes-resort-whatsapp.resortWhatsApp',
		typeVersion: 1,
		position: [300, 0],
		parameters: {
			operation: 'sendTemplate',
			to: body('to'),
			templateName: body('template'),
			language: 'en',
			fallbackText: '',
			policy: {
				category: body('category'),
				optedOut: body('optedOut'),
				marketingConsent: body('marketingConsent'),
				timeZone: body('timeZone'),
				marketingSentAt: body('marketingSentAt'),
			},
			delivery: { baseDelayMs: 50, maxDelayMs: 200 },
		},
		credentials,
	};
	if (options.errorOutput) sendNode.onError = 'continueErrorOutput';
	const noOp = (id: string, y: number) => ({
		id,
		name: id,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [600, y],
		parameters: {},
	});
	const nodes: WorkflowJson['nodes'] = [
		{
			id: 'guest-event',
			name: 'Guest Event',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'set-by-deploy',
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		},
		sendNode as WorkflowJson['nodes'][number],
		noOp('Sent', -200),
		noOp('Failed', 0),
	];
	const outputs: Array<Array<{ node: string; type: string; index: number }>> = [
		[{ node: 'Sent', type: 'main', index: 0 }],
		[{ node: 'Failed', type: 'main', index: 0 }],
	];
	if (options.loop) {
		nodes.push({
			id: 'wait-until-allowed',
			name: 'Wait Until Allowed',
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			position: [600, 200],
			webhookId: 'set-by-deploy',
			parameters: { resume: 'specificTime', dateTime: '={{ $json.sendAt }}' },
		});
		outputs.push([{ node: 'Wait Until Allowed', type: 'main', index: 0 }]);
	} else {
		nodes.push(noOp('Deferred', 200));
		outputs.push([{ node: 'Deferred', type: 'main', index: 0 }]);
	}
	if (options.errorOutput) {
		nodes.push(noOp('Errors', 400));
		outputs.push([{ node: 'Errors', type: 'main', index: 0 }]);
	}
	const connections: WorkflowJson['connections'] = {
		'Guest Event': { main: [[{ node: SEND, type: 'main', index: 0 }]] },
		[SEND]: { main: outputs },
	};
	if (options.loop)
		connections['Wait Until Allowed'] = { main: [[{ node: SEND, type: 'main', index: 0 }]] };
	return { name, nodes, connections, settings: { executionOrder: 'v1' } } as WorkflowJson;
}

interface Deployed {
	id: string;
	url: string;
	seen: number;
}

let tenant: Tenant;
let guestData: GuestDataCredential;
let plain: Deployed;
let looping: Deployed;
let withErrorOutput: Deployed;

async function deploy(
	name: string,
	options: { loop?: boolean; errorOutput?: boolean } = {},
): Promise<Deployed> {
	const path = randomUUID();
	guestData ??= await createGuestDataCredential(n8n, 'policy');
	const { id } = await deployWorkflow(n8n, tenant, withGuestData(policyWorkflow(name, path, options), guestData));
	return { id, url: `${env.n8nUrl}/webhook/${path}`, seen: 0 };
}

interface GuestEvent {
	template: 'summer_offer' | 'booking_confirmed';
	category: 'MARKETING' | 'UTILITY';
	optedOut: boolean;
	marketingConsent: boolean;
	timeZone: string;
	marketingSentAt: string[];
}

const guest = (overrides: Partial<GuestEvent>): GuestEvent => ({
	template: 'summer_offer',
	category: 'MARKETING',
	optedOut: false,
	marketingConsent: true,
	timeZone: zoneAtLocalHour(13),
	marketingSentAt: [],
	...overrides,
});

/** Posts one guest event and returns the finished execution, with the requests it caused. */
async function run(workflow: Deployed, event: GuestEvent, timeoutMs = 60_000) {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	// The event names the guest the way a trigger hands it on: encrypted (the send node decrypts it).
	const response = await http.post(workflow.url, { to: guestData.encrypt(GUEST), ...event });
	expect(response.status).toBe(200);
	workflow.seen += 1;
	const done = await n8n.waitForExecutions(workflow.id, workflow.seen, timeoutMs);
	const execution = await n8n.getExecution(done[workflow.seen - 1].id);
	expect(execution.status).toBe('success');
	return { execution, sends: (await fake.sends(tenant.phoneNumberId)).slice(before) };
}

const output = (
	execution: Awaited<ReturnType<typeof run>>['execution'],
	index: number,
	node = SEND,
) => N8nApi.nodeOutput(execution, node, index);

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'policy');
	await fake.seedTemplates(tenant.wabaId, [
		{
			name: 'summer_offer',
			language: 'en',
			category: 'MARKETING',
			components: [{ type: 'BODY', text: 'Summer at Playa Serena: 3 nights for the price of 2.' }],
		},
		{
			name: 'booking_confirmed',
			language: 'en',
			category: 'UTILITY',
			components: [{ type: 'BODY', text: 'Your stay at Playa Serena is confirmed.' }],
		},
	]);
	plain = await deploy('e2e: policy');
	looping = await deploy('e2e: policy with Wait loop', { loop: true });
	withErrorOutput = await deploy('e2e: policy with error output', { errorOutput: true });
});

afterAll(async () => {
	for (const workflow of [plain, looping, withErrorOutput]) {
		if (workflow) await n8n.deactivateWorkflow(workflow.id).catch(() => undefined);
	}
});

test('an opted-out guest gets no MARKETING template: Failed with policyReason, no request', async () => {
	const { execution, sends } = await run(plain, guest({ optedOut: true }));
	expect(sends).toHaveLength(0);
	expect(output(execution, 0)).toHaveLength(0);
	expect(output(execution, 2)).toHaveLength(0);
	expect(output(execution, 1)).toEqual([
		expect.objectContaining({
			status: 'failed',
			operation: 'sendTemplate',
			template: 'summer_offer',
			attempts: 0,
			errorDisposition: 'policy',
			policyReason: 'opted_out',
		}),
	]);
	expect(output(execution, 0, 'Failed')).toHaveLength(1);
});

test('MARKETING without consent is blocked the same way', async () => {
	const { execution, sends } = await run(plain, guest({ marketingConsent: false }));
	expect(sends).toHaveLength(0);
	expect(output(execution, 1)).toEqual([
		expect.objectContaining({ errorDisposition: 'policy', policyReason: 'no_marketing_consent' }),
	]);
});

test('a guest in quiet hours: Deferred with the exact next allowed minute, no request', async () => {
	const timeZone = zoneAtLocalHour(3);
	const expected = DateTime.utc()
		.setZone(timeZone)
		.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
	const { execution, sends } = await run(plain, guest({ timeZone }));
	expect(sends).toHaveLength(0);
	expect(output(execution, 0)).toHaveLength(0);
	expect(output(execution, 1)).toHaveLength(0);
	const [deferred] = output(execution, 2);
	expect(deferred).toMatchObject({
		sendAt: expected.toUTC().toISO(),
		sendAtLocal: expected.toISO(),
		deferReason: 'quiet_hours',
		deferReasons: ['quiet_hours'],
		deferredOperation: 'sendTemplate',
		// The input item travels on, so a Wait node can hand it back to the node.
		body: expect.objectContaining({ to: expect.stringMatching(/^v1\./), template: 'summer_offer', timeZone }),
	});
	expect(output(execution, 0, 'Deferred')).toHaveLength(1);
});

test('a UTILITY booking confirmation in quiet hours goes at once', async () => {
	const { execution, sends } = await run(
		plain,
		guest({
			template: 'booking_confirmed',
			category: 'UTILITY',
			marketingConsent: false,
			timeZone: zoneAtLocalHour(3),
		}),
	);
	expect(sends).toHaveLength(1);
	expect(sends[0].status).toBe(200);
	expect(sends[0].body).toMatchObject({
		type: 'template',
		to: GUEST,
		template: { name: 'booking_confirmed' },
	});
	expect(output(execution, 0)).toEqual([
		expect.objectContaining({ status: 'sent', template: 'booking_confirmed', attempts: 1 }),
	]);
	expect(output(execution, 2)).toHaveLength(0);
});

test('frequency cap hit: Deferred until the oldest send leaves the 24-hour window', async () => {
	const now = DateTime.utc().startOf('minute');
	const oldest = now.minus({ hours: 3 });
	const { execution, sends } = await run(
		plain,
		guest({ marketingSentAt: [now.minus({ hours: 1 }).toISO()!, oldest.toISO()!] }),
	);
	expect(sends).toHaveLength(0);
	const [deferred] = output(execution, 2);
	expect(deferred).toMatchObject({
		sendAt: oldest.plus({ hours: 24 }).toISO(),
		deferReason: 'frequency_cap',
	});
});

test('under the cap in the daytime, with consent: the MARKETING template is sent', async () => {
	const { execution, sends } = await run(
		plain,
		guest({ marketingSentAt: [DateTime.utc().minus({ hours: 2 }).toISO()!] }),
	);
	expect(sends).toHaveLength(1);
	expect(sends[0].body).toMatchObject({
		type: 'template',
		template: { name: 'summer_offer', language: { code: 'en' } },
	});
	expect(output(execution, 0)).toEqual([expect.objectContaining({ status: 'sent' })]);
});

test("with n8n's error output on, only refused items move there; deferred items stay on Deferred", async () => {
	const blocked = await run(withErrorOutput, guest({ optedOut: true }));
	expect(blocked.sends).toHaveLength(0);
	expect(output(blocked.execution, 1)).toHaveLength(0);
	// n8n rebuilds error-output items from the error message alone, so the reason travels in
	// the message; the structured fields are on the Failed output when the error output is off.
	const [refused] = output(blocked.execution, 3);
	expect(refused.error).toBe(
		'Not sent (opted_out): The guest opted out of these WhatsApp messages',
	);
	expect(output(blocked.execution, 0, 'Errors')).toHaveLength(1);

	const night = await run(withErrorOutput, guest({ timeZone: zoneAtLocalHour(3) }));
	expect(night.sends).toHaveLength(0);
	expect(output(night.execution, 3)).toHaveLength(0);
	expect(output(night.execution, 2)).toEqual([
		expect.objectContaining({ deferReason: 'quiet_hours' }),
	]);
});

test('Deferred → Wait "until a specific time" → back into the node: sent once, not before sendAt', async () => {
	// The cap releases at the next whole minute at least 5 s away (the Wait stays in memory).
	const release = DateTime.utc().plus({ seconds: 5 }).startOf('minute').plus({ minutes: 1 });
	const sentAt = [
		release.minus({ hours: 24 }).toISO()!,
		DateTime.utc().minus({ hours: 1 }).toISO()!,
	];
	const { execution, sends } = await run(looping, guest({ marketingSentAt: sentAt }), 120_000);
	const runs = execution.data?.resultData.runData[SEND] ?? [];
	expect(runs).toHaveLength(2);
	const first = runs[0].data?.main?.[2]?.map((i) => i.json) ?? [];
	expect(first).toEqual([
		expect.objectContaining({ sendAt: release.toISO(), deferReason: 'frequency_cap' }),
	]);
	const second = runs[1].data?.main?.[0]?.map((i) => i.json) ?? [];
	expect(second).toEqual([expect.objectContaining({ status: 'sent', template: 'summer_offer' })]);
	expect(sends).toHaveLength(1);
	expect(DateTime.fromISO(sends[0].at).toMillis()).toBeGreaterThanOrEqual(release.toMillis());
});
