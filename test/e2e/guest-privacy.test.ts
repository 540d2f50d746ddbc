/**
 * With the Resort Guest Data credential attached, a guest's number leaves the WhatsApp trigger
 * encrypted, the send node decrypts it in memory, and n8n never stores it in plaintext.
 */
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import { N8nApi, type WorkflowJson } from '../../scripts/n8n-runtime';
import { connect, createTenant, deployWorkflow, type Tenant } from '../support/e2e';

jest.setTimeout(120_000);

const { env, n8n, fake } = connect();
// A number only this file uses, so the plaintext search below means something.
const GUEST = `4915${String(10_000_000 + (randomBytes(3).readUIntBE(0, 3) % 89_999_999))}`;

let tenant: Tenant;
let keys: { id: string; name: string };

function workflow(): WorkflowJson {
	const credentials = { resortWhatsAppApi: { id: '', name: '' }, resortGuestDataApi: keys };
	return {
		name: 'e2e: guest privacy',
		nodes: [
			{
				id: randomUUID(),
				name: 'Guest Writes',
				type: 'n8n-nodes-resort-whatsapp.resortWhatsAppTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'set-by-deploy',
				parameters: { events: ['message', 'status'], registerWebhook: true },
				credentials,
			},
			{
				id: randomUUID(),
				name: 'Only Messages',
				type: 'n8n-nodes-base.filter',
				typeVersion: 2,
				position: [200, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' },
						conditions: [{ id: randomUUID(), leftValue: '={{ $json.kind }}', rightValue: 'message', operator: { type: 'string', operation: 'equals' } }],
						combinator: 'and',
					},
				},
			},
			{
				id: randomUUID(),
				name: 'Reply',
				type: 'n8n-nodes-resort-whatsapp.resortWhatsApp',
				typeVersion: 1,
				position: [400, 0],
				parameters: { operation: 'sendText', to: '={{ $json.from }}', text: 'Gracias, te respondemos enseguida.' },
				credentials,
			},
		],
		connections: {
			'Guest Writes': { main: [[{ node: 'Only Messages', type: 'main', index: 0 }]] },
			'Only Messages': { main: [[{ node: 'Reply', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'privacy');
	const name = `Resort Guest Data ${randomBytes(3).toString('hex')}`;
	const id = await n8n.createCredential('resortGuestDataApi', name, {
		encryptionKey: randomBytes(32).toString('base64'),
		lookupKey: randomBytes(32).toString('base64'),
	});
	keys = { id, name };
});

test('the trigger emits the number encrypted and the send node still reaches the guest', async () => {
	const { id } = await deployWorkflow(n8n, tenant, workflow());
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'Jonas', text: 'Hallo!' });
	const [done] = await n8n.waitForExecutions(id, 1, 60_000);
	const execution = await n8n.getExecution(done.id);
	const [event] = N8nApi.nodeOutput(execution, 'Guest Writes', 0);
	expect(String(event.from)).toMatch(/^v1\./);
	expect(event.fromLookupKey).toMatch(/^[0-9a-f]{64}$/);
	expect(event.fromMasked).toBe(`+49${'•'.repeat(GUEST.length - 4)}${GUEST.slice(-2)}`);

	const sends = await fake.sends(tenant.phoneNumberId);
	expect(sends).toHaveLength(1);
	expect(sends[0].body).toEqual({
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: GUEST,
		type: 'text',
		text: { preview_url: false, body: 'Gracias, te respondemos enseguida.' },
	});
	const [sent] = N8nApi.nodeOutput(execution, 'Reply', 0);
	expect(sent).toMatchObject({ status: 'sent', recipient: event.fromMasked });

	// Status webhooks for that message carry the guest as recipient: protected too.
	await n8n.waitForExecutions(id, 2, 30_000);

	const files = ['database.sqlite', 'database.sqlite-wal', 'n8nEventLog.log'].map((f) => path.join(env.userFolder, '.n8n', f));
	let lookupKeyStored = false;
	for (const file of [...files, env.logFile]) {
		let bytes: Buffer;
		try {
			bytes = readFileSync(file);
		} catch {
			continue;
		}
		expect({ file, plaintext: bytes.includes(GUEST) }).toEqual({ file, plaintext: false });
		if (bytes.includes(String(event.fromLookupKey))) lookupKeyStored = true;
	}
	// The search looked where n8n keeps execution data.
	expect(lookupKeyStored).toBe(true);
	await n8n.deactivateWorkflow(id);
});

test('an encrypted recipient without the keys is refused before sending, naming the field', async () => {
	const noKeys = workflow();
	for (const node of noKeys.nodes) {
		if (node.credentials) node.credentials = { resortWhatsAppApi: { id: '', name: '' } };
	}
	const trigger = noKeys.nodes[0] as { credentials?: Record<string, { id: string; name: string }> };
	trigger.credentials = { resortWhatsAppApi: { id: '', name: '' }, resortGuestDataApi: keys };
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const { id } = await deployWorkflow(n8n, tenant, noKeys);
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, text: 'Hallo nochmal' });
	const [done] = await n8n.waitForExecutions(id, 1, 60_000);
	const [failed] = N8nApi.nodeOutput(await n8n.getExecution(done.id), 'Reply', 1);
	expect(failed).toMatchObject({ status: 'failed', attempts: 0, errorDisposition: 'validation', errorField: 'to' });
	expect(String(failed.errorMessage)).toContain('attach the Resort Guest Data credential');
	expect((await fake.sends(tenant.phoneNumberId)).length).toBe(before);
	await n8n.deactivateWorkflow(id);
});
