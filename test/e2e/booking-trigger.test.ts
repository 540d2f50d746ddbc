/**
 * Booking Event Trigger in the real n8n: signed events for all six types, each rejection status,
 * replay protection, duplicate storms, manual review, platform adapters, and no plaintext phone
 * in n8n's database or log.
 */
import axios from 'axios';
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';

import { signBookingWebhook, type BookingEventType } from '../../lib';
import { N8nApi, REPO_ROOT, type WorkflowJson } from '../../scripts/n8n-runtime';
import { connect, eventually, sleep } from '../support/e2e';
import { registerGuestPhone } from '../support/guestPhones';

jest.setTimeout(180_000);

const { env, n8n } = connect();
const http = axios.create({ validateStatus: () => true, timeout: 30_000 });
const secret = randomBytes(24).toString('hex');
const token = randomBytes(24).toString('hex');
// Numbers used only by this file, so the plaintext search below is meaningful.
// Registered: the e2e teardown checks n8n's files for every guest number of the run.
const PHONE = registerGuestPhone('+34677' + String(100000 + (randomBytes(3).readUIntBE(0, 3) % 899999)));
const OTHER_PHONE = registerGuestPhone('+35191' + String(1000000 + (randomBytes(3).readUIntBE(0, 3) % 8999999)));

let credential: { id: string; name: string };
let guestData: { id: string; name: string };
/** A lookup key seen in execution data: proves the searched files really hold the executions. */
let storedLookupKey = '';

function workflow(parameters: Record<string, unknown>): WorkflowJson {
	const noOp = (name: string, y: number) => ({ id: randomUUID(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [300, y], parameters: {} });
	return {
		name: `e2e booking trigger ${randomBytes(3).toString('hex')}`,
		nodes: [
			{
				id: randomUUID(),
				name: 'Booking Event',
				type: 'n8n-nodes-resort-whatsapp.bookingEventTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters,
				credentials: { resortBookingWebhookApi: credential, resortGuestDataApi: guestData },
			},
			noOp('Accepted', -150),
			noOp('Review Queue', 0),
			noOp('Rejected Events', 150),
		],
		connections: {
			'Booking Event': {
				main: [
					[{ node: 'Accepted', type: 'main', index: 0 }],
					[{ node: 'Review Queue', type: 'main', index: 0 }],
					[{ node: 'Rejected Events', type: 'main', index: 0 }],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

async function deploy(parameters: Record<string, unknown>) {
	return await activate(workflow(parameters));
}

async function activate(json: WorkflowJson) {
	const id = await n8n.createWorkflow(json);
	await n8n.activateWorkflow(id);
	const webhookId = (json.nodes[0] as unknown as { webhookId: string }).webhookId;
	return { id, url: `${env.n8nUrl}/webhook/${webhookId}/booking` };
}

function event(type: BookingEventType, overrides: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
	const base: Record<string, unknown> = {
		eventId: `evt-${randomUUID()}`,
		type,
		occurredAt: '2026-07-01T10:00:00+02:00',
		bookingId: `bk-${randomBytes(4).toString('hex')}`,
		guest: { phone: PHONE, name: 'Lucía Fernández', language: 'es', marketingConsent: true, timeZone: 'Europe/Madrid' },
		stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: 2, children: 1, accommodationId: 'family-suite' },
		source: 'direct',
	};
	if (type === 'reservation_confirmed') base.amount = { value: 1240, currency: 'EUR' };
	return { ...base, ...overrides };
}

async function post(url: string, body: unknown, options: { signAt?: number; signWith?: string; raw?: string; headers?: Record<string, string> } = {}) {
	const raw = options.raw ?? JSON.stringify(body);
	const signature = signBookingWebhook(raw, options.signWith ?? secret, options.signAt ?? Date.now() / 1000);
	return await http.post(url, raw, {
		headers: { 'content-type': 'application/json', 'x-resort-signature': signature, ...options.headers },
		transformRequest: [(data: string) => data],
	});
}

async function allItems(workflowId: string, nodeName: string) {
	const items: Array<Record<string, unknown>> = [];
	for (const summary of await n8n.listExecutions({ workflowId })) {
		items.push(...N8nApi.nodeOutput(await n8n.getExecution(summary.id), nodeName, 0));
	}
	return items;
}

let signed: { id: string; url: string };

beforeAll(async () => {
	const name = `Resort Booking Webhook ${randomBytes(3).toString('hex')}`;
	const id = await n8n.createCredential('resortBookingWebhookApi', name, { signingSecret: secret, token });
	credential = { id, name };
	const keysName = `Resort Guest Data ${randomBytes(3).toString('hex')}`;
	const keysId = await n8n.createCredential('resortGuestDataApi', keysName, {
		encryptionKey: randomBytes(32).toString('hex'),
		lookupKey: randomBytes(32).toString('hex'),
	});
	guestData = { id: keysId, name: keysName };
	signed = await deploy({ platform: 'generic', authentication: 'signature', maxBodyKb: 4, knownAccommodationIds: 'family-suite, villa-mar' });
});

test('signed events of all six types are accepted with 202 and emitted with the phone protected', async () => {
	const types: Array<BookingEventType> = ['booking_started', 'booking_abandoned', 'reservation_confirmed', 'reservation_cancelled', 'checked_in', 'checked_out'];
	const sent = types.map((type) => event(type));
	for (const body of sent) {
		const response = await post(signed.url, body);
		expect(response.status).toBe(202);
		expect(response.data).toEqual({ accepted: true, events: [{ eventId: body.eventId, duplicate: false, needsReview: false }] });
	}
	await n8n.waitForExecutions(signed.id, 6, 60_000);
	const accepted = await allItems(signed.id, 'Accepted');
	expect(accepted.map((item) => item.type).sort()).toEqual([...types].sort());
	for (const item of accepted) {
		const guest = item.guest as { phone: { encrypted: string; lookupKey: string; masked: string } };
		expect(guest.phone.encrypted).toMatch(/^v1\./);
		expect(guest.phone.lookupKey).toMatch(/^[0-9a-f]{64}$/);
		expect(guest.phone.masked).toBe(`+34${'•'.repeat(PHONE.length - 5)}${PHONE.slice(-2)}`);
		expect(JSON.stringify(item)).not.toContain(PHONE.slice(1));
		storedLookupKey = guest.phone.lookupKey;
	}
	const confirmed = accepted.find((item) => item.type === 'reservation_confirmed');
	expect(confirmed).toMatchObject({ amount: { value: 1240, currency: 'EUR' }, stay: { accommodationId: 'family-suite' }, platform: 'generic' });
});

test('malformed JSON is a 400, an oversize body a 413, and neither starts an execution', async () => {
	const before = (await n8n.listExecutions({ workflowId: signed.id })).length;
	const malformed = await post(signed.url, undefined, { raw: '{"eventId": "x", "type": ' });
	expect(malformed.status).toBe(400);
	expect(malformed.data).toEqual({ error: 'malformed_json' });
	const huge = event('booking_started', { metadata: { note: 'x'.repeat(5000) } });
	const oversize = await post(signed.url, huge);
	expect(oversize.status).toBe(413);
	expect(oversize.data).toMatchObject({ error: 'payload_too_large' });
	await sleep(1000);
	expect(await n8n.listExecutions({ workflowId: signed.id })).toHaveLength(before);
});

test('an invalid event is a 422 naming every failing field, and is kept on the Rejected output', async () => {
	const before = (await n8n.listExecutions({ workflowId: signed.id })).length;
	const body = event('reservation_confirmed', {
		guest: { phone: registerGuestPhone('600 123 456'), name: 'Lucía', language: 'es', marketingConsent: true },
		stay: { checkIn: '2026-07-14', checkOut: '2026-07-10', adults: 0, children: 0, accommodationId: 'family-suite' },
		amount: undefined,
		bookingURL: 'https://typo.example',
	});
	const response = await post(signed.url, body);
	expect(response.status).toBe(422);
	const paths = (response.data.errors as Array<{ path: string }>).map((e) => e.path).sort();
	expect(paths).toEqual(['amount', 'bookingURL', 'guest.phone', 'stay.adults', 'stay.checkOut'].sort());
	const executions = await n8n.waitForExecutions(signed.id, before + 1, 30_000);
	const rejected = N8nApi.nodeOutput(await n8n.getExecution(executions[executions.length - 1].id), 'Rejected Events', 0);
	expect(rejected).toHaveLength(1);
	expect(rejected[0]).toMatchObject({ status: 422, reason: 'invalid_event' });
	expect(String(rejected[0].sealedBody)).toMatch(/^v1\./);
	expect(JSON.stringify(rejected[0])).not.toContain('600 123 456');
});

test('forged and replayed signatures are refused with 401 and start nothing', async () => {
	const before = (await n8n.listExecutions({ workflowId: signed.id })).length;
	const forged = await post(signed.url, event('checked_in'), { signWith: 'not-the-secret' });
	expect(forged.status).toBe(401);
	expect(forged.data).toEqual({ error: 'unauthorized', reason: 'bad_signature' });
	const replayed = await post(signed.url, event('checked_in'), { signAt: Date.now() / 1000 - 600 });
	expect(replayed.status).toBe(401);
	expect(replayed.data).toEqual({ error: 'unauthorized', reason: 'stale_timestamp' });
	const unsigned = await http.post(signed.url, event('checked_in'));
	expect(unsigned.status).toBe(401);
	expect(unsigned.data).toEqual({ error: 'unauthorized', reason: 'missing_signature' });
	await sleep(1000);
	expect(await n8n.listExecutions({ workflowId: signed.id })).toHaveLength(before);
});

test('the same event delivered 50 times at once is emitted exactly once', async () => {
	const before = (await n8n.listExecutions({ workflowId: signed.id })).length;
	const body = event('booking_abandoned');
	const responses = await Promise.all(Array.from({ length: 50 }, () => post(signed.url, body)));
	// One runs. A repeat that came while that first request was not answered yet gets 409 (it could
	// still fail and be forgotten); one that came after its 202 is a duplicate.
	const fresh = responses.filter((r) => r.status === 202 && r.data.events[0].duplicate === false);
	expect(fresh).toHaveLength(1);
	const deferred = responses.filter((r) => r.status === 409);
	for (const r of deferred) expect(r.data).toEqual({ error: 'in_progress', eventIds: [body.eventId], retry: true });
	const duplicates = responses.filter((r) => r.status === 202 && r.data.events[0].duplicate === true);
	expect(fresh.length + deferred.length + duplicates.length).toBe(50);
	// Delivered again, the deferred ones are duplicates of the acknowledged event.
	for (const r of await Promise.all(deferred.map(() => post(signed.url, body)))) {
		expect({ status: r.status, body: r.data }).toEqual({ status: 202, body: { accepted: true, events: [{ eventId: body.eventId, duplicate: true }] } });
	}
	await n8n.waitForExecutions(signed.id, before + 1, 30_000);
	await sleep(1500);
	expect(await n8n.listExecutions({ workflowId: signed.id })).toHaveLength(before + 1);
	const emitted = (await allItems(signed.id, 'Accepted')).filter((item) => item.eventId === body.eventId);
	expect(emitted).toHaveLength(1);
});

/**
 * Booking Event → Gate (a Code node that throws until `failUntil`, like a resort system that is
 * briefly down) → Park (a 2-minute Wait, which n8n stores in its database like a journey's wait).
 */
async function deployGated(respond: 'onReceived' | 'lastNode', failUntil: number, holdSeconds = 0) {
	const json = workflow({ platform: 'generic', authentication: 'signature', respond });
	json.nodes.push(
		{ id: randomUUID(), name: 'Gate', type: 'n8n-nodes-base.code', typeVersion: 2, position: [500, -150], parameters: { jsCode: `if (Date.now() < ${failUntil}) throw new Error('resort system not ready');\nreturn $input.all();` } },
		{ id: randomUUID(), name: 'Park', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [700, -150], webhookId: randomUUID(), parameters: { resume: 'timeInterval', amount: 2, unit: 'minutes' } },
	);
	json.connections.Gate = { main: [[{ node: 'Park', type: 'main', index: 0 }]] };
	if (holdSeconds > 0) {
		// A Wait under 65 s runs in the execution itself: the request stays unanswered that long.
		json.nodes.push({ id: randomUUID(), name: 'Hold', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [400, -150], webhookId: randomUUID(), parameters: { resume: 'timeInterval', amount: holdSeconds, unit: 'seconds' } });
		json.connections.Accepted = { main: [[{ node: 'Hold', type: 'main', index: 0 }]] };
		json.connections.Hold = { main: [[{ node: 'Gate', type: 'main', index: 0 }]] };
	} else {
		json.connections.Accepted = { main: [[{ node: 'Gate', type: 'main', index: 0 }]] };
	}
	return await activate(json);
}

test('a repeat of an event whose first delivery is still running gets 409, not "duplicate": that run can still fail and be forgotten', async () => {
	const failUntil = Date.now() + 25_000;
	const gated = await deployGated('lastNode', failUntil, 6);
	const body = event('booking_started');
	const first = post(gated.url, body);
	await eventually(async () => (await n8n.listExecutions({ workflowId: gated.id })).find((e) => e.status === 'running'), 20_000, 'the first delivery to be running');

	// A "duplicate" 202 here would tell the sender the event is done although its only run is about to fail.
	const repeat = await post(gated.url, body);
	expect({ status: repeat.status, body: repeat.data, retryAfter: repeat.headers['retry-after'] }).toEqual({
		status: 409,
		body: { error: 'in_progress', eventIds: [body.eventId], retry: true },
		retryAfter: '5',
	});
	const firstAnswer = await first;
	expect(firstAnswer.status).toBe(500);
	expect(Date.now()).toBeLessThan(failUntil); // it did fail at the gate
	expect((await n8n.listExecutions({ workflowId: gated.id })).map((e) => e.status)).toEqual(['error']);

	// The sender delivers again once the resort system is back: the event runs (nothing had acknowledged it).
	await sleep(Math.max(0, failUntil - Date.now()) + 500);
	const again = await post(gated.url, body);
	expect(again.status).toBe(202);
	const runs = await n8n.listExecutions({ workflowId: gated.id });
	expect(runs.map((e) => e.status).sort()).toEqual(['error', 'waiting']);
	// From now on it is a duplicate, and nothing runs it a third time.
	const late = await post(gated.url, body);
	expect({ status: late.status, body: late.data }).toEqual({ status: 202, body: { accepted: true, events: [{ eventId: body.eventId, duplicate: true }] } });
	await sleep(1500);
	expect(await n8n.listExecutions({ workflowId: gated.id })).toHaveLength(2);
	await n8n.deactivateWorkflow(gated.id);
});

test('Respond "When Last Node Finishes" answers once the run parked, and 500 when it failed, so the redelivery runs again', async () => {
	const failUntil = Date.now() + 12_000;
	const safe = await deployGated('lastNode', failUntil);
	const fast = await deployGated('onReceived', failUntil);
	const forSafe = event('booking_started');
	const forFast = event('booking_started');

	// The run fails at the gate. "Immediately" has already said 202; "When Last Node Finishes" says 500.
	const safeFirst = await post(safe.url, forSafe);
	expect({ status: safeFirst.status, body: safeFirst.data }).toEqual({ status: 500, body: { message: 'Error in workflow' } });
	const fastFirst = await post(fast.url, forFast);
	expect(fastFirst.status).toBe(202);
	expect(fastFirst.data).toEqual({ accepted: true, events: [{ eventId: forFast.eventId, duplicate: false, needsReview: false }] });
	expect(Date.now()).toBeLessThan(failUntil); // both first deliveries really met the failing gate
	await n8n.waitForExecutions(safe.id, 1, 30_000);
	await n8n.waitForExecutions(fast.id, 1, 30_000);

	// The platforms deliver again once the resort system is back.
	await sleep(Math.max(0, failUntil - Date.now()) + 500);
	const safeAgain = await post(safe.url, forSafe);
	// Answered only after the run reached the Wait and n8n stored it there.
	expect(safeAgain.status).toBe(202);
	expect(safeAgain.data).toBe('');
	const safeRuns = await n8n.listExecutions({ workflowId: safe.id });
	expect(safeRuns.map((e) => e.status).sort()).toEqual(['error', 'waiting']);
	const parked = safeRuns.find((e) => e.status === 'waiting');
	expect(N8nApi.nodeOutput(await n8n.getExecution(parked!.id), 'Gate', 0)).toEqual([expect.objectContaining({ eventId: forSafe.eventId })]);

	// "Immediately": the redelivery is a duplicate of an event n8n acknowledged, so nothing runs it again
	// (only journey-recovery's replay of the failed execution can).
	const fastAgain = await post(fast.url, forFast);
	expect(fastAgain.status).toBe(202);
	expect(fastAgain.data).toEqual({ accepted: true, events: [{ eventId: forFast.eventId, duplicate: true }] });
	expect((await n8n.listExecutions({ workflowId: fast.id })).map((e) => e.status)).toEqual(['error']);

	await n8n.deactivateWorkflow(safe.id);
	await n8n.deactivateWorkflow(fast.id);
});

test('valid events that cannot be acted on go to the review output with the reasons', async () => {
	const noConsent = event('booking_abandoned', { guest: { phone: OTHER_PHONE, name: 'Ana', language: 'pt', marketingConsent: false } });
	const noPhone = event('reservation_confirmed', { guest: { name: 'Ana', language: 'pt', marketingConsent: true } });
	const unknownRoom = event('checked_in', { stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: 2, children: 0, accommodationId: 'igloo-9' } });
	for (const body of [noConsent, noPhone, unknownRoom]) {
		const response = await post(signed.url, body);
		expect(response.status).toBe(202);
		expect(response.data.events[0]).toMatchObject({ eventId: body.eventId, needsReview: true });
	}
	await sleep(2000);
	const review = await allItems(signed.id, 'Review Queue');
	const reasons = Object.fromEntries(review.map((item) => [item.eventId, item.reviewReasons]));
	expect(reasons[noConsent.eventId as string]).toEqual(['no_marketing_consent']);
	expect(reasons[noPhone.eventId as string]).toEqual(['missing_phone']);
	expect(reasons[unknownRoom.eventId as string]).toEqual(['unknown_accommodation']);
});

test('secret-token mode accepts the token from the URL and refuses a wrong one', async () => {
	const tokenFlow = await deploy({ platform: 'generic', authentication: 'token', authHeaderName: 'X-Resort-Token', authQueryParameter: 'token' });
	const ok = await http.post(`${tokenFlow.url}?token=${token}`, event('checked_out'));
	expect(ok.status).toBe(202);
	const header = await http.post(tokenFlow.url, event('checked_out'), { headers: { 'x-resort-token': token } });
	expect(header.status).toBe(202);
	const wrong = await http.post(`${tokenFlow.url}?token=${token.slice(0, -1)}x`, event('checked_out'));
	expect(wrong.status).toBe(401);
	expect(wrong.data).toEqual({ error: 'unauthorized', reason: 'bad_token' });
	await n8n.waitForExecutions(tokenFlow.id, 2, 30_000);
	await n8n.deactivateWorkflow(tokenFlow.id);
});

test('Cloudbeds and Mews webhooks are mapped and, carrying only IDs, wait in review for enrichment', async () => {
	const cloudbeds = await deploy({ platform: 'cloudbeds', authentication: 'token', authHeaderName: 'X-Resort-Token', authQueryParameter: 'token' });
	const example = (file: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'templates/examples/booking', file), 'utf8'));
	const changed = await http.post(`${cloudbeds.url}?token=${token}`, example('cloudbeds-reservation-status-changed.json'));
	expect(changed.status).toBe(202);
	expect(changed.data.events[0]).toMatchObject({ needsReview: true, duplicate: false });
	expect(changed.data.events[0].missing).toEqual(expect.arrayContaining(['guest.phone', 'guest.name']));
	const [execution] = await n8n.waitForExecutions(cloudbeds.id, 1, 30_000);
	const [review] = N8nApi.nodeOutput(await n8n.getExecution(execution.id), 'Review Queue', 0);
	expect(review).toMatchObject({ type: 'reservation_cancelled', bookingId: '7061304407766', source: 'cloudbeds', platform: 'cloudbeds' });
	const again = await http.post(`${cloudbeds.url}?token=${token}`, example('cloudbeds-reservation-status-changed.json'));
	expect(again.data.events[0]).toMatchObject({ duplicate: true });

	const mews = await deploy({ platform: 'mews', authentication: 'token', authHeaderName: 'X-Resort-Token', authQueryParameter: 'token' });
	const envelope = await http.post(`${mews.url}?token=${token}`, example('mews-general-webhook.json'));
	expect(envelope.status).toBe(202);
	expect(envelope.data.events.length).toBeGreaterThan(0);
	for (const item of envelope.data.events) expect(item.needsReview).toBe(true);
	await n8n.deactivateWorkflow(cloudbeds.id);
	await n8n.deactivateWorkflow(mews.id);
});

test("no booking guest's phone is stored in plaintext in n8n's database or log", async () => {
	await sleep(1000);
	const files = [
		path.join(env.userFolder, '.n8n', 'database.sqlite'),
		path.join(env.userFolder, '.n8n', 'database.sqlite-wal'),
		path.join(env.userFolder, '.n8n', 'n8nEventLog.log'),
		env.logFile,
	];
	let searched = 0;
	let lookupKeyFound = false;
	for (const file of files) {
		let bytes: Buffer;
		try {
			bytes = readFileSync(file);
		} catch {
			continue;
		}
		searched += bytes.length;
		if (bytes.includes(storedLookupKey)) lookupKeyFound = true;
		for (const phone of [PHONE, OTHER_PHONE]) {
			expect({ file, found: bytes.includes(phone.slice(1)) }).toEqual({ file, found: false });
		}
	}
	expect(searched).toBeGreaterThan(100_000);
	expect(storedLookupKey).toMatch(/^[0-9a-f]{64}$/);
	expect(lookupKeyFound).toBe(true);
});
