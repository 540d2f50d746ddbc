/**
 * Webhook to WhatsApp in a real n8n, three workflows side by side in ONE n8n (each at the same
 * steady open-loop rate, one after the other), measuring the time from sending the webhook
 * request to the fake Cloud API receiving the WhatsApp message request (matched by the booking id
 * in the template's body parameter; the fake logs an `at` time per request):
 *   - ours: Booking Event Trigger (generic, HMAC) → Resort WhatsApp sendTemplate (decrypts the phone);
 *   - ours via sub-workflow: Booking Event Trigger → Execute Workflow (wait) → [Execute Workflow
 *     Trigger → Resort WhatsApp sendTemplate], the shape of booking-abandonment → reservation-confirmation;
 *   - shipped: the shipped booking-abandonment workflow with reservation-confirmation linked (quiet
 *     hours off), i.e. the whole production path: dedupe, Data table writes, the confirmation claim;
 *   - floor: n8n's own Webhook (v2, respond immediately) → HTTP Request POSTing the same template
 *     message: no signature check, no encryption; what n8n itself needs for webhook → outbound call.
 * For every delivered event it also reads the saved execution and splits the time into segments
 * (n8n's own startedAt/stoppedAt and each node's startTime/executionTime).
 * Fake and load generator share this process, on 127.0.0.1. Prints one JSON line last.
 *
 * The whole measurement runs once per n8n configuration (BENCH_LATENCY_CONFIGS), each on a fresh
 * n8n: `default` (n8n 2.40.7 as installed: expression engine `vm`, an isolated-vm isolate pool of
 * 1, and every execution takes an isolate and disposes it after), `pool4`
 * (N8N_EXPRESSION_ENGINE_POOL_SIZE=4: warm isolates ready when executions come close together)
 * `legacy` (N8N_EXPRESSION_ENGINE=legacy: expressions evaluated in-process, no isolates) and `lazy`
 * (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true: isolates stay on, but an execution takes one only when an
 * expression first needs it, so a webhook phase with static parameters takes none).
 */
import { randomBytes, randomUUID } from 'crypto';

import { startFakeCloudApi, type FakeCloudApi } from '../scripts/fake-cloud-api/server';
import type { WorkflowJson } from '../scripts/n8n-runtime';
import { deployAbandonmentJourney } from './support/journeys';
import { bookingEvent, cpuMeter, machineMeter, createBookingCredentials, latencySummary, log, postSigned, round, sleep, startBenchN8n, type Reply, createWhatsAppCredential } from './support/n8n';

// Requests per second (a steady moderate load) and seconds per workflow.
const RATES = (process.env.BENCH_LATENCY_RATES ?? '1,3').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const PATHS = (process.env.BENCH_LATENCY_PATHS ?? 'floor,ours,oursViaSubWorkflow,shipped').split(',');
const WARMUP = 20;
const TEMPLATE = 'bench_reservation_confirmed';
/** n8n settings compared, each on its own n8n (see the header). */
const CONFIG_ENV: Record<string, Record<string, string>> = {
	default: {},
	pool4: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' },
	legacy: { N8N_EXPRESSION_ENGINE: 'legacy' },
	lazy: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
};
const CONFIGS = (process.env.BENCH_LATENCY_CONFIGS ?? 'default,lazy,pool4,legacy').split(',').filter((c) => c in CONFIG_ENV);
const GUEST_PHONE = '+34677123456';

const digits = (n: number) => {
	let s = String(1 + (randomBytes(1)[0] % 9));
	while (s.length < n) s += String(randomBytes(1)[0] % 10);
	return s;
};

type RunData = Record<string, Array<{ startTime?: number; executionTime?: number; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;

async function main() {
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1' });
	const configs = [];
	try {
		for (const config of CONFIGS) {
			log(`n8n configuration ${config}: ${JSON.stringify(CONFIG_ENV[config])}`);
			configs.push({ config, env: CONFIG_ENV[config], phases: await measure(fake, CONFIG_ENV[config]) });
		}
	} finally {
		await fake.close();
	}
	const fakeStatuses: Record<string, number> = {};
	for (const r of fake.requests()) if (r.kind === 'messages') fakeStatuses[r.status] = (fakeStatuses[r.status] ?? 0) + 1;
	const result = {
		bench: 'n8n-latency',
		n8nVersion: '2.40.7',
		configs,
		// The first configuration's phases, as before (default n8n settings).
		phases: configs[0]?.phases ?? [],
		fakeResponseStatuses: fakeStatuses,
		clockNote: 'sent and received times are Date.now() in this process (the fake runs in-process); execution and node times are n8n\'s own Date.now() on the same machine; ms resolution',
	};
	process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function measure(fake: FakeCloudApi, env: Record<string, string>) {
	const n8n = await startBenchN8n(env);
	try {
		const tenant = { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${randomBytes(24).toString('hex')}`, appSecret: randomBytes(16).toString('hex') };
		fake.registerPhoneNumber({ ...tenant, displayPhoneNumber: '15550001111', verifiedName: 'Playa Serena Resort' } as Parameters<typeof fake.registerPhoneNumber>[0]);
		fake.seedTemplates(tenant.wabaId, [
			{ name: TEMPLATE, language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Your booking {{1}} is confirmed. See you soon!' }] },
		]);
		const creds = await createBookingCredentials(n8n);
		const { waId, waName } = await createWhatsAppCredential(n8n, tenant, fake.url);
		const sendNode = (name: string, to: string) => ({
			id: randomUUID(),
			name,
			type: 'n8n-nodes-resort-whatsapp.resortWhatsApp',
			typeVersion: 1,
			position: [300, 0],
			parameters: {
				resource: 'message',
				operation: 'sendTemplate',
				to,
				templateName: TEMPLATE,
				language: 'en_US',
				headerType: 'none',
				bodyParameters: { parameter: [{ text: '={{ $json.bookingId }}' }] },
			},
			credentials: { resortWhatsAppApi: { id: waId, name: waName }, resortGuestDataApi: creds.guestData },
		});
		const triggerNode = (webhookId: string) => ({
			id: randomUUID(),
			name: 'Booking Event',
			type: 'n8n-nodes-resort-whatsapp.bookingEventTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			parameters: { platform: 'generic', authentication: 'signature' },
			credentials: { resortBookingWebhookApi: creds.webhook, resortGuestDataApi: creds.guestData },
		});

		const workflows: Record<string, { id: string; url: string; signed: boolean; subId?: string; secret?: string }> = {};
		if (PATHS.includes('ours')) {
			const webhookId = randomUUID();
			const wf: WorkflowJson = {
				name: 'bench latency: booking → WhatsApp',
				nodes: [triggerNode(webhookId), sendNode('Send Confirmation', '={{ $json.guest.phone.encrypted }}')],
				connections: { 'Booking Event': { main: [[{ node: 'Send Confirmation', type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			};
			const id = await n8n.api.createWorkflow(wf);
			await n8n.api.activateWorkflow(id);
			workflows.ours = { id, url: `${n8n.baseUrl}/webhook/${webhookId}/booking`, signed: true };
		}
		if (PATHS.includes('oursViaSubWorkflow')) {
			const sub: WorkflowJson = {
				name: 'bench latency: sub-workflow send',
				nodes: [
					{ id: randomUUID(), name: 'When Called', type: 'n8n-nodes-base.executeWorkflowTrigger', typeVersion: 1.1, position: [0, 0], parameters: { inputSource: 'passthrough' } },
					sendNode('Send Confirmation', '={{ $json.guest.phone.encrypted }}'),
				],
				connections: { 'When Called': { main: [[{ node: 'Send Confirmation', type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			};
			const subId = await n8n.api.createWorkflow(sub);
			await n8n.api.activateWorkflow(subId);
			const webhookId = randomUUID();
			const parent: WorkflowJson = {
				name: 'bench latency: booking → sub-workflow → WhatsApp',
				nodes: [
					triggerNode(webhookId),
					{
						id: randomUUID(),
						name: 'Confirm Reservation',
						type: 'n8n-nodes-base.executeWorkflow',
						typeVersion: 1.2,
						position: [300, 0],
						parameters: { source: 'database', workflowId: { __rl: true, mode: 'id', value: subId }, mode: 'once', options: { waitForSubWorkflow: true } },
					},
				],
				connections: { 'Booking Event': { main: [[{ node: 'Confirm Reservation', type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			};
			const id = await n8n.api.createWorkflow(parent);
			await n8n.api.activateWorkflow(id);
			workflows.oursViaSubWorkflow = { id, url: `${n8n.baseUrl}/webhook/${webhookId}/booking`, signed: true, subId };
		}
		if (PATHS.includes('shipped')) {
			const journey = await deployAbandonmentJourney(n8n, fake, { amount: 45, unit: 'minutes' }, { creds, tenant, whatsApp: { waId, waName } });
			workflows.shipped = { id: journey.main.id, url: journey.url, signed: true, subId: journey.confirmationId, secret: journey.creds.secret };
		}
		if (PATHS.includes('floor')) {
			const pathName = `bench-floor-${randomUUID().slice(0, 8)}`;
			const body =
				`={{ JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '${GUEST_PHONE.slice(1)}', type: 'template', ` +
				`template: { name: '${TEMPLATE}', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: $json.body.bookingId }] }] } }) }}`;
			const wf: WorkflowJson = {
				name: 'bench latency: floor (Webhook → HTTP Request)',
				nodes: [
					{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} } },
					{
						id: randomUUID(),
						name: 'HTTP Request',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						position: [300, 0],
						parameters: {
							method: 'POST',
							url: `${fake.url}/v23.0/${tenant.phoneNumberId}/messages`,
							sendHeaders: true,
							headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${tenant.accessToken}` }] },
							sendBody: true,
							specifyBody: 'json',
							jsonBody: body,
							options: {},
						},
					},
				],
				connections: { Webhook: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
				settings: { executionOrder: 'v1' },
			};
			const id = await n8n.api.createWorkflow(wf);
			await n8n.api.activateWorkflow(id);
			workflows.floor = { id, url: `${n8n.baseUrl}/webhook/${pathName}`, signed: false };
		}

		const arrivals = (): Map<string, number> => {
			const m = new Map<string, number>();
			// Every tenant (the shipped path has its own); the booking id is a body parameter of both
			// templates (the first here, the confirmation code in reservation_confirmation).
			for (const r of fake.requests()) {
				if (r.kind !== 'messages' || r.method !== 'POST' || r.status !== 200) continue;
				const body = r.body as { template?: { components?: Array<{ type?: string; parameters?: Array<{ text?: string }> }> } };
				for (const component of body.template?.components ?? []) {
					if (component.type !== 'body') continue;
					for (const p of component.parameters ?? []) if (p.text?.startsWith('bk-') && !m.has(p.text)) m.set(p.text, Date.parse(r.at));
				}
			}
			return m;
		};

		/** Open-loop: request i is sent at t0 + i/rate whatever the previous ones are doing. */
		const run = async (target: { url: string; signed: boolean; secret?: string }, count: number, rate: number) => {
			const sent: Array<{ bookingId: string; reply: Promise<Reply> }> = [];
			const t0 = Date.now();
			for (let i = 0; i < count; i++) {
				const wait = t0 + (i * 1000) / rate - Date.now();
				if (wait > 0) await sleep(wait);
				const ev = bookingEvent('reservation_confirmed', GUEST_PHONE);
				sent.push({ bookingId: String(ev.bookingId), reply: postSigned(target.url, JSON.stringify(ev), target.signed ? (target.secret ?? creds.secret) : 'unsigned') });
			}
			const replies = await Promise.all(sent.map(async (s) => ({ bookingId: s.bookingId, reply: await s.reply })));
			const deadline = Date.now() + 60_000;
			let seen = arrivals();
			while (replies.some((r) => !seen.has(r.bookingId)) && Date.now() < deadline) {
				await sleep(200);
				seen = arrivals();
			}
			return { replies, seen };
		};

		const done: Record<string, number> = {};
		/** Per-event segments from the saved executions of this phase (matched by booking id). */
		const segments = async (name: string, wf: { id: string; subId?: string }, events: Map<string, { sentAt: number; arrival: number }>) => {
			const parts: Record<string, number[]> = {};
			const add = (k: string, v: number | undefined) => {
				if (v === undefined || !Number.isFinite(v)) return;
				(parts[k] ??= []).push(v);
			};
			// Wait (bounded) until this phase's executions have stopped, so stoppedAt is known.
			const finished = async (id: string) =>
				(await n8n.api.listExecutions({ workflowId: id, limit: 500 }).catch(() => [])).filter((e) => e.stoppedAt);
			const waitUntil = Date.now() + 60_000;
			while ((await finished(wf.id)).length < (done[wf.id] ?? 0) + events.size && Date.now() < waitUntil) await sleep(250);
			done[wf.id] = (done[wf.id] ?? 0) + events.size;
			const list = await n8n.api.listExecutions({ workflowId: wf.id, limit: events.size + WARMUP + 50 });
			const subList = wf.subId ? await n8n.api.listExecutions({ workflowId: wf.subId, limit: events.size + WARMUP + 50 }) : [];
			const subByParentBooking = new Map<string, { startedAt: number; stoppedAt: number; runData: RunData }>();
			for (const s of subList) {
				const d = await n8n.api.getExecution(s.id);
				const rd = (d.data?.resultData.runData ?? {}) as RunData;
				const called = rd['When Called'] ?? rd['When Booking Abandonment Calls'];
				const bookingId = called?.[0]?.data?.main?.[0]?.[0]?.json.bookingId;
				if (typeof bookingId === 'string' && events.has(bookingId)) subByParentBooking.set(bookingId, { startedAt: Date.parse(String(s.startedAt)), stoppedAt: Date.parse(String(s.stoppedAt)), runData: rd });
			}
			for (const e of list) {
				const d = await n8n.api.getExecution(e.id);
				const rd = (d.data?.resultData.runData ?? {}) as RunData;
				const first = rd['Booking Event']?.[0] ?? rd.Webhook?.[0];
				const json = first?.data?.main?.[0]?.[0]?.json ?? {};
				const bookingId = (json.bookingId ?? (json.body as Record<string, unknown> | undefined)?.bookingId) as string | undefined;
				const ev = bookingId ? events.get(bookingId) : undefined;
				if (!ev) continue;
				const started = Date.parse(String(e.startedAt));
				const stopped = Date.parse(String(e.stoppedAt));
				add('webhook sent → execution startedAt', started - ev.sentAt);
				add('trigger node (run data)', first?.executionTime);
				const direct = rd['Send Confirmation']?.[0] ?? rd['HTTP Request']?.[0];
				if (direct?.startTime !== undefined) {
					add('execution startedAt → send node start', direct.startTime - started);
					add('send node (run data)', direct.executionTime);
					add('send node start → request at fake', ev.arrival - direct.startTime);
				}
				const exec = rd['Confirm Reservation']?.[0];
				const sub = bookingId ? subByParentBooking.get(bookingId) : undefined;
				if (exec?.startTime !== undefined) {
					add('execution startedAt → Execute Workflow start', exec.startTime - started);
					add('Execute Workflow node (run data, includes the sub-workflow)', exec.executionTime);
					if (sub) {
						add('Execute Workflow start → sub-workflow startedAt', sub.startedAt - exec.startTime);
						const s = sub.runData['Send Confirmation']?.[0];
						if (s?.startTime !== undefined) {
							add('sub startedAt → send node start', s.startTime - sub.startedAt);
							add('send node (run data)', s.executionTime);
							add('send node start → request at fake', ev.arrival - s.startTime);
						}
						add('request at fake → sub-workflow stoppedAt', sub.stoppedAt - ev.arrival);
					}
				}
				add('request at fake → execution stoppedAt', stopped - ev.arrival);
			}
			const out: Record<string, { n: number; p50ms: number; p99ms: number }> = {};
			for (const [k, v] of Object.entries(parts)) {
				const s = latencySummary(v);
				out[k] = { n: v.length, p50ms: s.p50ms, p99ms: s.p99ms };
			}
			log(`${name} segments: ${JSON.stringify(out)}`);
			return out;
		};

		for (const [name, wf] of Object.entries(workflows)) {
			const warm = await run(wf, WARMUP, RATES[0]);
			const bad = warm.replies.filter((r) => r.reply.status < 200 || r.reply.status >= 300 || !warm.seen.has(r.bookingId));
			if (bad.length === warm.replies.length) {
				throw new Error(`${name} warm-up: no message reached the fake (first reply ${warm.replies[0]?.reply.status} ${warm.replies[0]?.reply.body.slice(0, 200)}); last requests at the fake ${JSON.stringify(fake.requests().slice(-2).map((r) => ({ path: r.path, status: r.status, response: r.response })))}\n${n8n.logTail(20)}`);
			}
			log(`${name} warm-up: ${WARMUP - bad.length}/${WARMUP} delivered`);
			done[wf.id] = warm.replies.filter((r) => r.reply.status >= 200 && r.reply.status < 300).length;
		}

		const phases = [];
		for (const rate of RATES) {
			for (const [name, wf] of Object.entries(workflows)) {
				await sleep(3000); // let the previous phase's executions settle
				const meter = cpuMeter(n8n.pid);
				const machine = machineMeter();
				const { replies, seen } = await run(wf, rate * SECONDS, rate);
				const cpu = meter();
				const machinePct = machine();
				const endToEnd: number[] = [];
				const webhook: number[] = [];
				const events = new Map<string, { sentAt: number; arrival: number }>();
				let missing = 0;
				const statuses: Record<string, number> = {};
				for (const { bookingId, reply } of replies) {
					statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
					webhook.push(reply.ms);
					const at = seen.get(bookingId);
					if (at === undefined) missing++;
					else {
						endToEnd.push(at - reply.sentAt);
						events.set(bookingId, { sentAt: reply.sentAt, arrival: at });
					}
				}
				const phase = {
					workflow: name,
					ratePerSecond: rate,
					seconds: SECONDS,
					requests: replies.length,
					webhookStatuses: statuses,
					delivered: endToEnd.length,
					missing,
					webhookToWhatsApp: latencySummary(endToEnd),
					webhookResponse: latencySummary(webhook),
					n8nCpuPct: cpu.totalPct,
					machineCpuPct: machinePct,
					perProcessCpuPct: cpu.perProcessPct,
					segments: await segments(name, wf, events),
				};
				log(JSON.stringify({ ...phase, segments: undefined }));
				phases.push(phase);
			}
		}
		void round;
		return phases;
	} finally {
		await n8n.stop();
	}
}

main().catch((e) => {
	log(String(e instanceof Error ? e.stack : e));
	process.exit(1);
});
