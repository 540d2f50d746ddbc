/**
 * Guest Intent and Accommodation Catalog in the real n8n: a guest writes free text, the
 * workflow tags it, picks accommodations from the example catalog and sends the approved
 * product_suggestions template with the tracked booking link as the URL button's suffix.
 * Asserts the exact template request that reached the fake Cloud API.
 */
import { N8nApi, type WorkflowJson } from '../../scripts/n8n-runtime';
import { decryptPhone } from '../../lib/privacy';
import { connect, createTenant, deployWorkflow, type Tenant } from '../support/e2e';
import { createGuestDataCredential, withGuestData, type GuestDataCredential } from '../support/guestData';

jest.setTimeout(120_000);

const { n8n, fake } = connect();
const GUEST = '34611222333';
const SITE = 'https://book.example-resort.com/';
const credentials = { resortWhatsAppApi: { id: '', name: '' } };
/** The guest writes on 1 April 2026: "del 3 al 6 de mayo" is 2026-05-03 → 2026-05-06. */
const WRITTEN_AT = Date.UTC(2026, 3, 1, 10, 0, 0) / 1000;

const workflow: WorkflowJson = {
	name: 'e2e: intent → catalog → product suggestions',
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
		{
			id: 'intent',
			name: 'Guest Intent',
			type: 'n8n-nodes-resort-whatsapp.guestIntent',
			typeVersion: 1,
			position: [220, 0],
			// Text and Output Field keep their defaults ($json.text → $json.intent).
			parameters: { referenceTime: '={{ $json.timestamp }}' },
		},
		{
			id: 'catalog',
			name: 'Accommodation Catalog',
			type: 'n8n-nodes-resort-whatsapp.accommodationCatalog',
			typeVersion: 1,
			position: [440, 0],
			// Intent, tags, entities and language keep their defaults, which read Guest Intent's output.
			parameters: {
				catalogSource: 'example',
				tracking: { journeyId: "={{ $('Guest Writes').item.json.wamid }}" },
			},
		},
		{
			id: 'send',
			name: 'Send Suggestions',
			type: 'n8n-nodes-resort-whatsapp.resortWhatsApp',
			typeVersion: 1,
			position: [660, 0],
			parameters: {
				resource: 'message',
				operation: 'sendTemplate',
				to: "={{ $('Guest Writes').item.json.from }}",
				templateName: 'product_suggestions',
				language: "={{ $json.intent.language === 'es' ? 'es' : 'en' }}",
				headerType: 'none',
				bodyParameters: {
					parameter: [
						{ text: "={{ $('Guest Writes').item.json.profileName }}" },
						// An empty parameter is refused by Meta: when nothing fits, the link shows all stays.
						{ text: "={{ $json.suggestionText || ($json.intent.language === 'es' ? 'todas nuestras estancias' : 'all our stays') }}" },
					],
				},
				buttonParameters: { button: [{ index: 0, subType: 'url', value: '={{ $json.bookingUrlSuffix }}' }] },
				fallbackText: '',
			},
			credentials,
		},
	],
	connections: {
		'Guest Writes': { main: [[{ node: 'Guest Intent', type: 'main', index: 0 }]] },
		'Guest Intent': { main: [[{ node: 'Accommodation Catalog', type: 'main', index: 0 }]] },
		'Accommodation Catalog': { main: [[{ node: 'Send Suggestions', type: 'main', index: 0 }]] },
	},
	settings: { executionOrder: 'v1' },
};

function productSuggestions(language: 'es' | 'en', body: string, button: string) {
	return {
		name: 'product_suggestions',
		language,
		category: 'MARKETING' as const,
		components: [
			{ type: 'HEADER', format: 'TEXT', text: 'Playa Serena Resort' },
			{ type: 'BODY', text: body, example: { body_text: [['Ana', 'Villa Mar, Bungalow Sol and Cabana Pinos']] } },
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: button, url: `${SITE}{{1}}`, example: [`${SITE}stay/villa-mar`] }] },
		],
	};
}

let tenant: Tenant;
let guestData: GuestDataCredential;
let workflowId: string;
let executionsSeen = 0;

beforeAll(async () => {
	tenant = await createTenant(n8n, fake, 'intent-catalog');
	await fake.seedTemplates(tenant.wabaId, [
		productSuggestions('es', '¡Hola {{1}}! Para tu estancia te proponemos {{2}}. Reserva con el botón.', 'Reservar'),
		productSuggestions('en', 'Hi {{1}}! For your stay we suggest {{2}}. Book with the button below.', 'Book now'),
	]);
	// The guest's number travels encrypted; only Send Suggestions decrypts it.
	guestData = await createGuestDataCredential(n8n, 'intent-catalog');
	workflowId = (await deployWorkflow(n8n, tenant, withGuestData(workflow, guestData))).id;
});

afterAll(async () => {
	await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
});

/** Sends a guest message, waits for its execution and returns the template request and the execution. */
async function guestWrites(name: string, text: string) {
	const before = (await fake.sends(tenant.phoneNumberId)).length;
	const inbound = await fake.inbound({ phoneNumberId: tenant.phoneNumberId, from: GUEST, name, text, timestamp: WRITTEN_AT });
	expect(inbound.delivered.status).toBe(200);
	executionsSeen += 1;
	const done = await n8n.waitForExecutions(workflowId, executionsSeen, 60_000);
	const execution = await n8n.getExecution(done[executionsSeen - 1].id);
	expect(execution.status).toBe('success');
	const sends = (await fake.sends(tenant.phoneNumberId)).slice(before);
	expect(sends).toHaveLength(1);
	expect(sends[0].status).toBe(200);
	return { wamid: inbound.wamid, request: sends[0], execution };
}

function templateRequest(language: string, name: string, suggestions: string, suffix: string) {
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: GUEST,
		type: 'template',
		template: {
			name: 'product_suggestions',
			language: { code: language },
			components: [
				{ type: 'body', parameters: [{ type: 'text', text: name }, { type: 'text', text: suggestions }] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: suffix }] },
			],
		},
	};
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

test('Spanish free text with party and dates → family accommodations that fit, tracked link with the stay', async () => {
	const { wamid, request, execution } = await guestWrites('Lucía', 'Hola! Somos 2 adultos y 2 niños, buscamos algo del 3 al 6 de mayo');
	const stay = { journey_id: wamid, check_in: '2026-05-03', check_out: '2026-05-06', adults: '2', children: '2' };
	const link = (id: string) =>
		`stay/${id}?${query({ utm_source: 'whatsapp', utm_medium: 'chat', utm_campaign: 'availability', utm_content: id, ...stay })}`;

	expect(request.body).toEqual(
		templateRequest('es', 'Lucía', 'Suite Familiar, Cabaña de Montaña y Apartamento Frente al Mar', link('family-suite')),
	);

	// What the two nodes handed on, for templates and Switch routing.
	const [tagged] = N8nApi.nodeOutput(execution, 'Guest Intent', 0);
	expect(tagged.intent).toEqual({
		intent: 'availability',
		confidence: 0.5,
		tags: ['family'],
		entities: { adults: 2, children: 2, guests: 4, checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 },
		language: 'es',
	});
	expect(tagged).toMatchObject({ fromMasked: '+34•••••••33', wamid, text: 'Hola! Somos 2 adultos y 2 niños, buscamos algo del 3 al 6 de mayo' });
	expect(decryptPhone(String(tagged.from), guestData.keys.encryptionKey)).toBe(`+${GUEST}`);
	const [found] = N8nApi.nodeOutput(execution, 'Accommodation Catalog', 0);
	const accommodations = found.accommodations as Array<Record<string, unknown>>;
	expect(accommodations.map((a) => [a.id, a.name, a.score])).toEqual([
		['family-suite', 'Suite Familiar', 1.8],
		['mountain-cabin', 'Cabaña de Montaña', 1.667],
		['beach-apartment', 'Apartamento Frente al Mar', 1.667],
	]);
	expect(accommodations.map((a) => a.bookingUrl)).toEqual(
		['family-suite', 'mountain-cabin', 'beach-apartment'].map((id) => `${SITE}${link(id)}`),
	);
	expect(found).toMatchObject({
		matched: true,
		topAccommodation: accommodations[0],
		bookingUrl: `${SITE}${link('family-suite')}`,
		suggestionText: 'Suite Familiar, Cabaña de Montaña y Apartamento Frente al Mar',
		intent: tagged.intent,
	});
});

test('dates that clash with a booked accommodation leave it out', async () => {
	// The Family Suite is unavailable all of July 2026.
	const { wamid, request } = await guestWrites('Lucía', 'Somos 2 adultos y 2 niños, del 10 al 12 de julio');
	const id = 'mountain-cabin';
	const suffix = `stay/${id}?${query({
		utm_source: 'whatsapp',
		utm_medium: 'chat',
		utm_campaign: 'availability',
		utm_content: id,
		journey_id: wamid,
		check_in: '2026-07-10',
		check_out: '2026-07-12',
		adults: '2',
		children: '2',
	})}`;
	expect(request.body).toEqual(
		templateRequest('es', 'Lucía', 'Cabaña de Montaña, Apartamento Frente al Mar y Villa Familiar de Playa', suffix),
	);
});

test('English "romantic getaway for two" → romance accommodations, English names and template', async () => {
	const { wamid, request, execution } = await guestWrites('Emma', 'Hi! We are planning a romantic getaway for two');
	const id = 'sea-view-room';
	const suffix = `stay/${id}?${query({ utm_source: 'whatsapp', utm_medium: 'chat', utm_campaign: 'romance', utm_content: id, journey_id: wamid })}`;
	expect(request.body).toEqual(templateRequest('en', 'Emma', 'Sea View Room, Treehouse Suite and Spa Garden Suite', suffix));

	const [found] = N8nApi.nodeOutput(execution, 'Accommodation Catalog', 0);
	expect((found.intent as Record<string, unknown>).intent).toBe('romance');
	expect((found.accommodations as Array<Record<string, unknown>>).map((a) => a.id)).toEqual(['sea-view-room', 'treehouse-suite', 'spa-suite']);
});

test('nothing fits: no error, matched false and a generic tracked booking link', async () => {
	// No accommodation sleeps 10 adults.
	const { wamid, request, execution } = await guestWrites('Marco', 'Hola! Somos 10 adultos, del 3 al 6 de mayo');
	const [found] = N8nApi.nodeOutput(execution, 'Accommodation Catalog', 0);
	const suffix = `?${query({
		utm_source: 'whatsapp',
		utm_medium: 'chat',
		utm_campaign: 'availability',
		utm_content: 'no_match',
		journey_id: wamid,
		check_in: '2026-05-03',
		check_out: '2026-05-06',
		adults: '10',
	})}`;
	expect(found).toMatchObject({
		accommodations: [],
		matched: false,
		topAccommodation: null,
		suggestionText: '',
		bookingUrl: `${SITE}${suffix}`,
		bookingUrlSuffix: suffix,
	});
	expect(request.body).toEqual(templateRequest('es', 'Marco', 'todas nuestras estancias', suffix));
});
