/**
 * Webhook to WhatsApp in a real n8n: Booking Event Trigger (generic, HMAC) → Resort WhatsApp
 * sendTemplate (a template seeded in the fake Cloud API) for reservation_confirmed events. At a steady
 * open-loop rate, measures the time from sending the webhook request to the fake receiving the
 * WhatsApp message request (matched by the booking id in the template's body parameter; the fake
 * logs an `at` time per request). Fake and load generator share this process, on 127.0.0.1.
 * Prints one JSON line last.
 */
import { randomBytes, randomUUID } from 'crypto';

import { startFakeCloudApi } from '../scripts/fake-cloud-api/server';
import type { WorkflowJson } from '../scripts/n8n-runtime';
import { bookingEvent, cpuMeter, machineMeter, createBookingCredentials, latencySummary, log, postSigned, round, sleep, startBenchN8n, type Reply } from './support/n8n';

// Requests per second: a moderate rate, then the 10/s the brief asked for (over capacity on a small shared box).
const RATES = (process.env.BENCH_LATENCY_RATES ?? '3,10').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 30);
const WARMUP = 20;
const TEMPLATE = 'bench_reservation_confirmed';

const digits = (n: number) => {
	let s = String(1 + (randomBytes(1)[0] % 9));
	while (s.length < n) s += String(randomBytes(1)[0] % 10);
	return s;
};

async function main() {
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1' });
	const n8n = await startBenchN8n();
	try {
		const tenant = { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${randomBytes(24).toString('hex')}`, appSecret: randomBytes(16).toString('hex') };
		fake.registerPhoneNumber({ ...tenant, displayPhoneNumber: '15550001111', verifiedName: 'Playa Serena Resort' } as Parameters<typeof fake.registerPhoneNumber>[0]);
		fake.seedTemplates(tenant.wabaId, [
			{ name: TEMPLATE, language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Your booking {{1}} is confirmed. See you soon!' }] },
		]);
		const creds = await createBookingCredentials(n8n);
		const waName = 'Bench WhatsApp';
		const waId = await n8n.api.createCredential('resortWhatsAppApi', waName, {
			accessToken: tenant.accessToken,
			phoneNumberId: tenant.phoneNumberId,
			businessAccountId: tenant.wabaId,
			appSecret: tenant.appSecret,
			verifyToken: randomBytes(12).toString('hex'),
			graphApiVersion: 'v23.0',
			baseUrl: fake.url,
		});
		const webhookId = randomUUID();
		const workflow: WorkflowJson = {
			name: 'bench latency: booking → WhatsApp',
			nodes: [
				{
					id: randomUUID(),
					name: 'Booking Event',
					type: 'n8n-nodes-resort-whatsapp.bookingEventTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: { platform: 'generic', authentication: 'signature' },
					credentials: { resortBookingWebhookApi: creds.webhook, resortGuestDataApi: creds.guestData },
				},
				{
					id: randomUUID(),
					name: 'Send Confirmation',
					type: 'n8n-nodes-resort-whatsapp.resortWhatsApp',
					typeVersion: 1,
					position: [300, 0],
					parameters: {
						resource: 'message',
						operation: 'sendTemplate',
						to: '={{ $json.guest.phone.encrypted }}',
						templateName: TEMPLATE,
						language: 'en_US',
						headerType: 'none',
						bodyParameters: { parameter: [{ text: '={{ $json.bookingId }}' }] },
					},
					credentials: { resortWhatsAppApi: { id: waId, name: waName }, resortGuestDataApi: creds.guestData },
				},
			],
			connections: { 'Booking Event': { main: [[{ node: 'Send Confirmation', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		};
		const wfId = await n8n.api.createWorkflow(workflow);
		await n8n.api.activateWorkflow(wfId);
		const url = `${n8n.baseUrl}/webhook/${webhookId}/booking`;

		const arrivals = (): Map<string, number> => {
			const m = new Map<string, number>();
			for (const r of fake.requests({ phoneNumberId: tenant.phoneNumberId })) {
				if (r.kind !== 'messages' || r.method !== 'POST') continue;
				const body = r.body as { template?: { components?: Array<{ parameters?: Array<{ text?: string }> }> } };
				const id = body.template?.components?.[0]?.parameters?.[0]?.text;
				if (id && !m.has(id)) m.set(id, Date.parse(r.at));
			}
			return m;
		};

		/** Open-loop: request i is sent at t0 + i/rate whatever the previous ones are doing. */
		const run = async (count: number, rate: number) => {
			const sent: Array<{ bookingId: string; reply: Promise<Reply> }> = [];
			const t0 = Date.now();
			for (let i = 0; i < count; i++) {
				const wait = t0 + (i * 1000) / rate - Date.now();
				if (wait > 0) await sleep(wait);
				const ev = bookingEvent('reservation_confirmed');
				sent.push({ bookingId: String(ev.bookingId), reply: postSigned(url, JSON.stringify(ev), creds.secret) });
			}
			const replies = await Promise.all(sent.map(async (s) => ({ bookingId: s.bookingId, reply: await s.reply })));
			const deadline = Date.now() + 60_000;
			let seen = arrivals();
			while (replies.some((r) => !seen.has(r.bookingId)) && Date.now() < deadline) {
				await sleep(200);
				seen = arrivals();
			}
			return { replies, seen, sendSeconds: (Date.now() - t0) / 1000 };
		};

		const warm = await run(WARMUP, RATES[0]);
		const bad = warm.replies.filter((r) => r.reply.status !== 202 || !warm.seen.has(r.bookingId));
		if (bad.length === warm.replies.length) {
			throw new Error(`warm-up: no message reached the fake (first reply ${warm.replies[0]?.reply.status} ${warm.replies[0]?.reply.body.slice(0, 200)}); requests ${JSON.stringify(fake.requests().slice(-2)).slice(0, 800)}\n${n8n.logTail(20)}`);
		}
		log(`warm-up: ${WARMUP - bad.length}/${WARMUP} delivered`);

		const phases = [];
		for (const rate of RATES) {
			await sleep(3000); // let the previous phase's executions settle
			const meter = cpuMeter(n8n.pid);
			const machine = machineMeter();
			const { replies, seen } = await run(rate * SECONDS, rate);
			const cpu = meter();
			const machinePct = machine();
			const endToEnd: number[] = [];
			const webhook: number[] = [];
			let missing = 0;
			const statuses: Record<string, number> = {};
			for (const { bookingId, reply } of replies) {
				statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
				webhook.push(reply.ms);
				const at = seen.get(bookingId);
				if (at === undefined) missing++;
				else endToEnd.push(at - reply.sentAt);
			}
			const phase = {
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
			};
			log(JSON.stringify(phase));
			phases.push(phase);
		}
		const fakeStatuses: Record<string, number> = {};
		for (const r of fake.requests({ phoneNumberId: tenant.phoneNumberId })) if (r.kind === 'messages') fakeStatuses[r.status] = (fakeStatuses[r.status] ?? 0) + 1;
		const result = {
			bench: 'n8n-latency',
			n8nVersion: '2.40.7',
			phases,
			fakeResponseStatuses: fakeStatuses,
			clockNote: 'sent and received times are both Date.now() in this process (the fake runs in-process), ms resolution',
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
		void round;
	} finally {
		await n8n.stop();
		await fake.close();
	}
}

main().catch((e) => {
	log(String(e instanceof Error ? e.stack : e));
	process.exit(1);
});
