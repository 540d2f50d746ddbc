/**
 * `npm start`: the product on this machine with no Meta account. Starts the fake WhatsApp
 * Cloud API and the pinned n8n with this package installed, creates the credential, imports
 * and activates every workflow in workflows/, then lets you write as a guest in this terminal.
 * Ctrl-C stops everything.
 */
import { randomBytes } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import readline from 'readline';

import { startFakeCloudApi, type FakeCloudApi, type OutboundMessage } from './fake-cloud-api/server';
import { installN8n, REPO_ROOT, startN8n, type N8nInstance, type WorkflowJson } from './n8n-runtime';

const CREDENTIAL_NAME = 'Resort WhatsApp Cloud API';
const DEMO_PHONE_NUMBER_ID = '106540352242922';
const DEMO_WABA_ID = '102290129340398';
const GUEST = '34600111222';

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
			return `[${name}] ${text.replace(/\{\{(\d+)\}\}/g, (_m, n) => body[Number(n) - 1]?.text ?? `{{${n}}}`)}`;
		}
		case 'interactive':
			return `[${payload.interactive?.type}] ${payload.interactive?.body?.text ?? ''}`;
		default:
			return `[${message.type}]`;
	}
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
	const templatesDir = path.join(REPO_ROOT, 'templates', 'message-templates');
	fake.seedTemplates(
		DEMO_WABA_ID,
		readdirSync(templatesDir).map((file) => JSON.parse(readFileSync(path.join(templatesDir, file), 'utf8'))),
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
	const workflowsDir = path.join(REPO_ROOT, 'workflows');
	for (const file of readdirSync(workflowsDir).filter((f) => f.endsWith('.json'))) {
		const workflow = JSON.parse(readFileSync(path.join(workflowsDir, file), 'utf8')) as WorkflowJson;
		const id = await n8n.api.createWorkflow(workflow);
		await n8n.api.activateWorkflow(id);
		log(`imported and activated ${file}: ${n8n.baseUrl}/workflow/${id}`);
	}

	process.stdout.write(
		[
			'',
			'  Resort WhatsApp demo is running.',
			`  n8n editor:        ${n8n.baseUrl}`,
			`  login:             ${n8n.owner.email} / ${n8n.owner.password}`,
			`  executions:        ${n8n.baseUrl}/home/executions`,
			`  fake Cloud API:    ${fake.url}  (request log: ${fake.url}/_fake/requests)`,
			'',
			`  Write as the guest (+${GUEST}) and press Enter; what the product sends appears below.`,
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
		fake
			.inbound({ phoneNumberId: DEMO_PHONE_NUMBER_ID, from: GUEST, name: 'Guest', text })
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
