/** The shipped journey workflows deployed into a bench n8n (timers bench, heap probe). */
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import type { FakeCloudApi, TemplateSeed } from '../../scripts/fake-cloud-api/server';
import { provisionResortTables } from '../../scripts/n8n-runtime/dataTables';
import { createBookingCredentials, createWhatsAppCredential } from './n8n';
import { REPO_ROOT, type N8nInstance, type WorkflowJson } from '../../scripts/n8n-runtime';
import { findTemplate, loadTemplates, toMetaTemplate } from '../../lib/templates';

export type Credential = { id: string; name: string };
type NodeJson = WorkflowJson['nodes'][number] & { webhookId?: string; credentials?: Record<string, Credential>; parameters?: Record<string, unknown> };

export const digits = (n: number) => {
	let s = String(1 + (randomBytes(1)[0] % 9));
	while (s.length < n) s += String(randomBytes(1)[0] % 10);
	return s;
};

/** A template in every language in Meta's form, as templates:push creates it (lib/templates). */
export function journeyTemplates(name: string): TemplateSeed[] {
	const definition = findTemplate(loadTemplates(), name);
	return Object.keys(definition.languages).map((language) => toMetaTemplate(definition, language) as unknown as TemplateSeed);
}

export function loadWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as WorkflowJson;
}

/** The shipped workflow with this instance's credentials, fresh webhook ids and parameter overrides. */
export async function deploy(
	n8n: N8nInstance,
	workflow: WorkflowJson,
	credentials: Record<string, Credential>,
	overrides: Record<string, Record<string, unknown>> = {},
): Promise<{ id: string; webhookIds: Record<string, string> }> {
	const webhookIds: Record<string, string> = {};
	const nodes = (workflow.nodes as NodeJson[]).map((node) => {
		const copy = JSON.parse(JSON.stringify(node)) as NodeJson;
		if (copy.webhookId) {
			copy.webhookId = randomUUID();
			webhookIds[copy.name] = copy.webhookId;
		}
		for (const type of Object.keys(copy.credentials ?? {})) {
			if (!credentials[type]) throw new Error(`no ${type} credential for node ${copy.name}`);
			copy.credentials![type] = credentials[type];
		}
		if (overrides[copy.name]) copy.parameters = { ...(copy.parameters ?? {}), ...overrides[copy.name] };
		return copy;
	});
	const id = await n8n.api.createWorkflow({ ...workflow, nodes });
	await n8n.api.activateWorkflow(id);
	return { id, webhookIds };
}

export function quietHoursOff(workflow: WorkflowJson): WorkflowJson {
	const node = (workflow.nodes as NodeJson[]).find((n) => n.name === 'Settings') as unknown as {
		parameters: { assignments: { assignments: Array<{ name: string; value: unknown }> } };
	};
	for (const assignment of node.parameters.assignments.assignments) {
		if (assignment.name === 'quietHoursStart' || assignment.name === 'quietHoursEnd') assignment.value = '00:00';
	}
	return workflow;
}


/**
 * A resort in a bench n8n: a tenant in the fake Cloud API with the journey templates, credentials,
 * the resort Data tables, and the shipped booking-abandonment workflow (quiet hours off, Wait
 * Before Reminder 1 as given) with its two sub-workflows linked. Returns its booking webhook URL.
 */
export async function deployAbandonmentJourney(
	n8n: N8nInstance,
	fake: FakeCloudApi,
	waitBeforeReminder1: { amount: number; unit: string },
	// A bench that already made credentials passes them: n8n 2.40.7 resolves a node's credential by
	// name when two share one, so a second 'Bench …' credential would not be the one used.
	existing?: {
		creds: Awaited<ReturnType<typeof createBookingCredentials>>;
		tenant: { phoneNumberId: string; wabaId: string; accessToken: string; appSecret: string };
		whatsApp: { waId: string; waName: string };
	},
) {
	const tenant = existing?.tenant ?? { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${randomBytes(24).toString('hex')}`, appSecret: randomBytes(16).toString('hex') };
	if (!existing) fake.registerPhoneNumber({ ...tenant, displayPhoneNumber: '15550001111', verifiedName: 'Playa Serena Resort' } as Parameters<typeof fake.registerPhoneNumber>[0]);
	fake.seedTemplates(tenant.wabaId, [...journeyTemplates('booking_reminder_1'), ...journeyTemplates('booking_reminder_2'), ...journeyTemplates('reservation_confirmation')]);
	const creds = existing?.creds ?? (await createBookingCredentials(n8n));
	const { waId, waName } = existing?.whatsApp ?? (await createWhatsAppCredential(n8n, tenant, fake.url));
	await provisionResortTables(n8n.api);
	const credentials = { resortWhatsAppApi: { id: waId, name: waName }, resortBookingWebhookApi: creds.webhook, resortGuestDataApi: creds.guestData };
	const sub = await deploy(n8n, loadWorkflow('reservation-confirmation.json'), credentials);
	// n8n refuses to activate a workflow whose Execute Workflow node is not linked.
	const postStay = await deploy(n8n, loadWorkflow('post-stay-review-upsell.json'), credentials);
	const main = await deploy(n8n, quietHoursOff(loadWorkflow('booking-abandonment.json')), credentials, {
		'Wait Before Reminder 1': waitBeforeReminder1,
		'Confirm Reservation': { workflowId: { __rl: true, mode: 'id', value: sub.id } },
		'Post-Stay Review': { workflowId: { __rl: true, mode: 'id', value: postStay.id } },
	});
	return { tenant, creds, main, confirmationId: sub.id, url: `${n8n.baseUrl}/webhook/${main.webhookIds['Booking Event']}/booking` };
}
