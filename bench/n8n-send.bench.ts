/**
 * Sending throughput in a real n8n: ONE execution hands N template messages to the Resort WhatsApp
 * node (sendTemplate, default Delivery settings: 80 messages/s pacing, 20 in flight, 3 retries),
 * against the fake Cloud API limited to 80 messages/s per phone number (sliding 1 s window;
 * over it, Meta's 130429 "rate limit hit"). Phase "limit only": nothing else goes wrong. Phase
 * "limit + injected 429s": besides, a random 2 % of message requests get HTTP 429 / 130429 with
 * Retry-After: 1 (fake fault injection).
 *
 * Counted at the fake (each message carries a unique reference as its template body parameter):
 * accepted sends, unique references accepted (lost = N − unique, duplicated = accepted − unique),
 * throttled responses; and the node's own Sent/Failed output counts from the saved execution.
 * Sustained throughput = unique accepted ÷ (last accepted − first message request).
 * Prints one JSON line last.
 */
import { randomBytes, randomUUID } from 'crypto';

import { startFakeCloudApi, type FakeCloudApi } from '../scripts/fake-cloud-api/server';
import type { N8nInstance, WorkflowJson } from '../scripts/n8n-runtime';
import { cpuMeter, log, machineMeter, round, sleep, startBenchN8n, createWhatsAppCredential } from './support/n8n';

const MESSAGES = Number(process.env.BENCH_SEND_MESSAGES ?? 2400);
const LIMIT = 80;
const TEMPLATE = 'bench_send_notice';

const digits = (n: number) => {
	let s = String(1 + (randomBytes(1)[0] % 9));
	while (s.length < n) s += String(randomBytes(1)[0] % 10);
	return s;
};

function workflow(pathName: string, wa: { id: string; name: string }): WorkflowJson {
	// Recipients: 500 different numbers; reference: unique per message and per run.
	const code = `
const run = $input.first().json.body.run;
const n = $input.first().json.body.count;
const out = [];
for (let i = 0; i < n; i++) out.push({ json: { to: '+3460' + String(1000000 + (i % 500)), ref: run + '-' + i } });
return out;`;
	return {
		name: `bench send ${pathName}`,
		nodes: [
			{ id: randomUUID(), name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} } },
			{ id: randomUUID(), name: 'Messages', type: 'n8n-nodes-base.code', typeVersion: 2, position: [250, 0], parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: code } },
			{
				id: randomUUID(),
				name: 'Send',
				type: 'n8n-nodes-resort-whatsapp.resortWhatsApp',
				typeVersion: 1,
				position: [500, 0],
				parameters: {
					resource: 'message',
					operation: 'sendTemplate',
					to: '={{ $json.to }}',
					templateName: TEMPLATE,
					language: 'en_US',
					headerType: 'none',
					bodyParameters: { parameter: [{ text: '={{ $json.ref }}' }] },
				},
				credentials: { resortWhatsAppApi: wa },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Messages', type: 'main', index: 0 }]] }, Messages: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

async function phase(n8n: N8nInstance, fake: FakeCloudApi, phoneNumberId: string, webhookUrl: string, workflowId: string, name: string, executionsBefore: number) {
	const run = `${name.replace(/\W+/g, '')}${randomBytes(3).toString('hex')}`;
	fake.clearRequests();
	const meter = cpuMeter(n8n.pid);
	const machine = machineMeter();
	const t0 = Date.now();
	const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run, count: MESSAGES }) });
	if (res.status !== 200) throw new Error(`${name}: webhook ${res.status} ${await res.text()}`);
	const [execution] = (await n8n.api.waitForExecutions(workflowId, executionsBefore + 1, 20 * 60_000)).slice(-1);
	const cpu = meter();
	const machinePct = machine();
	const wallSeconds = (Date.now() - t0) / 1000;

	const reqs = fake.requests({ phoneNumberId }).filter((r) => r.kind === 'messages' && r.method === 'POST');
	const refOf = (body: unknown) => (body as { template?: { components?: Array<{ parameters?: Array<{ text?: string }> }> } }).template?.components?.[0]?.parameters?.[0]?.text;
	const accepted = reqs.filter((r) => r.status === 200 && refOf(r.body)?.startsWith(`${run}-`));
	const unique = new Set(accepted.map((r) => refOf(r.body)));
	const codes: Record<string, number> = {};
	for (const r of reqs) {
		const code = r.status === 200 ? '200' : `${r.status}/${(r.response as { error?: { code?: number } })?.error?.code ?? '?'}${r.fault ? ' (injected)' : ''}`;
		codes[code] = (codes[code] ?? 0) + 1;
	}
	const times = accepted.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
	const first = Math.min(...reqs.map((r) => Date.parse(r.at)));
	const last = times[times.length - 1];
	const sustained = unique.size / ((last - first) / 1000);
	// accepted per whole second after the first request (to see pacing, not a single burst)
	const perSecond: number[] = [];
	for (const t of times) {
		const s = Math.floor((t - first) / 1000);
		perSecond[s] = (perSecond[s] ?? 0) + 1;
	}
	const detail = await n8n.api.getExecution(execution.id);
	const out = detail.data?.resultData.runData.Send?.[0]?.data?.main ?? [];
	const result = {
		phase: name,
		messages: MESSAGES,
		fakeLimitPerSecond: LIMIT,
		executionStatus: execution.status,
		nodeSent: out[0]?.length ?? 0,
		nodeFailed: out[1]?.length ?? 0,
		requests: reqs.length,
		acceptedSends: accepted.length,
		uniqueAccepted: unique.size,
		lost: MESSAGES - unique.size,
		duplicated: accepted.length - unique.size,
		responses: codes,
		sustainedPerSecond: round(sustained),
		ofLimit: round(sustained / LIMIT, 3),
		sendSeconds: round((last - first) / 1000, 2),
		acceptedPerSecondBySecond: perSecond.map((x) => x ?? 0),
		executionSeconds: execution.startedAt && execution.stoppedAt ? round((Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt)) / 1000, 2) : null,
		wallSeconds: round(wallSeconds, 1),
		n8nCpuPct: cpu.totalPct,
		n8nCpuMsPerMessage: round(((cpu.totalPct / 100) * wallSeconds * 1000) / MESSAGES, 2),
		machineCpuPct: machinePct,
	};
	log(JSON.stringify({ ...result, acceptedPerSecondBySecond: undefined }));
	return result;
}

async function main() {
	const fake = await startFakeCloudApi({ port: 0, host: '127.0.0.1' });
	const n8n = await startBenchN8n();
	try {
		const tenant = { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${randomBytes(24).toString('hex')}`, appSecret: randomBytes(16).toString('hex') };
		fake.registerPhoneNumber({ ...tenant, displayPhoneNumber: '15550002222', verifiedName: 'Playa Serena Resort', throughputPerSecond: LIMIT, autoStatuses: [] } as Parameters<typeof fake.registerPhoneNumber>[0]);
		fake.seedTemplates(tenant.wabaId, [{ name: TEMPLATE, language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Notice {{1}}' }] }]);
		const { waId, waName } = await createWhatsAppCredential(n8n, tenant, fake.url);
		const pathName = `bench-send-${randomUUID().slice(0, 8)}`;
		const wfId = await n8n.api.createWorkflow(workflow(pathName, { id: waId, name: waName }));
		await n8n.api.activateWorkflow(wfId);
		const url = `${n8n.baseUrl}/webhook/${pathName}`;

		// Warm-up: 20 messages, not measured.
		const warm = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run: 'warm', count: 20 }) });
		if (warm.status !== 200) throw new Error(`warm-up webhook ${warm.status}: ${await warm.text()}\n${n8n.logTail(20)}`);
		await n8n.api.waitForExecutions(wfId, 1, 120_000);
		const warmAccepted = fake.requests({ phoneNumberId: tenant.phoneNumberId }).filter((r) => r.kind === 'messages' && r.status === 200).length;
		if (warmAccepted === 0) throw new Error(`warm-up: nothing accepted; ${JSON.stringify(fake.requests().slice(-2)).slice(0, 800)}\n${n8n.logTail(20)}`);
		log(`warm-up: ${warmAccepted}/20 accepted`);
		await sleep(1500);

		const phases = [];
		phases.push(await phase(n8n, fake, tenant.phoneNumberId, url, wfId, 'limit only', 1));
		await sleep(1500);
		fake.addFault({ phoneNumberId: tenant.phoneNumberId, path: 'messages', method: 'POST', probability: 0.02, retryAfterSeconds: 1, error: { code: 130429, httpStatus: 429, message: 'Rate limit hit' } });
		phases.push(await phase(n8n, fake, tenant.phoneNumberId, url, wfId, 'limit + injected 429s', 2));
		fake.clearFaults();
		process.stdout.write(`${JSON.stringify({ bench: 'n8n-send', n8nVersion: '2.40.7', phases })}\n`);
	} finally {
		await n8n.stop();
		await fake.close();
	}
}

main().catch((e) => {
	log(String(e instanceof Error ? e.stack : e));
	process.exit(1);
});
