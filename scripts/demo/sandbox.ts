/**
 * The sandbox behind `npm start`: the fake WhatsApp Cloud API, the pinned n8n with this package,
 * every shipped workflow imported (credentials, Data tables, sub-workflows wired, active), and a
 * local page (guest phone, booking simulator, clock, n8n links) served on 127.0.0.1.
 *
 * `startSandbox()` is used by the CLI (scripts/demo.ts) and by the browser test; `stop()` ends
 * n8n, the fake API and the page server.
 */
import { randomBytes } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import http from 'http';
import type { AddressInfo, Socket } from 'net';
import path from 'path';

import { DateTime } from 'luxon';

import { BOOKING_EVENT_TYPES, signBookingWebhook, type BookingEventType } from '../../lib/booking';
import { loadTemplates, toMetaTemplate } from '../../lib/templates';
import {
	startFakeCloudApi,
	type FakeCloudApi,
	type InboundOptions,
	type TemplateSeed,
} from '../fake-cloud-api/server';
import {
	installN8n,
	REPO_ROOT,
	startN8n,
	type N8nApi,
	type N8nInstance,
	type WorkflowJson,
} from '../n8n-runtime';
import * as dataTables from '../n8n-runtime/dataTables';
import { createRecoveryCredential } from '../n8n-runtime/recovery';
import { applyClock, type DemoClock, type TimingChange } from './clock';
import { ExecutionLinks } from './executions';
import { renderOutbound, tapReply, type Bubble, type Tap } from './render';

export const CREDENTIAL_NAME = 'Resort WhatsApp Cloud API';
export const DEMO_PHONE_NUMBER_ID = '106540352242922';
export const DEMO_WABA_ID = '102290129340398';
/** The sandbox guest: fixed, shown on the page. */
export const GUEST = {
	phone: '+34600111222',
	name: 'Ana Souza',
	language: 'en',
	timeZone: 'Europe/Madrid',
};
const GUEST_DIGITS = GUEST.phone.slice(1);
/**
 * hello-guest would answer the same guest messages as first-contact, so it stays off.
 * journey-recovery needs an n8n API key and the journey workflow's id (docs/recovery.md); the
 * sandbox is never killed mid-journey, so it is imported but left off.
 */
export const INACTIVE_WORKFLOWS = new Set(['hello-guest.json', 'journey-recovery.json']);
export const BOOKING_EVENTS = BOOKING_EVENT_TYPES;
export type BookingEvent = BookingEventType;

export interface SandboxOptions {
	clock?: DemoClock;
	/** 0 = any free port. Defaults: 0 for all (the CLI passes 5678 / 4010 / 5680). */
	n8nPort?: number;
	fakePort?: number;
	pagePort?: number;
	log?: (line: string) => void;
	workflowsDir?: string;
}

export interface DeployedWorkflow {
	file: string;
	name: string;
	id?: string;
	/** active | inactive | "not imported: …" | "not activated: …" */
	state: string;
	url?: string;
	executionsUrl?: string;
}

export interface Sandbox {
	pageUrl: string;
	n8nUrl: string;
	fakeUrl: string;
	login: { email: string; password: string };
	clock: DemoClock;
	timings: TimingChange[];
	workflows: DeployedWorkflow[];
	guestPhone: string;
	bookingUrls: string[];
	privacy: { url: string; header: string; token: string };
	/** The analytics dashboard (workflows/analytics-dashboard.json), behind Basic Auth. */
	dashboard: { url: string; user: string; password: string };
	n8nPid: number;
	n8n: N8nInstance;
	fake: FakeCloudApi;
	stop(): Promise<void>;
}

interface GuestMessage {
	wamid: string;
	at: string;
	text: string;
	/** HTTP status n8n answered the webhook with (0: not delivered). */
	status: number;
	replyTo?: string;
}

interface BookingNote {
	id: string;
	at: string;
	type: BookingEvent;
	bookingId: string;
	statuses: number[];
}

export interface ChatItem {
	id: string;
	kind: 'guest' | 'resort' | 'event';
	at: string;
	text?: string;
	status?: string;
	bubble?: Bubble;
	execution?: { url: string; label: string; exact: boolean };
	/** event: the booking event type and booking id. */
	event?: { type: string; bookingId: string; statuses: number[] };
}

type NodeJson = {
	name: string;
	type: string;
	webhookId?: string;
	parameters?: Record<string, any>;
};

const newBookingId = () => `PS-${String(10000 + (randomBytes(3).readUIntBE(0, 3) % 90000))}`;

/** Workflows in an order where every sub-workflow is imported before the workflows that call it. */
function importOrder(
	workflows: Array<{ file: string; workflow: WorkflowJson }>,
): Array<{ file: string; workflow: WorkflowJson }> {
	const names = new Set(workflows.map((w) => w.workflow.name));
	const calls = (w: WorkflowJson) =>
		(w.nodes as NodeJson[])
			.filter((n) => n.type === 'n8n-nodes-base.executeWorkflow')
			.map((n) => n.parameters?.workflowId?.cachedResultName as string | undefined)
			.filter((name): name is string => !!name && names.has(name) && name !== w.name);
	const ordered: Array<{ file: string; workflow: WorkflowJson }> = [];
	const pending = [...workflows].sort((a, b) => a.file.localeCompare(b.file));
	while (pending.length) {
		const done = new Set(ordered.map((w) => w.workflow.name));
		const index = pending.findIndex((w) => calls(w.workflow).every((name) => done.has(name)));
		ordered.push(...pending.splice(index === -1 ? 0 : index, 1));
	}
	return ordered;
}

/** Every `provision…Tables` function of dataTables.ts (first contact, journeys, and any later one). */
async function provisionAllTables(api: N8nApi, log: (line: string) => void): Promise<void> {
	for (const [name, fn] of Object.entries(dataTables)) {
		if (!/^provision\w*Tables$/.test(name) || typeof fn !== 'function') continue;
		await (fn as (api: N8nApi) => Promise<unknown>)(api);
		log(`Data tables: ${name}`);
	}
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, any>> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	return text ? (JSON.parse(text) as Record<string, any>) : {};
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const log = options.log ?? (() => undefined);
	const clock = options.clock ?? 'fast';
	await installN8n({ log });

	const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
	const appSecret = randomBytes(16).toString('hex');
	const fake = await startFakeCloudApi({ port: options.fakePort ?? 0, statusDelayMs: 300 });
	let n8n: N8nInstance | undefined;
	let page: http.Server | undefined;
	const sockets = new Set<Socket>();
	let timer: NodeJS.Timeout | undefined;
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		if (timer) clearInterval(timer);
		if (page) {
			const closing = new Promise<void>((resolve) => page!.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			await closing;
		}
		await n8n?.stop();
		await fake.close();
	};

	try {
		fake.registerPhoneNumber({
			phoneNumberId: DEMO_PHONE_NUMBER_ID,
			wabaId: DEMO_WABA_ID,
			accessToken,
			appSecret,
			displayPhoneNumber: '+1 555-010-2922',
			verifiedName: 'Playa Serena Resort',
			// A phone that has the chat open reads what it gets.
			autoStatuses: ['sent', 'delivered', 'read'],
		});
		// The same definitions `npm run templates:push` sends to a real WhatsApp Business Account.
		fake.seedTemplates(
			DEMO_WABA_ID,
			loadTemplates().flatMap((definition) =>
				Object.keys(definition.languages).map(
					(language) => toMetaTemplate(definition, language) as unknown as TemplateSeed,
				),
			),
		);

		n8n = await startN8n({ extensionsDir: REPO_ROOT, port: options.n8nPort ?? 0, log });
		const api = n8n.api;
		await api.createCredential('resortWhatsAppApi', CREDENTIAL_NAME, {
			accessToken,
			phoneNumberId: DEMO_PHONE_NUMBER_ID,
			businessAccountId: DEMO_WABA_ID,
			appSecret,
			verifyToken: randomBytes(12).toString('hex'),
			graphApiVersion: 'v23.0',
			baseUrl: fake.url,
		});
		await provisionAllTables(api, log);
		const bookingSecret = randomBytes(24).toString('hex');
		await api.createCredential('resortBookingWebhookApi', 'Resort Booking Webhook', {
			signingSecret: bookingSecret,
			token: '',
		});
		await api.createCredential('resortGuestDataApi', 'Resort Guest Data', {
			encryptionKey: randomBytes(32).toString('hex'),
			lookupKey: randomBytes(32).toString('hex'),
		});
		const privacyToken = randomBytes(16).toString('hex');
		await api.createCredential('httpHeaderAuth', 'Resort Privacy Requests', {
			name: 'X-Privacy-Token',
			value: privacyToken,
		});
		// journey-recovery (imported, left off) replays crashed executions through n8n's public API.
		await createRecoveryCredential(api, { apiBaseUrl: `${n8n.baseUrl}/api/v1`, label: 'journey recovery (sandbox)' });
		const dashboardLogin = { user: 'owner', password: randomBytes(12).toString('hex') };
		await api.createCredential('httpBasicAuth', 'Resort Dashboard Login', dashboardLogin);

		// ---- workflows: every file in workflows/, the fast clock applied, sub-workflows wired by name
		const workflowsDir = options.workflowsDir ?? path.join(REPO_ROOT, 'workflows');
		const files = readdirSync(workflowsDir).filter((f) => f.endsWith('.json'));
		const loaded = files.map((file) => ({
			file,
			workflow: JSON.parse(readFileSync(path.join(workflowsDir, file), 'utf8')) as WorkflowJson,
		}));
		const timings: TimingChange[] = [];
		const deployed: DeployedWorkflow[] = [];
		const idsByName = new Map<string, string>();
		const bookingUrls: string[] = [];
		for (const { file, workflow } of importOrder(loaded)) {
			timings.push(...applyClock(workflow, clock));
			for (const node of workflow.nodes as NodeJson[]) {
				const target = node.parameters?.workflowId;
				if (
					node.type === 'n8n-nodes-base.executeWorkflow' &&
					target?.cachedResultName &&
					idsByName.has(target.cachedResultName)
				) {
					node.parameters!.workflowId = {
						__rl: true,
						mode: 'id',
						value: idsByName.get(target.cachedResultName),
					};
				}
			}
			const entry: DeployedWorkflow = { file, name: workflow.name, state: 'inactive' };
			deployed.push(entry);
			const id = await api.createWorkflow(workflow).catch((error: Error) => {
				entry.state = `not imported: ${error.message}`;
				return undefined;
			});
			if (!id) {
				log(`could not import ${file}: ${entry.state}`);
				continue;
			}
			Object.assign(entry, {
				id,
				url: `${n8n.baseUrl}/workflow/${id}`,
				executionsUrl: `${n8n.baseUrl}/workflow/${id}/executions`,
			});
			idsByName.set(workflow.name, id);
			if (!INACTIVE_WORKFLOWS.has(file)) {
				entry.state = await api.activateWorkflow(id).then(
					() => 'active',
					(error: Error) => `not activated: ${error.message}`,
				);
			}
			for (const node of workflow.nodes as NodeJson[]) {
				if (
					node.type === 'n8n-nodes-resort-whatsapp.bookingEventTrigger' &&
					node.webhookId &&
					entry.state === 'active'
				) {
					bookingUrls.push(`${n8n.baseUrl}/webhook/${node.webhookId}/booking`);
				}
			}
			log(`imported ${file} (${entry.state}): ${entry.url}`);
		}
		const workflowNames = new Map(deployed.filter((w) => w.id).map((w) => [w.id!, w.name]));

		// ---- the story's state: the guest's messages, booking events, the current booking
		const guestMessages: GuestMessage[] = [];
		const bookingNotes: BookingNote[] = [];
		let bookingId = newBookingId();
		const links = new ExecutionLinks(api, n8n.baseUrl, () => workflowNames);
		const outbound = () => fake.messages({ phoneNumberId: DEMO_PHONE_NUMBER_ID, to: GUEST_DIGITS });
		timer = setInterval(() => void links.refresh(outbound()), 1500);

		const chat = (): ChatItem[] => {
			const templates = fake.templates(DEMO_WABA_ID);
			const items: ChatItem[] = [
				...guestMessages.map((m) => ({
					id: m.wamid,
					kind: 'guest' as const,
					at: m.at,
					text: m.text,
					status: m.status === 200 ? 'delivered' : `not delivered (HTTP ${m.status})`,
				})),
				...outbound().map((m) => {
					const link = links.get(m.wamid);
					return {
						id: m.wamid,
						kind: 'resort' as const,
						at: m.at,
						bubble: renderOutbound(m, templates),
						status: m.statuses[m.statuses.length - 1]?.status ?? 'accepted',
						execution: link
							? {
									url: link.url,
									exact: link.exact,
									label: `${link.workflowName ?? 'workflow'}${link.executionId ? ` #${link.executionId}` : ''}`,
								}
							: undefined,
					};
				}),
				...bookingNotes.map((n) => ({
					id: n.id,
					kind: 'event' as const,
					at: n.at,
					event: { type: n.type, bookingId: n.bookingId, statuses: n.statuses },
				})),
			];
			return items.sort((a, b) => a.at.localeCompare(b.at));
		};

		const guestSends = async (
			message: Partial<InboundOptions>,
			text: string,
		): Promise<GuestMessage> => {
			const result = await fake.inbound({
				phoneNumberId: DEMO_PHONE_NUMBER_ID,
				from: GUEST_DIGITS,
				name: GUEST.name,
				...message,
			});
			const sent: GuestMessage = {
				wamid: result.wamid,
				at: result.delivery?.at ?? fake.now().toISOString(),
				text,
				status: result.delivered.status,
				replyTo: message.context?.id,
			};
			guestMessages.push(sent);
			return sent;
		};

		const sendBookingEvent = async (type: BookingEvent): Promise<BookingNote> => {
			const now = DateTime.now();
			const checkIn = now.plus({ days: 7 }).startOf('day');
			const event: Record<string, unknown> = {
				eventId: `${bookingId}-${type}-${randomBytes(4).toString('hex')}`,
				type,
				occurredAt: now.toISO(),
				bookingId,
				guest: {
					phone: GUEST.phone,
					name: GUEST.name,
					language: GUEST.language,
					marketingConsent: true,
					timeZone: GUEST.timeZone,
				},
				stay: {
					checkIn: checkIn.toISODate(),
					checkOut: checkIn.plus({ days: 4 }).toISODate(),
					adults: 2,
					children: 1,
					accommodationId: 'family-suite',
				},
				source: 'sandbox',
				bookingUrl: `https://book.example-resort.com/${type === 'reservation_confirmed' ? 'reservations' : 'resume'}/${bookingId}`,
			};
			if (type === 'reservation_confirmed') event.amount = { value: 1240, currency: 'EUR' };
			// The spa ritual the upsell_offer proposes, bought: recorded as stage upsold and a conversion.
			if (type === 'extra_purchased') {
				event.amount = { value: 180, currency: 'EUR' };
				event.extra = { id: 'spa-for-two', name: 'Sunset spa ritual for two' };
			}
			const body = JSON.stringify(event);
			const note: BookingNote = {
				id: String(event.eventId),
				at: fake.now().toISOString(),
				type,
				bookingId,
				statuses: [],
			};
			bookingNotes.push(note);
			for (const url of bookingUrls) {
				const response = await fetch(url, {
					method: 'POST',
					body,
					headers: {
						'content-type': 'application/json',
						'x-resort-signature': signBookingWebhook(body, bookingSecret, Date.now() / 1000),
					},
				}).catch(() => undefined);
				note.statuses.push(response?.status ?? 0);
				await response?.arrayBuffer().catch(() => undefined);
			}
			log(
				`${type} for ${bookingId} → HTTP ${note.statuses.join(', ') || 'no booking workflow is active'}`,
			);
			return note;
		};

		const login = { email: n8n.owner.email, password: n8n.owner.password };
		const state = () => ({
			guest: GUEST,
			resort: { name: 'Playa Serena Resort', phone: '+1 555-010-2922' },
			booking: { id: bookingId, events: BOOKING_EVENTS, urls: bookingUrls.length },
			clock: { mode: clock, changes: timings },
			n8n: {
				url: n8n!.baseUrl,
				login,
				executionsUrl: `${n8n!.baseUrl}/home/executions`,
				workflows: deployed,
			},
			chat: chat(),
		});

		// ---- the page server
		const html = readFileSync(path.join(__dirname, 'page.html'), 'utf8');
		const json = (res: http.ServerResponse, status: number, body: unknown) => {
			const text = JSON.stringify(body);
			res.writeHead(status, {
				'content-type': 'application/json; charset=utf-8',
				'cache-control': 'no-store',
			});
			res.end(text);
		};
		page = http.createServer((req, res) => {
			const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
			const handle = async () => {
				switch (route) {
					case 'GET /':
					case 'GET /index.html':
						res.writeHead(200, {
							'content-type': 'text/html; charset=utf-8',
							'cache-control': 'no-store',
						});
						res.end(html);
						return;
					case 'GET /api/state':
						return json(res, 200, state());
					case 'POST /api/message': {
						const text = String((await readJson(req)).text ?? '').trim();
						if (!text) return json(res, 400, { error: 'text is required' });
						return json(res, 200, await guestSends({ text }, text));
					}
					case 'POST /api/tap': {
						const body = await readJson(req);
						const message = outbound().find((m) => m.wamid === body.wamid);
						if (!message) return json(res, 404, { error: `no message ${body.wamid}` });
						const tap: Tap =
							body.row !== undefined ? { row: String(body.row) } : { button: Number(body.button) };
						const { label, ...reply } = tapReply(message, tap, fake.templates(DEMO_WABA_ID));
						return json(res, 200, await guestSends(reply, label));
					}
					case 'POST /api/booking': {
						const type = String((await readJson(req)).type) as BookingEvent;
						if (!BOOKING_EVENTS.includes(type))
							return json(res, 400, { error: `unknown booking event ${type}` });
						if (!bookingUrls.length)
							return json(res, 409, { error: 'no booking workflow is active' });
						return json(res, 200, await sendBookingEvent(type));
					}
					case 'POST /api/booking/new':
						bookingId = newBookingId();
						return json(res, 200, { bookingId });
					default:
						return json(res, 404, { error: `no route ${route}` });
				}
			};
			handle().catch((error: Error) => json(res, 500, { error: error.message }));
		});
		page.on('connection', (socket: Socket) => {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			page!.once('error', reject);
			page!.listen(options.pagePort ?? 0, '127.0.0.1', () => resolve());
		});
		const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;

		return {
			pageUrl,
			n8nUrl: n8n.baseUrl,
			fakeUrl: fake.url,
			login,
			clock,
			timings,
			workflows: deployed,
			guestPhone: GUEST.phone,
			bookingUrls,
			privacy: {
				url: `${n8n.baseUrl}/webhook/guest-data`,
				header: 'X-Privacy-Token',
				token: privacyToken,
			},
			dashboard: { url: `${n8n.baseUrl}/webhook/resort-analytics`, ...dashboardLogin },
			n8nPid: n8n.pid,
			n8n,
			fake,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
