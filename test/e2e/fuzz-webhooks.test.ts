/**
 * Fuzzing both webhook endpoints in the real n8n: a seeded, reproducible stream of bad inputs
 * (broken JSON, wrong types at every field, huge and deeply nested bodies, unicode edge cases,
 * missing/forged/malformed/replayed signatures, wrong content types) plus a share of correctly
 * signed bodies. Asserts no 5xx, 401 for every request without a valid signature, no execution
 * started by one, and a healthy n8n afterwards.
 *
 * FUZZ_COUNT (default 1500 per endpoint) and FUZZ_SEED (default 20261125) reproduce a run.
 */
import http from 'http';
import { randomBytes, randomUUID } from 'crypto';

import { signBookingWebhook, signPayload } from '../../lib';
import { type N8nApi, type WorkflowJson } from '../../scripts/n8n-runtime';
import { connect, createTenant, sleep, type Tenant } from '../support/e2e';
import { registerGuestPhone } from '../support/guestPhones';
import {
	CONTENT_TYPES,
	allPaths,
	brokenJson,
	deepNest,
	escapedSurrogate,
	postRaw,
	rng,
	runPool,
	setPath,
	tally,
	unicodeString,
	wrongValue,
	type HttpResult,
	type Rng,
} from '../support/fuzz';

const COUNT = Number(process.env.FUZZ_COUNT ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CONCURRENCY = 16;
const BOOKING_MAX_KB = 64;
/** n8n's default N8N_PAYLOAD_SIZE_MAX (16 MiB): the WhatsApp trigger's limit. */
const N8N_PAYLOAD_MAX = 16 * 1024 * 1024;
const OVERSIZE_CASES = 3;

jest.setTimeout(Math.max(600_000, COUNT * 300));

const { env, n8n, fake } = connect();
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

type Auth = 'valid' | 'none' | 'forged' | 'malformed' | 'stale';

interface Case {
	index: number;
	kind: string;
	body: Buffer;
	auth: Auth;
	contentType?: string;
	oversize: boolean;
}

interface Outcome {
	c: Case;
	res: HttpResult;
	ms: number;
	json?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Case generation, shared by both endpoints

interface Endpoint {
	validEvent(r: Rng, index: number): Record<string, unknown>;
	/** Paths into a valid event where a huge string may go. */
	stringPaths: Array<Array<string | number>>;
	limitBytes: number;
}

const b = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function pickAuth(r: Rng, validShare: number): Auth {
	if (r.chance(validShare)) return 'valid';
	return r.pick(['none', 'forged', 'forged', 'malformed', 'malformed', 'stale'] as const);
}

function generateCases(seed: number, endpoint: Endpoint): Case[] {
	const r = rng(seed);
	const cases: Case[] = [];
	const validBodies: Buffer[] = [];
	const oversizeAt = new Set(Array.from({ length: OVERSIZE_CASES }, (_, k) => Math.floor(((k + 1) * COUNT) / (OVERSIZE_CASES + 1))));
	for (let index = 0; index < COUNT; index++) {
		const event = endpoint.validEvent(r, index);
		const valid = JSON.stringify(event);
		let kind: string;
		let body: Buffer;
		let validShare = 0.3;
		if (oversizeAt.has(index)) {
			const over = endpoint.limitBytes + r.int(1, Math.min(endpoint.limitBytes, 1024 * 1024));
			const filler = 'x'.repeat(over);
			kind = 'oversize';
			body = b({ ...event, metadata: { note: filler } });
			validShare = 0.7;
		} else {
			const roll = r.next();
			if (roll < 0.08) {
				kind = 'valid';
				body = Buffer.from(valid);
				validBodies.push(body);
				validShare = 0.6;
			} else if (roll < 0.1 && validBodies.length > 0) {
				kind = 'redelivery';
				body = r.pick(validBodies);
				validShare = 0.8;
			} else if (roll < 0.3) {
				const broken = brokenJson(r, valid);
				kind = `broken-json:${broken.kind}`;
				body = broken.body;
				validShare = 0.5;
			} else if (roll < 0.52) {
				const paths = allPaths(event);
				const path = r.pick(paths);
				kind = `wrong-type:${path.join('.')}`;
				body = b(setPath(event, path, wrongValue(r, pathValue(event, path))));
				validShare = 0.25;
			} else if (roll < 0.58) {
				// Huge string, under the limit.
				const present = endpoint.stringPaths.filter((p) => typeof pathValue(event, p) === 'string');
				const path = present.length ? r.pick(present) : ['note'];
				const size = r.int(1000, Math.min(endpoint.limitBytes - valid.length - 1024, 256 * 1024));
				kind = `huge-string:${path.join('.')}`;
				body = b(setPath(event, path, (r.chance(0.5) ? 'A' : r.pick(['😀', '\u200f', 'é'])).repeat(size / 4)));
				validShare = 0.3;
			} else if (roll < 0.64) {
				const maxDepth = Math.floor(Math.min(endpoint.limitBytes - valid.length - 1024, 200_000) / 6);
				const depth = r.pick([64, 512, 4096, maxDepth]);
				kind = `deep:${depth}`;
				const nested = deepNest(r, depth);
				body = r.chance(0.5)
					? Buffer.from(valid.replace(/}$/, `,"metadata":{"deep":${nested}}}`))
					: Buffer.from(nested);
				validShare = 0.3;
			} else if (roll < 0.76) {
				const paths = allPaths(event).filter((p) => typeof pathValue(event, p) === 'string');
				const path = r.pick(paths);
				if (r.chance(0.3)) {
					// Escaped surrogate halves written straight into the JSON text.
					kind = `unicode-escaped:${path.join('.')}`;
					const marker = `__${r.hex(6)}__`;
					body = Buffer.from(JSON.stringify(setPath(event, path, marker)).replace(marker, `a${escapedSurrogate(r)}b`));
				} else {
					kind = `unicode:${path.join('.')}`;
					body = b(setPath(event, path, unicodeString(r)));
				}
				validShare = 0.3;
			} else if (roll < 0.84) {
				kind = 'not-an-event';
				body = b(
					r.pick<unknown>([
						[],
						[event],
						0,
						'event',
						null,
						true,
						{},
						{ object: 'page', entry: [] },
						{ ...event, extra: 1 },
						{ type: 'unknown_type' },
						{ object: 'whatsapp_business_account', entry: {} },
					]),
				);
				validShare = 0.3;
			} else {
				kind = 'signature-only';
				body = Buffer.from(valid);
				validShare = 0;
			}
		}
		const contentType = r.chance(0.15) ? r.pick(CONTENT_TYPES) : 'application/json';
		cases.push({ index, kind, body, auth: pickAuth(r, validShare), contentType, oversize: body.length > endpoint.limitBytes });
	}
	return cases;
}

function pathValue(value: unknown, path: Array<string | number>): unknown {
	let node = value as Record<string | number, unknown>;
	for (const key of path) node = node?.[key] as Record<string | number, unknown>;
	return node;
}

/** Flips one hex digit of a signature: the closest possible forgery. */
function flip(hex: string, r: Rng): string {
	const at = r.int(0, hex.length - 1);
	const c = hex[at];
	const replacement = c === '0' ? '1' : '0';
	return hex.slice(0, at) + replacement + hex.slice(at + 1);
}

// ---------------------------------------------------------------------------------------------
// Running a stream and checking it

async function executionCount(api: N8nApi, workflowId: string): Promise<number> {
	const q = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '1' });
	const result = await api.request<{ count: number }>('GET', `/rest/executions?${q.toString()}`);
	return result.count;
}

async function settledCount(api: N8nApi, workflowId: string, expected: number): Promise<number> {
	// Under load n8n may still be saving executions: wait while the count keeps moving.
	let count = await executionCount(api, workflowId);
	let lastChange = Date.now();
	while (count < expected && Date.now() - lastChange < 60_000) {
		await sleep(1000);
		const now = await executionCount(api, workflowId);
		if (now !== count) lastChange = Date.now();
		count = now;
	}
	await sleep(2000); // anything unexpected has time to show up
	return await executionCount(api, workflowId);
}

const retries: number[] = [];

async function fire(url: string, cases: Case[], headersFor: (c: Case, r: Rng) => Record<string, string>, seed: number): Promise<Outcome[]> {
	return await runPool(cases, CONCURRENCY, async (c) => {
		const r = rng(seed * 7919 + c.index); // per-case, so signing is reproducible regardless of scheduling
		const headers = headersFor(c, r);
		if (c.contentType) headers['content-type'] = c.contentType;
		const sentAt = Date.now();
		let res = await postRaw(url, c.body, headers, agent);
		if (res.status === 0 && /socket hang up|ECONNRESET/.test(res.error ?? '')) {
			// A keep-alive socket the server closed while idle: resend once on a fresh one, and count it.
			retries.push(c.index);
			res = await postRaw(url, c.body, headers, agent);
		}
		const ms = Date.now() - sentAt;
		let json: Record<string, unknown> | undefined;
		try {
			json = JSON.parse(res.text) as Record<string, unknown>;
		} catch {
			json = undefined;
		}
		return { c, res, ms, json };
	});
}

function describeCase(o: Outcome) {
	return {
		index: o.c.index,
		kind: o.c.kind,
		auth: o.c.auth,
		contentType: o.c.contentType,
		bytes: o.c.body.length,
		bodyHead: o.c.body.subarray(0, 300).toString('latin1'),
		status: o.res.status,
		response: o.res.text.slice(0, 500),
		error: o.res.error,
	};
}

function summarize(name: string, outcomes: Outcome[], ms: number, executions: { before: number; after: number; expected: number; signedValid: number }) {
	const byStatus = tally(outcomes.map((o) => o.res.status));
	const byAuthStatus = tally(outcomes.map((o) => `${o.c.auth} -> ${o.res.status}`));
	const byKind = tally(outcomes.map((o) => `${o.c.kind.split(':')[0]} -> ${o.res.status}`));
	const slow: Record<string, { n: number; ms: number; max: number }> = {};
	for (const o of outcomes) {
		const k = o.c.kind.split(':')[0];
		const s = (slow[k] ??= { n: 0, ms: 0, max: 0 });
		s.n += 1;
		s.ms += o.ms;
		s.max = Math.max(s.max, o.ms);
	}
	const latency = Object.entries(slow).map(([k, s]) => `${k} avg ${Math.round(s.ms / s.n)} ms max ${s.max} ms`).join('; ');
	console.log(
		`[fuzz ${name}] seed=${SEED} requests=${outcomes.length} in ${(ms / 1000).toFixed(1)} s\n` +
			`  by status: ${JSON.stringify(byStatus)}\n` +
			`  by auth:   ${JSON.stringify(byAuthStatus)}\n` +
			`  by kind:   ${JSON.stringify(byKind)}\n` +
			`  executions: +${executions.after - executions.before} (expected ${executions.expected}; correctly signed requests ${executions.signedValid})\n` +
			`  latency:   ${latency}\n` +
			`  keep-alive resends so far: ${retries.length}`,
	);
}

/** The checks both endpoints share. */
function commonChecks(outcomes: Outcome[]) {
	const serverErrors = outcomes.filter((o) => o.res.status >= 500).map(describeCase);
	expect(serverErrors).toEqual([]);
	const transportErrors = outcomes.filter((o) => o.res.status === 0).map(describeCase);
	expect(transportErrors).toEqual([]);
	// Oversize: 413 whoever sent it (the size check comes before authentication).
	const oversizeWrong = outcomes.filter((o) => o.c.oversize && o.res.status !== 413).map(describeCase);
	expect(oversizeWrong).toEqual([]);
	// Every forged, unsigned, malformed or replayed request within the size limit: 401.
	const notRefused = outcomes.filter((o) => !o.c.oversize && o.c.auth !== 'valid' && o.res.status !== 401).map(describeCase);
	expect(notRefused).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

let tenant: Tenant;
const cleanup: string[] = [];

afterAll(async () => {
	for (const id of cleanup) await n8n.deactivateWorkflow(id).catch(() => undefined);
	agent.destroy();
});

function noOpWorkflow(name: string, trigger: Record<string, unknown>, outputs: number): WorkflowJson {
	const sinks = Array.from({ length: outputs }, (_, i) => ({
		id: randomUUID(),
		name: `Out ${i}`,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [300, i * 150],
		parameters: {},
	}));
	return {
		name: `${name} ${randomBytes(3).toString('hex')}`,
		nodes: [trigger, ...sinks] as WorkflowJson['nodes'],
		connections: {
			[String(trigger.name)]: { main: sinks.map((s) => [{ node: s.name, type: 'main', index: 0 }]) },
		},
		settings: { executionOrder: 'v1' },
	};
}

test(`Resort WhatsApp Trigger survives ${COUNT} fuzzed webhooks`, async () => {
	tenant = await createTenant(n8n, fake, 'fuzz');
	// Guest numbers leave the trigger encrypted (the teardown scans n8n's files for every one of them).
	const keysName = `Resort Guest Data fuzz wa ${randomBytes(3).toString('hex')}`;
	const keysId = await n8n.createCredential('resortGuestDataApi', keysName, {
		encryptionKey: randomBytes(32).toString('hex'),
		lookupKey: randomBytes(32).toString('hex'),
	});
	const webhookId = randomUUID();
	const workflow = noOpWorkflow(
		'e2e fuzz whatsapp',
		{
			id: randomUUID(),
			name: 'Guest Writes',
			type: 'n8n-nodes-resort-whatsapp.resortWhatsAppTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			parameters: { events: ['message'], registerWebhook: false },
			credentials: {
				resortWhatsAppApi: { id: tenant.credentialId, name: tenant.credentialName },
				resortGuestDataApi: { id: keysId, name: keysName },
			},
		},
		1,
	);
	const workflowId = await n8n.createWorkflow(workflow);
	await n8n.activateWorkflow(workflowId);
	cleanup.push(workflowId);
	const url = `${env.n8nUrl}/webhook/${webhookId}/webhook`;

	const endpoint: Endpoint = {
		limitBytes: N8N_PAYLOAD_MAX,
		stringPaths: [
			['entry', 0, 'changes', 0, 'value', 'messages', 0, 'text', 'body'],
			['entry', 0, 'changes', 0, 'value', 'contacts', 0, 'profile', 'name'],
			['entry', 0, 'changes', 0, 'value', 'messages', 0, 'id'],
		],
		validEvent: (r, index) => {
			const from = registerGuestPhone(`346${String(r.int(10_000_000, 99_999_999))}`);
			const wamid = `wamid.FUZZ${SEED}.${index}.${r.hex(8)}`;
			const value: Record<string, unknown> = {
				messaging_product: 'whatsapp',
				metadata: { display_phone_number: '15550001111', phone_number_id: tenant.phoneNumberId },
			};
			if (r.chance(0.8)) {
				value.contacts = [{ profile: { name: r.pick(['Ana', 'Lucía', 'Omar']) }, wa_id: from }];
				value.messages = [{ from, id: wamid, timestamp: String(1_760_000_000 + index), type: 'text', text: { body: 'Hola, ¿hay villas libres?' } }];
			} else {
				value.statuses = [{ id: wamid, status: r.pick(['sent', 'delivered', 'read']), timestamp: String(1_760_000_000 + index), recipient_id: from }];
			}
			return { object: 'whatsapp_business_account', entry: [{ id: tenant.wabaId, changes: [{ field: 'messages', value }] }] };
		},
	};
	const cases = generateCases(SEED, endpoint);
	const headersFor = (c: Case, r: Rng): Record<string, string> => {
		const good = signPayload(c.body, tenant.appSecret);
		switch (c.auth) {
			case 'valid':
				return { 'x-hub-signature-256': good };
			case 'none':
				return r.chance(0.5) ? {} : { 'x-hub-signature': `sha1=${r.hex(20)}` };
			case 'forged':
				return {
					'x-hub-signature-256': r.pick([
						signPayload(c.body, randomBytes(16).toString('hex')),
						signPayload(c.body, ''.padEnd(32, '0')),
						`sha256=${flip(good.slice(7), r)}`,
						signPayload(Buffer.concat([c.body, Buffer.from(' ')]), tenant.appSecret),
						// (Of a shorter body; an empty body has none, so a wrong secret instead.)
						c.body.length > 0
							? signPayload(c.body.subarray(0, c.body.length - 1), tenant.appSecret)
							: signPayload(c.body, `${tenant.appSecret}x`),
					]),
				};
			case 'malformed':
				return {
					'x-hub-signature-256': r.pick([
						'',
						' ',
						'sha256=',
						good.slice(7),
						`SHA256=${good.slice(7)}`,
						`sha1=${good.slice(7)}`,
						`sha256=${good.slice(7, 70)}`,
						`sha256=${good.slice(7)}00`,
						`${good},${good}`,
						`sha256=${'z'.repeat(64)}`,
						`sha256=${good.slice(7).slice(0, 62)}`,
						'sha256=\tdeadbeef',
						`t=1,v1=${good.slice(7)}`,
						'x'.repeat(3000),
					]),
				};
			case 'stale':
				// No timestamp in Meta's scheme: a valid signature of some *other* body.
				return { 'x-hub-signature-256': signPayload(Buffer.from(JSON.stringify({ replay: r.hex(4) })), tenant.appSecret) };
		}
	};

	const before = await executionCount(n8n, workflowId);
	const started = Date.now();
	const outcomes = await fire(url, cases, headersFor, SEED);
	const ms = Date.now() - started;

	// Only a 200 that accepted an event may run the workflow.
	const expected = outcomes.filter((o) => o.res.status === 200 && Number(o.json?.accepted ?? 0) > 0).length;
	const signedValid = outcomes.filter((o) => o.c.auth === 'valid').length;
	const after = await settledCount(n8n, workflowId, before + expected);
	summarize('whatsapp', outcomes, ms, { before, after, expected, signedValid });

	commonChecks(outcomes);
	const acceptedWithoutSignature = outcomes.filter((o) => o.c.auth !== 'valid' && o.res.status < 400).map(describeCase);
	expect(acceptedWithoutSignature).toEqual([]);
	const allowedStatuses = outcomes.filter((o) => ![200, 400, 401, 413].includes(o.res.status)).map(describeCase);
	expect(allowedStatuses).toEqual([]);
	expect(after - before).toBe(expected);
	expect(expected).toBeLessThanOrEqual(signedValid);
	expect(expected).toBeGreaterThan(0); // the stream did exercise the accepting path

	const health = await postHealth();
	expect(health).toBe(200);
});

test(`Booking Event Trigger survives ${COUNT} fuzzed webhooks`, async () => {
	const secret = randomBytes(24).toString('hex');
	const credentialName = `Resort Booking Webhook fuzz ${randomBytes(3).toString('hex')}`;
	const credentialId = await n8n.createCredential('resortBookingWebhookApi', credentialName, { signingSecret: secret, token: randomBytes(24).toString('hex') });
	const keysName = `Resort Guest Data fuzz ${randomBytes(3).toString('hex')}`;
	const keysId = await n8n.createCredential('resortGuestDataApi', keysName, {
		encryptionKey: randomBytes(32).toString('hex'),
		lookupKey: randomBytes(32).toString('hex'),
	});
	const webhookId = randomUUID();
	const workflow = noOpWorkflow(
		'e2e fuzz booking',
		{
			id: randomUUID(),
			name: 'Booking Event',
			type: 'n8n-nodes-resort-whatsapp.bookingEventTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			parameters: { platform: 'generic', authentication: 'signature', maxBodyKb: BOOKING_MAX_KB, knownAccommodationIds: 'family-suite, villa-mar' },
			credentials: { resortBookingWebhookApi: { id: credentialId, name: credentialName }, resortGuestDataApi: { id: keysId, name: keysName } },
		},
		3,
	);
	const workflowId = await n8n.createWorkflow(workflow);
	await n8n.activateWorkflow(workflowId);
	cleanup.push(workflowId);
	const url = `${env.n8nUrl}/webhook/${webhookId}/booking`;

	const endpoint: Endpoint = {
		limitBytes: BOOKING_MAX_KB * 1024,
		stringPaths: [['guest', 'name'], ['bookingId'], ['eventId'], ['metadata', 'note'], ['source']],
		validEvent: (r, index) => {
			const type = r.pick(['booking_started', 'booking_abandoned', 'reservation_confirmed', 'reservation_cancelled', 'checked_in', 'checked_out'] as const);
			const event: Record<string, unknown> = {
				eventId: `evt-fuzz-${SEED}-${index}-${r.hex(4)}`,
				type,
				occurredAt: '2026-07-01T10:00:00+02:00',
				bookingId: `bk-${r.hex(4)}`,
				guest: { phone: registerGuestPhone(`+3467${r.int(1_000_000, 9_999_999)}`), name: 'Lucía Fernández', language: r.pick(['es', 'en', 'pt-BR']), marketingConsent: r.chance(0.8), timeZone: 'Europe/Madrid' },
				stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: r.int(1, 4), children: r.int(0, 3), accommodationId: r.pick(['family-suite', 'villa-mar']) },
				source: 'direct',
				metadata: { note: 'fuzz', n: index },
			};
			if (type === 'reservation_confirmed') event.amount = { value: r.int(100, 5000), currency: 'EUR' };
			if (r.chance(0.3)) event.bookingUrl = 'https://book.example/r/1';
			return event;
		},
	};
	const cases = generateCases(SEED + 1, endpoint);
	const headersFor = (c: Case, r: Rng): Record<string, string> => {
		const now = Date.now() / 1000;
		const t = Math.floor(now);
		const good = signBookingWebhook(c.body, secret, now);
		const goodHex = good.slice(good.indexOf('v1=') + 3);
		switch (c.auth) {
			case 'valid':
				return { 'x-resort-signature': good };
			case 'none':
				return r.pick<Record<string, string>>([{}, { 'x-resort-token': secret }, { 'x-hub-signature-256': signPayload(c.body, secret) }, { authorization: `Bearer ${secret}` }]);
			case 'forged':
				return {
					'x-resort-signature': r.pick([
						signBookingWebhook(c.body, randomBytes(24).toString('hex'), now),
						`t=${t},v1=${flip(goodHex, r)}`,
						signBookingWebhook(Buffer.concat([c.body, Buffer.from('\n')]), secret, now),
						`t=${t + 1},v1=${goodHex}`,
						`t=${t},v1=${'0'.repeat(64)},v0=${goodHex}`,
					]),
				};
			case 'malformed':
				return {
					'x-resort-signature': r.pick([
						'',
						' ',
						'garbage',
						goodHex,
						`v1=${goodHex}`,
						`t=${t}`,
						`t=abc,v1=${goodHex}`,
						`t=${t},t=${t},v1=${goodHex}`,
						`t=${t},v1=${goodHex.slice(2)}`,
						`t=${t},v1=${goodHex}zz`,
						`sha256=${goodHex}`,
						`t=-${t},v1=${goodHex}`,
						`t=${t}.5,v1=${goodHex}`,
						`t=1e9,v1=${goodHex}`,
						`=,=,=`,
						`t=${t},,v1=${goodHex}`,
						`t=${'9'.repeat(13)},v1=${goodHex}`,
						'x'.repeat(3000),
					]),
				};
			case 'stale': {
				// Correctly signed, but outside the 300 s window (past or future).
				// (Future skews keep a margin: the window is symmetric and the request arrives later.)
				const at = r.chance(0.75) ? Math.max(0, t - r.pick([301, 302, 600, 3600, 86_400 * 365, t])) : t + r.pick([360, 3600, 86_400 * 365]);
				return { 'x-resort-signature': signBookingWebhook(c.body, secret, at) };
			}
		}
	};

	const before = await executionCount(n8n, workflowId);
	const started = Date.now();
	const outcomes = await fire(url, cases, headersFor, SEED + 1);
	const ms = Date.now() - started;

	// A fresh accepted event and a signed-but-invalid event (Rejected output) each run the workflow once.
	const fresh = outcomes.filter(
		(o) => o.res.status === 202 && Array.isArray(o.json?.events) && (o.json?.events as Array<{ duplicate?: boolean }>).some((e) => e.duplicate === false),
	).length;
	const rejected = outcomes.filter((o) => o.res.status === 422).length;
	const expected = fresh + rejected;
	const signedValid = outcomes.filter((o) => o.c.auth === 'valid').length;
	const after = await settledCount(n8n, workflowId, before + expected);
	summarize('booking', outcomes, ms, { before, after, expected, signedValid });

	commonChecks(outcomes);
	const reasons = tally(outcomes.filter((o) => o.res.status === 401).map((o) => `${o.c.auth} -> ${String(o.json?.reason)}`));
	console.log(`[fuzz booking] 401 reasons: ${JSON.stringify(reasons)}`);
	const staleWrongReason = outcomes.filter((o) => o.c.auth === 'stale' && !o.c.oversize && o.json?.reason !== 'stale_timestamp').map(describeCase);
	expect(staleWrongReason).toEqual([]);
	const acceptedWithoutSignature = outcomes.filter((o) => o.c.auth !== 'valid' && (o.res.status < 400 || o.res.status === 422)).map(describeCase);
	expect(acceptedWithoutSignature).toEqual([]);
	// 409: a signed valid event whose eventId (mutated, so shared by two cases) was still unanswered
	// in another request; it runs nothing and is delivered again by a real sender.
	const allowedStatuses = outcomes.filter((o) => ![202, 400, 401, 409, 413, 422].includes(o.res.status)).map(describeCase);
	expect(allowedStatuses).toEqual([]);
	const wrongConflicts = outcomes.filter((o) => o.res.status === 409 && (o.c.auth !== 'valid' || o.json?.error !== 'in_progress')).map(describeCase);
	expect(wrongConflicts).toEqual([]);
	expect(after - before).toBe(expected);
	expect(expected).toBeLessThanOrEqual(signedValid);
	expect(fresh).toBeGreaterThan(0);
	expect(rejected).toBeGreaterThan(0);

	expect(await postHealth()).toBe(200);
});

async function postHealth(): Promise<number> {
	return await new Promise<number>((resolve) => {
		http
			.get(`${env.n8nUrl}/healthz`, { agent }, (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			})
			.on('error', () => resolve(0));
	});
}
