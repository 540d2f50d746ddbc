/**
 * `npm start`: the product on this machine with no Meta account. Starts the fake WhatsApp
 * Cloud API and the pinned n8n with this package installed, creates the credentials and Data
 * tables, imports and activates the workflows in workflows/, then lets you write as a guest and
 * send signed booking events from this terminal.
 * Ctrl-C stops everything.
 */
import { randomBytes } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import readline from 'readline';

import { DateTime } from 'luxon';

import { signBookingWebhook } from '../lib/booking';
import { loadTemplates, toMetaTemplate } from '../lib/templates';
import { startFakeCloudApi, type FakeCloudApi, type OutboundMessage, type TemplateSeed } from './fake-cloud-api/server';
import { installN8n, REPO_ROOT, startN8n, type N8nInstance, type WorkflowJson } from './n8n-runtime';
import { provisionFirstContactTables, provisionJourneyTables } from './n8n-runtime/dataTables';

const CREDENTIAL_NAME = 'Resort WhatsApp Cloud API';
const DEMO_PHONE_NUMBER_ID = '106540352242922';
const DEMO_WABA_ID = '102290129340398';
const GUEST = '34600111222';
/** hello-guest would answer the same guest messages as first-contact, so it stays off. */
const INACTIVE_WORKFLOWS = new Set(['hello-guest.json']);
const BOOKING_TYPES: Record<string, string> = {
	started: 'booking_started',
	abandoned: 'booking_abandoned',
	confirmed: 'reservation_confirmed',
	cancelled: 'reservation_cancelled',
	checkin: 'checked_in',
	checkout: 'checked_out',
};

const log = (line: string) => process.stdout.write(`[demo] ${line}\n`);

/** What the guest's phone would show: template bodies rendered with their parameters. */
function describe(message: OutboundMessage, fake: FakeCloudApi): string {
	const payload = message.payload as Record<string, any>;
	switch (message.type) {
		case 'text':
			return payload.text?.body;
		case 'template': {
			const { name, language, components = [] } = payload.template ?? {};
			const body = components.find((c: any) => c.type === 'body')?.parameters ?? [];
			const template = fake.templates(DEMO_WABA_ID).find((t) => t.name === name && t.language === language?.code);
			const text = String(template?.components.find((c) => c.type === 'BODY')?.text ?? '');
			const buttons = (template?.components.find((c) => c.type === 'BUTTONS')?.buttons as Array<{ text: string }> | undefined) ?? [];
			const rendered = text.replace(/\{\{(\d+)\}\}/g, (_m, n) => body[Number(n) - 1]?.text ?? `{{${n}}}`);
			return `[${name}] ${rendered}${buttons.length ? `\n           buttons: ${buttons.map((b) => `[${b.text}]`).join(' ')}` : ''}`;
		}
		case 'interactive':
			return `[${payload.interactive?.type}] ${payload.interactive?.body?.text ?? ''}`;
		default:
			return `[${message.type}]`;
	}
}

/** One booking per demo run, so the simulator's events tell one story. */
const DEMO_BOOKING_ID = `demo-${randomBytes(3).toString('hex')}`;

async function sendBookingEvent(url: string, secret: string, type: string): Promise<number> {
	const checkIn = DateTime.now().plus({ days: 30 });
	const event: Record<string, unknown> = {
		eventId: `${DEMO_BOOKING_ID}-${type}-${Date.now()}`,
		type,
		occurredAt: DateTime.now().toISO(),
		bookingId: DEMO_BOOKING_ID,
		guest: { phone: `+${GUEST}`, name: 'Guest', language: 'es', marketingConsent: true, timeZone: 'Europe/Madrid' },
		stay: { checkIn: checkIn.toISODate(), checkOut: checkIn.plus({ days: 4 }).toISODate(), adults: 2, children: 1, accommodationId: 'family-suite' },
		source: 'demo',
	};
	if (type === 'booking_started') delete event.stay;
	if (type === 'reservation_confirmed') event.amount = { value: 1240, currency: 'EUR' };
	const body = JSON.stringify(event);
	const response = await fetch(url, {
		method: 'POST',
		body,
		headers: { 'content-type': 'application/json', 'x-resort-signature': signBookingWebhook(body, secret, Date.now() / 1000) },
	});
	return response.status;
}

/** The label the guest sees on the quick-reply button with this payload in the last template. */
function buttonText(fake: FakeCloudApi, payload: string): string {
	const sent = fake.messages({ phoneNumberId: DEMO_PHONE_NUMBER_ID }).filter((m) => m.type === 'template');
	for (const message of sent.reverse()) {
		const template = (message.payload as Record<string, any>).template ?? {};
		const button = (template.components ?? []).find(
			(c: any) => c.type === 'button' && c.sub_type === 'quick_reply' && c.parameters?.[0]?.payload === payload,
		);
		if (!button) continue;
		const definition = fake.templates(DEMO_WABA_ID).find((t) => t.name === template.name && t.language === template.language?.code);
		const buttons = (definition?.components.find((c) => c.type === 'BUTTONS')?.buttons as Array<{ text: string }> | undefined) ?? [];
		return buttons[Number(button.index)]?.text ?? payload;
	}
	return payload;
}

async function main(): Promise<void> {
	await installN8n({ log });
	const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
	const appSecret = randomBytes(16).toString('hex');
	const fake: FakeCloudApi = await startFakeCloudApi({ port: Number(process.env.FAKE_API_PORT ?? 4010), statusDelayMs: 300 });
	fake.registerPhoneNumber({
		phoneNumberId: DEMO_PHONE_NUMBER_ID,
		wabaId: DEMO_WABA_ID,
		accessToken,
		appSecret,
		displayPhoneNumber: '+1 555-010-2922',
		verifiedName: 'Playa Serena Resort',
	});
	// The same definitions `npm run templates:push` sends to a real WhatsApp Business Account.
	fake.seedTemplates(
		DEMO_WABA_ID,
		loadTemplates().flatMap((definition) =>
			Object.keys(definition.languages).map((language) => toMetaTemplate(definition, language) as unknown as TemplateSeed),
		),
	);

	let n8n: N8nInstance | undefined;
	let stopping = false;
	const shutdown = async () => {
		if (stopping) return;
		stopping = true;
		log('stopping…');
		await n8n?.stop();
		await fake.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown());
	process.on('SIGTERM', () => void shutdown());

	n8n = await startN8n({ extensionsDir: REPO_ROOT, port: Number(process.env.N8N_PORT ?? 5678), log });
	await n8n.api.createCredential('resortWhatsAppApi', CREDENTIAL_NAME, {
		accessToken,
		phoneNumberId: DEMO_PHONE_NUMBER_ID,
		businessAccountId: DEMO_WABA_ID,
		appSecret,
		verifyToken: randomBytes(12).toString('hex'),
		graphApiVersion: 'v23.0',
		baseUrl: fake.url,
	});
	await provisionFirstContactTables(n8n.api);
	await provisionJourneyTables(n8n.api);
	const bookingSecret = randomBytes(24).toString('hex');
	await n8n.api.createCredential('resortBookingWebhookApi', 'Resort Booking Webhook', { signingSecret: bookingSecret, token: '' });
	await n8n.api.createCredential('resortGuestDataApi', 'Resort Guest Data', {
		encryptionKey: randomBytes(32).toString('hex'),
		lookupKey: randomBytes(32).toString('hex'),
	});
	const privacyToken = randomBytes(16).toString('hex');
	await n8n.api.createCredential('httpHeaderAuth', 'Resort Privacy Requests', { name: 'X-Privacy-Token', value: privacyToken });
	const workflowsDir = path.join(REPO_ROOT, 'workflows');
	let bookingUrl: string | undefined;
	const files = readdirSync(workflowsDir).filter((f) => f.endsWith('.json'));
	const workflows = files.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(workflowsDir, file), 'utf8')) as WorkflowJson }));
	const callsSubWorkflow = (workflow: WorkflowJson) => workflow.nodes.some((node) => node.type === 'n8n-nodes-base.executeWorkflow');
	// Sub-workflows first, so the workflows that call them can point at their new IDs (an owner
	// importing by hand picks the sub-workflow in the Execute Workflow node instead).
	workflows.sort((a, b) => Number(callsSubWorkflow(a.workflow)) - Number(callsSubWorkflow(b.workflow)));
	const idsByName = new Map<string, string>();
	for (const { file, workflow } of workflows) {
		for (const node of workflow.nodes as Array<{ type: string; parameters?: Record<string, any> }>) {
			const target = node.parameters?.workflowId;
			if (node.type === 'n8n-nodes-base.executeWorkflow' && target?.cachedResultName && idsByName.has(target.cachedResultName)) {
				node.parameters!.workflowId = { __rl: true, mode: 'id', value: idsByName.get(target.cachedResultName) };
			}
		}
		const id = await n8n.api.createWorkflow(workflow).catch((error: Error) => {
			log(`could not import ${file}: ${error.message}`);
			return undefined;
		});
		if (!id) continue;
		idsByName.set(workflow.name, id);
		let state = 'inactive';
		if (!INACTIVE_WORKFLOWS.has(file)) {
			state = await n8n.api.activateWorkflow(id).then(
				() => 'active',
				(error: Error) => `not activated: ${error.message}`,
			);
		}
		const bookingTrigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-resort-whatsapp.bookingEventTrigger') as
			| { webhookId?: string }
			| undefined;
		if (bookingTrigger?.webhookId && state === 'active') bookingUrl = `${n8n.baseUrl}/webhook/${bookingTrigger.webhookId}/booking`;
		log(`imported ${file} (${state}): ${n8n.baseUrl}/workflow/${id}`);
	}

	process.stdout.write(
		[
			'',
			'  Resort WhatsApp demo is running.',
			`  n8n editor:        ${n8n.baseUrl}`,
			`  login:             ${n8n.owner.email} / ${n8n.owner.password}`,
			`  executions:        ${n8n.baseUrl}/home/executions`,
			`  fake Cloud API:    ${fake.url}  (request log: ${fake.url}/_fake/requests)`,
			`  privacy requests:  POST ${n8n.baseUrl}/webhook/guest-data with header X-Privacy-Token: ${privacyToken}`,
			'',
			`  Write as the guest (+${GUEST}) and press Enter; what the product sends appears below.`,
			'  Tap a template button by typing its payload after a slash, e.g. /family.',
			`  Booking simulator: !started, !abandoned, !confirmed, !cancelled, !checkin, !checkout send a signed event for this guest${bookingUrl ? '' : ' (no booking workflow is active)'}.`,
			'  Ctrl-C stops n8n and the fake API.',
			'',
		].join('\n'),
	);

	let shown = 0;
	setInterval(() => {
		const messages = fake.messages({ phoneNumberId: DEMO_PHONE_NUMBER_ID });
		for (const message of messages.slice(shown)) process.stdout.write(`  resort › ${describe(message, fake)}\n`);
		shown = messages.length;
	}, 250);

	const input = readline.createInterface({ input: process.stdin });
	input.on('line', (line) => {
		const text = line.trim();
		if (!text) return;
		if (text.startsWith('!')) {
			const type = BOOKING_TYPES[text.slice(1).trim()];
			if (!type || !bookingUrl) {
				log(bookingUrl ? `unknown booking command ${text}; try ${Object.keys(BOOKING_TYPES).map((k) => `!${k}`).join(' ')}` : 'no booking workflow is active');
				return;
			}
			void sendBookingEvent(bookingUrl, bookingSecret, type).then((status) => log(`${type} → HTTP ${status}`));
			return;
		}
		// "/family" taps the quick-reply button whose payload is "family".
		const tap = text.startsWith('/') ? text.slice(1).trim() : undefined;
		const message = tap ? { quickReplyButton: { payload: tap, text: buttonText(fake, tap) } } : { text };
		fake
			.inbound({ phoneNumberId: DEMO_PHONE_NUMBER_ID, from: GUEST, name: 'Guest', ...message })
			.then((result) => {
				if (result.delivered.status !== 200) log(`n8n answered ${result.delivered.status}`);
			})
			.catch((error: Error) => log(`could not deliver: ${error.message}`));
	});
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
