/**
 * Every send operation of the Resort WhatsApp node and the status side of the trigger, in the
 * real n8n against the fake Cloud API: exact request bodies, limits refused before sending,
 * n8n's error output when the user enables it.
 */
import { N8nApi, type WorkflowJson } from '../../scripts/n8n-runtime';
import { connect, createTenant, deployWorkflow, eventually, sleep, type Tenant } from '../support/e2e';
import { createGuestDataCredential, withGuestData, type GuestDataCredential } from '../support/guestData';

jest.setTimeout(120_000);

const { n8n, fake } = connect();
const GUEST = '5511987654321';
const SEND = 'n8n-nodes-resort-whatsapp.resortWhatsApp';
const credentials = { resortWhatsAppApi: { id: '', name: '' } };
const guest = "={{ $('Guest Writes').item.json.from }}";

function node(name: string, x: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	return { id: `node-${name.replace(/\W+/g, '-')}`, name, type: SEND, typeVersion: 1, position: [x, 0], parameters, credentials, ...extra };
}

const operationsWorkflow: WorkflowJson = {
	name: 'e2e: every send operation',
	nodes: [
		{
			id: 'trigger',
			name: 'Guest Writes',
			type: 'n8n-nodes-resort-whatsapp.resortWhatsAppTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: 'set-by-deploy',
			parameters: { events: ['message'], registerWebhook: true },
			credentials,
		},
		node('Buttons', 200, {
			operation: 'sendButtons',
			to: guest,
			body: 'What kind of stay are you dreaming of?',
			headerText: 'Playa Serena',
			footer: 'Tap one',
			buttons: { button: [{ id: 'romance', title: 'Romantic escape' }, { id: 'family', title: 'Family time' }, { id: 'wellness', title: 'Spa & wellness' }] },
		}),
		node('List', 400, {
			operation: 'sendList',
			to: guest,
			body: 'Our accommodations',
			buttonText: 'See rooms',
			rows: {
				row: [
					{ section: 'Beach', id: 'villa-mar', title: 'Villa Mar', description: 'Private pool, sea view' },
					{ section: 'Beach', id: 'bungalow-sol', title: 'Bungalow Sol', description: '' },
					{ section: 'Mountain', id: 'cabana-pinos', title: 'Cabana Pinos', description: 'Fireplace' },
				],
			},
		}),
		node('Link', 600, {
			operation: 'sendCtaUrl',
			to: guest,
			body: 'Book your stay in two minutes.',
			headerText: '',
			footer: '',
			displayText: 'View Accommodations',
			url: 'https://book.playaserena.example/?utm_source=whatsapp&journey_id=j-42',
		}),
		node('Read', 800, { operation: 'markAsRead', messageId: "={{ $('Guest Writes').item.json.wamid }}" }),
		node(
			'Too Many Buttons',
			1000,
			{
				operation: 'sendButtons',
				to: guest,
				body: 'Pick one',
				buttons: { button: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id.toUpperCase() })) },
			},
			{ onError: 'continueErrorOutput' },
		),
		{ id: 'refused', name: 'Refused', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [1200, 100], parameters: {} },
	],
	connections: {
		'Guest Writes': { main: [[{ node: 'Buttons', type: 'main', index: 0 }]] },
		Buttons: { main: [[{ node: 'List', type: 'main', index: 0 }], []] },
		List: { main: [[{ node: 'Link', type: 'main', index: 0 }], []] },
		Link: { main: [[{ node: 'Read', type: 'main', index: 0 }], []] },
		Read: { main: [[{ node: 'Too Many Buttons', type: 'main', index: 0 }], []] },
		'Too Many Buttons': { main: [[], [], [{ node: 'Refused', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
};

const statusWorkflow: WorkflowJson = {
	name: 'e2e: delivery statuses',
	nodes: [
		{
			id: 'status-trigger',
			name: 'Status Update',
			type: 'n8n-nodes-resort-whatsapp.resortWhatsAppTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: 'set-by-deploy',
			parameters: { events: ['status'], registerWebhook: true },
			credentials,
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
};

let tenant: Tenant;
let guestData: GuestDataCredential;

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'operations');
	// Triggers emit the guest's number encrypted; the send nodes decrypt it in memory.
	guestData = await createGuestDataCredential(n8n, 'operations');
});

test('buttons, list, link button and mark-as-read reach the API exactly as Meta expects', async () => {
	const { id } = await deployWorkflow(n8n, tenant, withGuestData(operationsWorkflow, guestData));
	const inbound = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name: 'João', text: 'Oi' });
	expect(inbound.delivered.status).toBe(200);
	const [done] = await n8n.waitForExecutions(id, 1, 60_000);
	const execution = await n8n.getExecution(done.id);

	const sends = await fake.sends(tenant.phoneNumberId);
	expect(sends.map((s) => s.status)).toEqual([200, 200, 200, 200]);
	const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: GUEST, type: 'interactive' };
	expect(sends[0].body).toEqual({
		...envelope,
		interactive: {
			type: 'button',
			header: { type: 'text', text: 'Playa Serena' },
			body: { text: 'What kind of stay are you dreaming of?' },
			footer: { text: 'Tap one' },
			action: {
				buttons: [
					{ type: 'reply', reply: { id: 'romance', title: 'Romantic escape' } },
					{ type: 'reply', reply: { id: 'family', title: 'Family time' } },
					{ type: 'reply', reply: { id: 'wellness', title: 'Spa & wellness' } },
				],
			},
		},
	});
	expect(sends[1].body).toEqual({
		...envelope,
		interactive: {
			type: 'list',
			body: { text: 'Our accommodations' },
			action: {
				button: 'See rooms',
				sections: [
					{
						title: 'Beach',
						rows: [
							{ id: 'villa-mar', title: 'Villa Mar', description: 'Private pool, sea view' },
							{ id: 'bungalow-sol', title: 'Bungalow Sol' },
						],
					},
					{ title: 'Mountain', rows: [{ id: 'cabana-pinos', title: 'Cabana Pinos', description: 'Fireplace' }] },
				],
			},
		},
	});
	expect(sends[2].body).toEqual({
		...envelope,
		interactive: {
			type: 'cta_url',
			body: { text: 'Book your stay in two minutes.' },
			action: {
				name: 'cta_url',
				parameters: { display_text: 'View Accommodations', url: 'https://book.playaserena.example/?utm_source=whatsapp&journey_id=j-42' },
			},
		},
	});
	expect(sends[3].body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: inbound.wamid });
	expect(sends[3].response).toEqual({ success: true });

	// The invalid node sent nothing and its item went to n8n's error output, naming the field.
	const refused = N8nApi.nodeOutput(execution, 'Too Many Buttons', 2);
	expect(refused).toHaveLength(1);
	// n8n's error output carries the input item plus the error message.
	expect(refused[0].error).toBe('interactive.action.buttons: has 4 buttons; 1 to 3 are allowed');
	expect(N8nApi.nodeOutput(execution, 'Refused', 0)).toHaveLength(1);
	await n8n.deactivateWorkflow(id);
});

test('status webhooks become one item per status, with Meta error codes for failures', async () => {
	const { id, webhookIds } = await deployWorkflow(n8n, tenant, withGuestData(statusWorkflow, guestData));
	const url = `${connect().env.n8nUrl}/webhook/${webhookIds['Status Update']}/webhook`;
	expect((await fake.subscriptions()).find((s) => s.wabaId === tenant.wabaId)?.overrideCallbackUri).toBe(url);
	// A message the previous test really sent to the guest. Its automatic sent/delivered statuses
	// went to the previous workflow; one that was not answered 2xx in time is redelivered, like Meta
	// does, to whatever URL is subscribed now. So this test uses statuses the fake never sends on
	// its own (read, failed) and looks only at those.
	const [message] = await fake.messages({ phoneNumberId: tenant.phoneNumberId });
	const wamid = message.wamid;
	const read = await fake.status({ wamid, status: 'read' });
	const failed = await fake.status({ wamid, status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] });
	const repeated = await fake.status({ wamid, status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] });
	const answer = (d: typeof read) => ({ status: d?.responseStatus, body: d ? (JSON.parse(d.responseBody) as unknown) : undefined });
	expect(answer(read)).toEqual({ status: 200, body: { received: 1, accepted: 1 } });
	expect(answer(failed)).toEqual({ status: 200, body: { received: 1, accepted: 1 } });
	// The repeated "failed" delivery is acknowledged but starts nothing.
	expect(answer(repeated)).toEqual({ status: 200, body: { received: 1, accepted: 0 } });

	const ours = (item: Record<string, unknown>) => item.wamid === wamid && (item.status === 'read' || item.status === 'failed');
	const runs = await eventually(
		async () => {
			const found: Array<{ executionId: string; items: Array<Record<string, unknown>> }> = [];
			for (const e of await n8n.listExecutions({ workflowId: id })) {
				if (['new', 'running', 'waiting'].includes(e.status)) return undefined;
				const items = N8nApi.nodeOutput(await n8n.getExecution(e.id), 'Status Update', 0).filter(ours);
				if (items.length > 0) found.push({ executionId: e.id, items });
			}
			return found.flatMap((r) => r.items).length >= 2 ? found.sort((a, b) => Number(a.executionId) - Number(b.executionId)) : undefined;
		},
		60_000,
		'two finished executions with the read and failed statuses',
	);
	expect(runs.map((r) => r.items)).toEqual([
		[expect.objectContaining({ kind: 'status', wamid, status: 'read', eventKey: `${wamid}:read`, recipientIdMasked: '+55•••••••••21', recipientId: expect.stringMatching(/^v1\./) })],
		[expect.objectContaining({ kind: 'status', wamid, status: 'failed', errorCode: 131026, errorTitle: 'Message undeliverable' })],
	]);
	await n8n.deactivateWorkflow(id);
});

test('a batch is paced to the node rate limit instead of flooding the API', async () => {
	const perSecond = 20;
	const batch: WorkflowJson = {
		name: 'e2e: paced batch',
		nodes: [
			{
				id: 'batch-trigger',
				name: 'Guest Writes',
				type: 'n8n-nodes-resort-whatsapp.resortWhatsAppTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'set-by-deploy',
				parameters: { events: ['message'], registerWebhook: true },
				credentials,
			},
			{
				id: 'fan-out',
				name: 'Sixty Messages',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: 'return Array.from({ length: 60 }, (_, n) => ({ json: { n } }));' },
			},
			node('Paced Send', 400, {
				operation: 'sendText',
				to: guest,
				text: '=Update {{ $json.n }}',
				delivery: { messagesPerSecond: perSecond },
			}),
		],
		connections: {
			'Guest Writes': { main: [[{ node: 'Sixty Messages', type: 'main', index: 0 }]] },
			'Sixty Messages': { main: [[{ node: 'Paced Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const { id } = await deployWorkflow(n8n, tenant, withGuestData(batch, guestData));
	await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, text: 'updates please' });
	const [done] = await n8n.waitForExecutions(id, 1, 60_000);
	const execution = await n8n.getExecution(done.id);
	expect(N8nApi.nodeOutput(execution, 'Paced Send', 0)).toHaveLength(60);

	const sends = (await fake.sends(tenant.phoneNumberId)).slice(before);
	expect(sends).toHaveLength(60);
	expect(sends.every((s) => s.status === 200)).toBe(true);
	expect(new Set(sends.map((s) => (s.body as { text: { body: string } }).text.body)).size).toBe(60);
	const times = sends.map((s) => Date.parse(s.at)).sort((a, b) => a - b);
	// Sliding window: `perSecond` at once, then each send waits until the one `perSecond` places
	// back is 1,020 ms old, counting the first burst from when its requests finished (on cold
	// connections it arrives late) and a later send held up on n8n's side from when it left (both
	// once let 40 land in one second here, on a loaded CI machine). Measured at the fake: allow 2 over.
	let busiest = 0;
	for (let i = 0, j = 0; i < times.length; i++) {
		while (times[i] - times[j] >= 1000) j++;
		busiest = Math.max(busiest, i - j + 1);
	}
	expect(busiest).toBeLessThanOrEqual(perSecond + 2);
	// 60 sends at 20 per 1,020 ms: the 41st cannot leave before two full windows.
	expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(2 * 1020 - 100);
	await n8n.deactivateWorkflow(id);
});

test('Respond "When Last Node Finishes": a status whose run failed is answered 500, and Meta\'s redelivery runs it', async () => {
	const failUntil = Date.now() + 10_000;
	const gated: WorkflowJson = {
		...statusWorkflow,
		name: 'e2e: statuses answered after the run',
		nodes: [
			{ ...statusWorkflow.nodes[0], parameters: { events: ['status'], registerWebhook: true, respond: 'lastNode' } },
			{
				id: 'gate',
				name: 'Gate',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: `if (Date.now() < ${failUntil}) throw new Error('analytics store not ready');\nreturn $input.all();` },
			},
		],
		connections: { 'Status Update': { main: [[{ node: 'Gate', type: 'main', index: 0 }]] } },
	};
	const { id } = await deployWorkflow(n8n, tenant, withGuestData(gated, guestData));
	const [message] = await fake.messages({ phoneNumberId: tenant.phoneNumberId });
	const wamid = message.wamid;

	const first = await fake.status({ wamid, status: 'read' });
	expect({ status: first?.responseStatus, body: first?.responseBody }).toEqual({ status: 500, body: JSON.stringify({ message: 'Error in workflow' }) });
	expect(Date.now()).toBeLessThan(failUntil); // the first delivery really met the failing gate
	await sleep(Math.max(0, failUntil - Date.now()) + 500);
	// Meta delivers a webhook again until it gets a 200; the trigger forgot the unacknowledged key.
	const again = await fake.status({ wamid, status: 'read' });
	expect({ status: again?.responseStatus, body: again?.responseBody }).toEqual({ status: 200, body: '' });
	// Once acknowledged, the same status is a duplicate again.
	const repeated = await fake.status({ wamid, status: 'read' });
	expect({ status: repeated?.responseStatus, body: JSON.parse(repeated?.responseBody ?? 'null') }).toEqual({ status: 200, body: { received: 1, accepted: 0 } });

	// Answered only after the run ended: both runs are already finished, the second one past the gate.
	const ours: string[] = [];
	for (const e of await n8n.listExecutions({ workflowId: id })) {
		const execution = await n8n.getExecution(e.id);
		if (N8nApi.nodeOutput(execution, 'Status Update', 0).some((item) => item.wamid === wamid && item.status === 'read')) {
			ours.push(`${e.status}:${N8nApi.nodeOutput(execution, 'Gate', 0).length}`);
		}
	}
	expect(ours.sort()).toEqual(['error:0', 'success:1']);
	await n8n.deactivateWorkflow(id);
});
