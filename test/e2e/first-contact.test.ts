/**
 * The shipped first-contact workflow (workflows/first-contact.json) in the real n8n against the
 * fake Cloud API: new guest → welcome_qualifier; interest tap or a question with party/dates →
 * product_suggestions with the tracked link; "a person" → owner alerted, guest paused; STOP →
 * opted out and confirmed; unclear twice → exactly one clarifying question, then hand-over.
 * Asserts the exact requests that reached the fake, in order, and the guest rows in the
 * resort_guests Data table.
 */
import axios from 'axios';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import { N8nApi, REPO_ROOT, type ExecutionDetail, type WorkflowJson } from '../../scripts/n8n-runtime';
import { provisionResortTables, rows, type DataTableRow } from '../../scripts/n8n-runtime/dataTables';
import type { RequestRecord, TemplateSeed } from '../../scripts/fake-cloud-api/server';
import { connect, createTenant, deployWorkflow, loadWorkflow, type Tenant } from '../support/e2e';
import { createGuestDataCredential, withGuestData, type GuestDataCredential } from '../support/guestData';
import { plaintextOnPurpose } from '../support/guestPhones';

jest.setTimeout(180_000);

const { n8n, fake } = connect();
const number = () => `34${6 + (randomBytes(1)[0] % 3)}${[...randomBytes(8)].map((b) => b % 10).join('')}`;
// The resort owner's own number (Settings → ownerPhone), not a guest's: it is configuration in plaintext.
const OWNER = plaintextOnPurpose("first-contact: the resort owner's number in the Settings node (not a guest)").slice(1);
const LUCIA = number(); // writes Spanish, starts with a greeting
const EMMA = number(); // writes English, starts with a question
const MARINA = number(); // writes Portuguese, then things we cannot understand
const NOAH = number(); // a send that fails
const SITE = 'https://book.example-resort.com/';
const RESORT = 'Playa Serena';

let guestData: GuestDataCredential;
// With the Resort Guest Data credential the trigger hands on `fromLookupKey`, which the workflow keys guests by.
const guestKey = (phone: string) => guestData.lookupKey(phone);
const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** Meta create-template definitions from templates/message-templates/journeys (one seed per language). */
function journeyTemplates(file: string): TemplateSeed[] {
	const def = JSON.parse(
		readFileSync(path.join(REPO_ROOT, 'templates', 'message-templates', 'journeys', `${file}.json`), 'utf8'),
	) as { name: string; category: 'MARKETING' | 'UTILITY'; languages: Record<string, { components: Array<Record<string, unknown>> }> };
	return Object.entries(def.languages).map(([language, { components }]) => ({
		name: def.name,
		language,
		category: def.category,
		components,
	}));
}

const catalog = JSON.parse(readFileSync(path.join(REPO_ROOT, 'templates', 'catalog.example.json'), 'utf8')) as {
	accommodations: Array<{ id: string; capacity: { adults: number; children: number }; interests: string[]; unavailable?: Array<{ from: string; to: string }> }>;
};
const accommodation = (id: string) => catalog.accommodations.find((a) => a.id === id)!;

let tenant: Tenant;
let workflowId: string;
let guestsTable: string;
let reviewTable: string;
let executionsSeen = 0;

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'first-contact');
	await fake.seedTemplates(tenant.wabaId, [...journeyTemplates('welcome_qualifier'), ...journeyTemplates('product_suggestions')]);
	const ids = await provisionResortTables(n8n);
	guestsTable = ids.resort_guests;
	reviewTable = ids.resort_review_queue;

	// The owner edits one node: Settings. Here: the owner's number.
	const workflow = loadWorkflow('first-contact.json');
	type Assignment = { name: string; value: string };
	const settings = workflow.nodes.find((n) => n.name === 'Settings') as unknown as { parameters: { assignments: { assignments: Assignment[] } } };
	settings.parameters.assignments.assignments.find((a) => a.name === 'ownerPhone')!.value = `+${OWNER}`;
	// workflows/first-contact.json ships without the Resort Guest Data credential; deployed here with it
	// on the trigger and every send node, so guests' numbers travel encrypted through the workflow.
	guestData = await createGuestDataCredential(n8n, 'first-contact');
	// Guest messages only: this file counts one execution per message. The shipped trigger also takes
	// status updates and refused requests for analytics (test/e2e/analytics-recording.test.ts).
	workflowId = (await deployWorkflow(n8n, tenant, withGuestData(workflow as WorkflowJson, guestData), { 'Guest Writes': { events: ['message'] } })).id;

	// WhatsApp delivers free text to the owner only inside their 24-hour window.
	await axios.post(`${fake.url}/_fake/window`, { phoneNumberId: tenant.phoneNumberId, waId: OWNER });
});

afterAll(async () => {
	await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
	await fake.clearFaults().catch(() => undefined);
});

/** A guest message → its execution (must succeed) and the requests it caused, in order. */
async function guestWrites(
	from: string,
	name: string,
	message: { text: string } | { quickReplyButton: { payload: string; text: string } } | { buttonReply: { id: string; title: string } },
	expectDelivered = true,
): Promise<{ wamid: string; sends: RequestRecord[]; execution: ExecutionDetail }> {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const inbound = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from, name, ...message });
	expect(inbound.delivered.status).toBe(200);
	executionsSeen += 1;
	const done = await n8n.waitForExecutions(workflowId, executionsSeen, 60_000);
	const execution = await n8n.getExecution(done[executionsSeen - 1].id);
	expect(execution.status).toBe('success');
	const sends = (await fake.sends(tenant.phoneNumberId)).slice(before);
	if (expectDelivered) for (const send of sends) expect(send.status).toBe(200);
	return { wamid: inbound.wamid, sends, execution };
}

async function guestRow(phone: string): Promise<DataTableRow> {
	const found = await rows(n8n, guestsTable, { filter: { filters: [{ columnName: 'guestKey', condition: 'eq', value: guestKey(phone) }] } });
	expect(found).toHaveLength(1);
	return found[0];
}

const envelope = (to: string, type: string, content: Record<string, unknown>) => ({
	messaging_product: 'whatsapp',
	recipient_type: 'individual',
	to,
	type,
	...content,
});

function welcome(to: string, language: string, name: string) {
	return envelope(to, 'template', {
		template: {
			name: 'welcome_qualifier',
			language: { code: language },
			components: [
				{ type: 'header', parameters: [{ type: 'text', text: RESORT }] },
				{ type: 'body', parameters: [{ type: 'text', text: name }, { type: 'text', text: RESORT }] },
				...['romance', 'family', 'adventure'].map((payload, index) => ({
					type: 'button',
					sub_type: 'quick_reply',
					index: String(index),
					parameters: [{ type: 'payload', payload }],
				})),
			],
		},
	});
}

function suggestions(to: string, language: string, name: string, list: string, suffix: string) {
	return envelope(to, 'template', {
		template: {
			name: 'product_suggestions',
			language: { code: language },
			components: [
				{ type: 'body', parameters: [{ type: 'text', text: name }, { type: 'text', text: RESORT }, { type: 'text', text: list }] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: suffix }] },
			],
		},
	});
}

const text = (to: string, body: string) => envelope(to, 'text', { text: { body, preview_url: false } });

/**
 * The owner's alert: the workflow puts the guest's encrypted number in the text and Notify Owner
 * (Reveal Phone Numbers in Text) opens it in memory, so WhatsApp gets the number and n8n keeps the token.
 */
function ownerAlert(guest: string, template: string) {
	return text(OWNER, template.replace('{phone}', `+${guest}`));
}

const ran = (execution: ExecutionDetail, node: string) => (execution.data?.resultData.runData[node]?.length ?? 0) > 0;

describe('first contact', () => {
	let luciaFirst: string;

	test('new guest "Hola!" → welcome_qualifier in Spanish with the interest buttons; guest row created', async () => {
		const { wamid, sends } = await guestWrites(LUCIA, 'Lucía', { text: 'Hola!' });
		luciaFirst = wamid;
		expect(sends.map((s) => s.body)).toEqual([welcome(LUCIA, 'es', 'Lucía')]);
		expect(await guestRow(LUCIA)).toMatchObject({
			guestKey: guestKey(LUCIA),
			phone: null, // the number itself is not stored
			language: 'es',
			lastIntent: 'greeting',
			firstMessageId: wamid,
			optedOut: false,
			automationPaused: false,
			clarifyAsked: false,
		});
	});

	test('tap "Familia" (quick-reply payload family) → product_suggestions with family stays and the tracked link', async () => {
		const { sends, execution } = await guestWrites(LUCIA, 'Lucía', { quickReplyButton: { payload: 'family', text: 'Familia' } });
		const [found] = N8nApi.nodeOutput(execution, 'Accommodation Catalog');
		const ids = (found.accommodations as Array<{ id: string }>).map((a) => a.id);
		// All score 2 (family is their interest); ties go to the lower price.
		expect(ids).toEqual(['mountain-cabin', 'beach-apartment', 'family-suite']);
		for (const id of ids) expect(accommodation(id).interests).toContain('family');
		const suffix = `stay/mountain-cabin?${query({ utm_source: 'whatsapp', utm_medium: 'chat', utm_campaign: 'family', utm_content: 'mountain-cabin', journey_id: luciaFirst })}`;
		expect(found.bookingUrl).toBe(`${SITE}${suffix}`);
		expect(sends.map((s) => s.body)).toEqual([
			suggestions(LUCIA, 'es', 'Lucía', 'Cabaña de Montaña, Apartamento Frente al Mar y Suite Familiar', suffix),
		]);
		// The tap is in Spanish or Portuguese ("Familia"): the guest's stored language is kept.
		expect(await guestRow(LUCIA)).toMatchObject({ language: 'es', lastIntent: 'family', lastTags: 'family' });
	});

	test('a new guest whose first message is a question gets suggestions that fit party and dates (no welcome)', async () => {
		const { wamid, sends, execution } = await guestWrites(EMMA, 'Emma', { text: 'Hi, 2 adults 1 child from 12 to 15 March?' });
		// "12 to 15 March" is the next 12 March on or after today.
		const today = new Date();
		const year = today.getUTCMonth() < 2 || (today.getUTCMonth() === 2 && today.getUTCDate() <= 12) ? today.getUTCFullYear() : today.getUTCFullYear() + 1;
		const stay = { check_in: `${year}-03-12`, check_out: `${year}-03-15`, adults: '2', children: '1' };
		const [found] = N8nApi.nodeOutput(execution, 'Accommodation Catalog');
		const ids = (found.accommodations as Array<{ id: string }>).map((a) => a.id);
		// family tag + occupancy fit: Family Suite 1 + 3/5, then two at 1 + 3/6 (cheaper first).
		expect(ids).toEqual(['family-suite', 'mountain-cabin', 'beach-apartment']);
		for (const id of ids) {
			const { capacity, unavailable = [] } = accommodation(id);
			expect(capacity.adults).toBeGreaterThanOrEqual(2);
			expect(capacity.adults + capacity.children).toBeGreaterThanOrEqual(3);
			for (const range of unavailable) expect(range.to < stay.check_in || range.from >= stay.check_out).toBe(true);
		}
		const suffix = `stay/family-suite?${query({ utm_source: 'whatsapp', utm_medium: 'chat', utm_campaign: 'availability', utm_content: 'family-suite', journey_id: wamid, ...stay })}`;
		expect(sends.map((s) => s.body)).toEqual([
			suggestions(EMMA, 'en', 'Emma', 'Family Suite, Mountain Trail Cabin and Beachfront Apartment', suffix),
		]);
		expect(ran(execution, 'Send Welcome')).toBe(false);
		expect(await guestRow(EMMA)).toMatchObject({ language: 'en', lastIntent: 'availability', lastTags: 'family', firstMessageId: wamid });
	});

	test('"I want to talk to a person" → owner alerted, guest told, automation paused; the next message gets nothing', async () => {
		const { sends } = await guestWrites(EMMA, 'Emma', { text: 'I want to talk to a person' });
		expect(sends.map((s) => s.body)).toEqual([
			ownerAlert(
				EMMA,
				`🙋 Emma ({phone}) needs a person (asked for a person). Last message: "I want to talk to a person". Automation is paused for this guest: answer them yourself, then set automationPaused to false in the resort_guests Data table to hand back to the assistant.`,
			),
			text(EMMA, 'Thanks! A member of our team will answer you here shortly.'),
		]);
		expect(await guestRow(EMMA)).toMatchObject({ automationPaused: true, lastIntent: 'human' });

		const next = await guestWrites(EMMA, 'Emma', { text: 'Do you have rooms for 2 adults in August?' });
		expect(next.sends).toEqual([]);
		expect(ran(next.execution, 'Paused or Opted Out: No Reply')).toBe(true);
		expect(ran(next.execution, 'Route by Intent')).toBe(false);
	});

	test('"STOP" → confirmation in the guest\'s language, opted out; later messages get nothing', async () => {
		const { sends } = await guestWrites(LUCIA, 'Lucía', { text: 'STOP' });
		expect(sends.map((s) => s.body)).toEqual([
			text(LUCIA, 'Hecho: no recibirás más ofertas nuestras. Si vuelves a escribirnos, te ayudaremos encantados.'),
		]);
		expect(await guestRow(LUCIA)).toMatchObject({ optedOut: true, language: 'es', lastIntent: 'opt_out' });

		const later = await guestWrites(LUCIA, 'Lucía', { text: 'Hola, somos una familia de 4' });
		expect(later.sends).toEqual([]);
		expect(ran(later.execution, 'Paused or Opted Out: No Reply')).toBe(true);
	});

	test('unclear twice → exactly one clarifying question, then hand-over to the owner (never a loop)', async () => {
		const first = await guestWrites(MARINA, 'Marina', { text: 'Olá!' });
		expect(first.sends.map((s) => s.body)).toEqual([welcome(MARINA, 'pt_BR', 'Marina')]);

		const unclear1 = await guestWrites(MARINA, 'Marina', { text: 'asdfgh' });
		expect(unclear1.sends.map((s) => s.body)).toEqual([
			envelope(MARINA, 'interactive', {
				interactive: {
					type: 'button',
					body: { text: 'Desculpe, não entendemos bem. Que tipo de estadia você procura? Toque em uma opção ou diga as datas e quantas pessoas são.' },
					action: {
						buttons: [
							{ type: 'reply', reply: { id: 'romance', title: 'Romance' } },
							{ type: 'reply', reply: { id: 'family', title: 'Família' } },
							{ type: 'reply', reply: { id: 'adventure', title: 'Aventura' } },
						],
					},
				},
			}),
		]);
		expect(await guestRow(MARINA)).toMatchObject({ clarifyAsked: true, automationPaused: false, language: 'pt' });

		const unclear2 = await guestWrites(MARINA, 'Marina', { text: 'qwerty zxcv' });
		expect(unclear2.sends.map((s) => s.body)).toEqual([
			ownerAlert(
				MARINA,
				`🙋 Marina ({phone}) needs a person (we could not understand two messages). Last message: "qwerty zxcv". Automation is paused for this guest: answer them yourself, then set automationPaused to false in the resort_guests Data table to hand back to the assistant.`,
			),
			text(MARINA, 'Obrigado! Uma pessoa da nossa equipe vai responder você por aqui em breve.'),
		]);
		expect(ran(unclear2.execution, 'Ask What They Are Looking For')).toBe(false);

		const third = await guestWrites(MARINA, 'Marina', { text: 'zzzz' });
		expect(third.sends).toEqual([]);

		const all = (await fake.sends(tenant.phoneNumberId)).filter((s) => (s.body as { to?: string }).to === MARINA);
		expect(all.filter((s) => (s.body as { type?: string }).type === 'interactive')).toHaveLength(1);
		expect(await guestRow(MARINA)).toMatchObject({ clarifyAsked: true, automationPaused: true });
	});

	test('two first messages at once from a new guest → one guest row, one welcome', async () => {
		const SOFIA = number();
		const before = (await fake.sends(tenant.phoneNumberId)).length;
		const [a, b] = await Promise.all([
			fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: SOFIA, name: 'Sofía', text: 'Hola!' }),
			fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: SOFIA, name: 'Sofía', text: 'Buenas tardes' }),
		]);
		expect([a.delivered.status, b.delivered.status]).toEqual([200, 200]);
		executionsSeen += 2;
		const done = await n8n.waitForExecutions(workflowId, executionsSeen, 60_000);
		for (const e of done.slice(-2)) expect(e.status).toBe('success');
		const executions = await Promise.all(done.slice(-2).map((e) => n8n.getExecution(e.id)));
		// Whether both saw "no row yet" depends on timing; when they did, the claim let only one through.
		const bothNew = executions.every((e) => N8nApi.nodeOutput(e, 'New Guest').length === 1);
		process.stderr.write(`[first-contact] concurrent first messages both took the new-guest path: ${bothNew}\n`);
		const row = await guestRow(SOFIA); // exactly one row
		expect([a.wamid, b.wamid]).toContain(row.firstMessageId);
		const sends = (await fake.sends(tenant.phoneNumberId)).slice(before).map((s) => s.body as { type: string; template?: { name: string } });
		expect(sends.filter((s) => s.template?.name === 'welcome_qualifier')).toHaveLength(1);
		// The other greeting is handled as a known guest's unclear message: at most the one clarifying question.
		expect(sends.filter((s) => s.type === 'interactive').length).toBeLessThanOrEqual(1);
	});

	test('a send WhatsApp refuses → a resort_review_queue row', async () => {
		await fake.addFaults({ phoneNumberId: tenant.phoneNumberId, path: 'messages', method: 'POST', error: { code: 131026, httpStatus: 400, message: 'Message undeliverable' } });
		const { sends, execution } = await guestWrites(NOAH, 'Noah', { text: 'Hello' }, false);
		expect(sends.map((s) => [(s.body as { template?: { name: string } }).template?.name, s.status])).toEqual([['welcome_qualifier', 400]]);
		expect(ran(execution, 'Queue for Review')).toBe(true);
		const queued = await rows(n8n, reviewTable, { filter: { filters: [{ columnName: 'guestKey', condition: 'eq', value: guestKey(NOAH) }] } });
		expect(queued).toHaveLength(1);
		expect(queued[0]).toMatchObject({
			status: 'open',
			source: 'first-contact',
			executionId: String(execution.id),
			reason: 'first-contact: sendTemplate welcome_qualifier not delivered: 131026 (#131026) Message undeliverable',
		});
		expect(String(queued[0].phone)).toMatch(/^\+34•+\d{2}$/);
	});
});
