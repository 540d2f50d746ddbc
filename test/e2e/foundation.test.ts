/**
 * Foundation, proven in the real n8n: the hello-guest workflow (Resort WhatsApp Trigger →
 * Resort WhatsApp) against the fake Cloud API, asserting the exact requests that reached it.
 */
import axios from 'axios';
import { createHmac } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import { N8nApi, REPO_ROOT } from '../../scripts/n8n-runtime';
import { connect, createTenant, deployWorkflow, loadWorkflow, sleep, type Tenant } from '../support/e2e';
import { createGuestDataCredential, withGuestData } from '../support/guestData';

jest.setTimeout(120_000);

const { env, n8n, fake } = connect();
const GUEST = '34600111222';
const SEND_NODE = 'Send Welcome Template';

let tenant: Tenant;
let workflowId: string;
let webhookUrl: string;
let executionsSeen = 0;

const http = axios.create({ validateStatus: () => true, timeout: 30_000 });

function templateRequest(name: string) {
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: GUEST,
		type: 'template',
		template: {
			name: 'hello_guest',
			language: { code: 'en' },
			components: [{ type: 'body', parameters: [{ type: 'text', text: name }] }],
		},
	};
}

/** The next finished execution of the workflow, with its data. */
async function nextExecution() {
	executionsSeen += 1;
	const done = await n8n.waitForExecutions(workflowId, executionsSeen, 60_000);
	return await n8n.getExecution(done[executionsSeen - 1].id);
}

async function sendsSince(count: number) {
	return (await fake.sends(tenant.phoneNumberId)).slice(count);
}

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'foundation');
	await fake.seedTemplates(tenant.wabaId, [
		JSON.parse(readFileSync(path.join(REPO_ROOT, 'templates/message-templates/hello_guest.json'), 'utf8')),
	]);
	// workflows/hello-guest.json ships without the Resort Guest Data credential; deployed here with it,
	// so the guest's number leaves the trigger encrypted and only the send step decrypts it.
	const guestData = await createGuestDataCredential(n8n, 'foundation');
	const deployed = await deployWorkflow(n8n, tenant, withGuestData(loadWorkflow('hello-guest.json'), guestData), {
		// Same workflow, retry delays compressed for the test.
		[SEND_NODE]: { delivery: { baseDelayMs: 50, maxDelayMs: 400 } },
	});
	workflowId = deployed.id;
	webhookUrl = `${env.n8nUrl}/webhook/${deployed.webhookIds['Guest Writes']}/webhook`;
});

afterAll(async () => {
	await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
});

test('activation points the WABA callback at the trigger after Meta-style verification', async () => {
	const subscription = (await fake.subscriptions()).find((s) => s.wabaId === tenant.wabaId);
	expect(subscription?.overrideCallbackUri).toBe(webhookUrl);
	const verifications = (await fake.webhooks({ kind: 'verification' })).filter((d) => d.url.startsWith(webhookUrl));
	expect(verifications.length).toBeGreaterThanOrEqual(1);
	expect(verifications.at(-1)?.responseStatus).toBe(200);
});

test('answers the verification challenge only for the configured verify token', async () => {
	const ok = await http.get(webhookUrl, {
		params: { 'hub.mode': 'subscribe', 'hub.verify_token': tenant.verifyToken, 'hub.challenge': '1158201444' },
	});
	expect(ok.status).toBe(200);
	expect(String(ok.data)).toBe('1158201444');
	const wrong = await http.get(webhookUrl, {
		params: { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' },
	});
	expect(wrong.status).toBe(403);
	expect(String(wrong.data)).not.toContain('1158201444');
});

test('a signed guest message runs the workflow and sends exactly one template', async () => {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const inbound = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Ana', text: 'Hola!' });
	expect(inbound.delivered.status).toBe(200);

	const execution = await nextExecution();
	expect(execution.status).toBe('success');
	const sends = await sendsSince(before);
	expect(sends).toHaveLength(1);
	expect(sends[0].path).toBe(`/v23.0/${tenant.phoneNumberId}/messages`);
	expect(sends[0].headers.authorization).toBe(`Bearer ${tenant.accessToken}`);
	expect(sends[0].body).toEqual(templateRequest('Ana'));
	expect(sends[0].status).toBe(200);

	const [sent] = N8nApi.nodeOutput(execution, SEND_NODE, 0);
	const wamid = (sends[0].response as { messages: Array<{ id: string }> }).messages[0].id;
	expect(sent).toMatchObject({ status: 'sent', messageId: wamid, attempts: 1, fallbackUsed: false, recipient: '+34•••••••22' });
	expect(N8nApi.nodeOutput(execution, SEND_NODE, 1)).toHaveLength(0);
});

test('a redelivered webhook (same wamid) starts no second execution', async () => {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const inbound = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Ana', text: 'Hello again' });
	await nextExecution();
	const again = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Ana', text: 'Hello again', id: inbound.wamid });
	expect(again.delivered.status).toBe(200);
	expect(again.delivered.body).toMatchObject({ received: 1, accepted: 0 });
	await sleep(1500);
	expect(await n8n.listExecutions({ workflowId })).toHaveLength(executionsSeen);
	expect(await sendsSince(before)).toHaveLength(1);
});

test('forged, unsigned and malformed webhooks are refused and run nothing', async () => {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const forged = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, text: 'hi', signature: 'wrong' });
	expect(forged.delivered.status).toBe(401);
	const unsigned = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, text: 'hi', signature: 'missing' });
	expect(unsigned.delivered.status).toBe(401);

	const body = '{"object":"whatsapp_business_account","entry":[';
	const signature = `sha256=${createHmac('sha256', tenant.appSecret).update(body).digest('hex')}`;
	const malformed = await http.post(webhookUrl, body, {
		headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
		transformRequest: [(data: string) => data],
	});
	expect(malformed.status).toBe(400);
	expect(malformed.data).toEqual({ error: 'Malformed JSON' });

	const foreign = JSON.stringify({ object: 'page', entry: [] });
	const wrongObject = await http.post(webhookUrl, foreign, {
		headers: {
			'content-type': 'application/json',
			'x-hub-signature-256': `sha256=${createHmac('sha256', tenant.appSecret).update(foreign).digest('hex')}`,
		},
		transformRequest: [(data: string) => data],
	});
	expect(wrongObject.status).toBe(400);

	await sleep(1500);
	expect(await n8n.listExecutions({ workflowId })).toHaveLength(executionsSeen);
	expect(await sendsSince(before)).toHaveLength(0);
});

test('status webhooks do not start a workflow that listens for guest messages', async () => {
	const statuses = (await fake.webhooks({ kind: 'status', phoneNumberId: tenant.phoneNumberId })).filter((d) => d.responseStatus === 200);
	expect(statuses.length).toBeGreaterThan(0);
	expect(await n8n.listExecutions({ workflowId })).toHaveLength(executionsSeen);
});

test('two 130429 rate-limit errors, then success: one message after 3 attempts', async () => {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	await fake.addFaults({
		phoneNumberId: tenant.phoneNumberId,
		path: 'messages',
		count: 2,
		error: { code: 130429, httpStatus: 400, message: 'Rate limit hit' },
	});
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Ana', text: 'Any villas free?' });
	const execution = await nextExecution();

	const sends = await sendsSince(before);
	expect(sends.map((s) => s.status)).toEqual([400, 400, 200]);
	for (const send of sends) expect(send.body).toEqual(templateRequest('Ana'));
	expect((sends[0].response as { error: { code: number } }).error.code).toBe(130429);
	const [sent] = N8nApi.nodeOutput(execution, SEND_NODE, 0);
	expect(sent).toMatchObject({ status: 'sent', attempts: 3, fallbackUsed: false });
	const accepted = (await fake.messages({ phoneNumberId: tenant.phoneNumberId })).filter((m) => m.wamid === sent.messageId);
	expect(accepted).toHaveLength(1);
});

test('131026 (undeliverable) goes to the Failed output at once, without a retry', async () => {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	await fake.addFaults({
		phoneNumberId: tenant.phoneNumberId,
		path: 'messages',
		count: 1,
		error: { code: 131026, httpStatus: 400, message: 'Message undeliverable' },
	});
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Ana', text: 'hello?' });
	const execution = await nextExecution();
	expect(execution.status).toBe('success');
	expect(await sendsSince(before)).toHaveLength(1);
	expect(N8nApi.nodeOutput(execution, SEND_NODE, 0)).toHaveLength(0);
	const [failed] = N8nApi.nodeOutput(execution, SEND_NODE, 1);
	expect(failed).toMatchObject({
		status: 'failed',
		attempts: 1,
		errorCode: 131026,
		errorDisposition: 'fatal',
		fallbackUsed: false,
	});
	expect(N8nApi.nodeOutput(execution, 'Failed Sends (review and replay)', 0)).toHaveLength(1);
});

test('132001 (template missing) falls back to the generic text inside the 24-hour window', async () => {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	await fake.addFaults({
		phoneNumberId: tenant.phoneNumberId,
		path: 'messages',
		count: 1,
		error: { code: 132001, httpStatus: 404, message: 'Template name does not exist in the translation' },
	});
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Ana', text: 'hi' });
	const execution = await nextExecution();

	const sends = await sendsSince(before);
	expect(sends.map((s) => s.status)).toEqual([404, 200]);
	expect(sends[0].body).toEqual(templateRequest('Ana'));
	expect(sends[1].body).toEqual({
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: GUEST,
		type: 'text',
		text: { preview_url: false, body: 'Hello! Thanks for writing to us. A member of our team will answer you here shortly.' },
	});
	const [sent] = N8nApi.nodeOutput(execution, SEND_NODE, 0);
	expect(sent).toMatchObject({ status: 'sent', attempts: 2, fallbackUsed: true, templateErrorCode: 132001 });
});

test('the credential test reads the phone number through the fake Graph API', async () => {
	const result = await n8n.request<{ status: string; message: string }>('POST', '/rest/credentials/test', {
		credentials: {
			id: tenant.credentialId,
			name: tenant.credentialName,
			type: 'resortWhatsAppApi',
			data: {
				accessToken: tenant.accessToken,
				phoneNumberId: tenant.phoneNumberId,
				businessAccountId: tenant.wabaId,
				appSecret: tenant.appSecret,
				graphApiVersion: 'v23.0',
				baseUrl: env.fakeUrl,
			},
		},
	});
	expect(result.status).toBe('OK');
	const bad = await n8n.request<{ status: string; message: string }>('POST', '/rest/credentials/test', {
		credentials: {
			id: tenant.credentialId,
			name: tenant.credentialName,
			type: 'resortWhatsAppApi',
			data: {
				accessToken: 'EAAG-not-a-valid-token',
				phoneNumberId: tenant.phoneNumberId,
				businessAccountId: tenant.wabaId,
				appSecret: tenant.appSecret,
				graphApiVersion: 'v23.0',
				baseUrl: env.fakeUrl,
			},
		},
	});
	expect(bad.status).toBe('Error');
});
