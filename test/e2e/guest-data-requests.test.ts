/**
 * workflows/guest-data-requests.json in a real n8n: a header-authenticated webhook exports or
 * erases everything the resort tables hold for one guest, found by phone through the Guest
 * Privacy node's keyed lookup key, and nothing of any other guest.
 */
import { randomBytes, randomUUID } from 'crypto';

import { encryptPhone, phoneLookupKey } from '../../lib/privacy';
import { N8nApi, type WorkflowJson } from '../../scripts/n8n-runtime';
import {
	insertRows,
	provisionResortTables,
	rows,
	type DataTableRow,
} from '../../scripts/n8n-runtime/dataTables';
import { connect, loadWorkflow } from '../support/e2e';
import { plaintextOnPurpose } from '../support/guestPhones';

jest.setTimeout(120_000);

const { env, n8n } = connect();

const TABLES = ['resort_guests', 'resort_journeys', 'resort_review_queue', 'resort_correction_queue', 'resort_events'] as const;
type Table = (typeof TABLES)[number];

// Plaintext on purpose: a privacy request carries the number by design, and this test turns on
// saving the workflow's executions (the shipped workflow saves none) to count runs and read
// Identify Guest's output, so n8n's database keeps the request bodies. Left out of the e2e
// plaintext scan and listed in its summary.
const phone = () => plaintextOnPurpose('guest-data-requests: privacy request bodies, executions saved by the test only');
const A = phone();
let B = phone();
while (B === A) B = phone();

const keys = { encryptionKey: randomBytes(32).toString('hex'), lookupKey: randomBytes(32).toString('hex') };
const keyA = phoneLookupKey(A, keys.lookupKey);
const keyB = phoneLookupKey(B, keys.lookupKey);
const HEADER = 'X-Privacy-Token';
const token = randomBytes(24).toString('hex');
const suffix = randomBytes(4).toString('hex');

let tableIds: Record<string, string>;
let workflowId: string;
let url: string;

function rowsOf(table: Table, guestKey: string): Promise<DataTableRow[]> {
	return rows(n8n, tableIds[table], { filter: { filters: [{ columnName: 'guestKey', condition: 'eq', value: guestKey }] } });
}

async function request(body: unknown, headers: Record<string, string> = { [HEADER]: token }) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let json: Record<string, any> | undefined;
	try {
		json = JSON.parse(text) as Record<string, any>;
	} catch {
		json = undefined;
	}
	return { status: res.status, json, text };
}

async function finishedExecutions(): Promise<number> {
	const list = await n8n.listExecutions({ workflowId });
	return list.filter((e) => !['new', 'running', 'waiting'].includes(e.status)).length;
}

async function seed(guestKey: string, plain: string, label: string): Promise<void> {
	await insertRows(n8n, tableIds.resort_guests, [
		{ guestKey, language: 'es', lastIntent: 'romance', lastTags: 'romance', optedOut: false, automationPaused: false },
	]);
	await insertRows(n8n, tableIds.resort_journeys, [
		{ guestKey, bookingId: `bk-${label}-1-${suffix}`, phone: '+34•••••••00', phoneEncrypted: encryptPhone(plain, keys.encryptionKey), guestName: `Guest ${label}`, stage: 'abandoned' },
		{ guestKey, bookingId: `bk-${label}-2-${suffix}`, phone: '+34•••••••00', phoneEncrypted: encryptPhone(plain, keys.encryptionKey), guestName: `Guest ${label}`, stage: 'converted' },
	]);
	await insertRows(n8n, tableIds.resort_review_queue, [
		{ guestKey, bookingId: `bk-${label}-1-${suffix}`, reason: `review ${label}`, status: 'open', source: 'e2e' },
	]);
	await insertRows(n8n, tableIds.resort_correction_queue, [
		{ guestKey, bookingId: `bk-${label}-2-${suffix}`, step: 'booking_reminder_1', problems: 'stage:unknown_stage', status: 'open', source: 'e2e' },
	]);
	await insertRows(n8n, tableIds.resort_events, [
		{ type: 'stage_changed', at: new Date().toISOString(), guestKey, bookingId: `bk-${label}-1-${suffix}`, stage: 'booking_started', source: 'e2e' },
		{ type: 'message_sent', at: new Date().toISOString(), guestKey, bookingId: `bk-${label}-1-${suffix}`, template: 'booking_reminder_1', language: 'es', source: 'e2e' },
		{ type: 'conversion', at: new Date().toISOString(), guestKey, bookingId: `bk-${label}-2-${suffix}`, amount: 980, currency: 'EUR', source: 'e2e' },
	]);
}

beforeAll(async () => {
	tableIds = await provisionResortTables(n8n);

	const keysName = `Resort Guest Data (privacy ${suffix})`;
	const hookName = `Resort Privacy Requests (${suffix})`;
	const keysId = await n8n.createCredential('resortGuestDataApi', keysName, keys);
	const hookId = await n8n.createCredential('httpHeaderAuth', hookName, { name: HEADER, value: token });

	await seed(keyA, A, 'A');
	await seed(keyB, B, 'B');
	// A review row with no guestKey (e.g. an undelivered owner alert) must survive every erase.
	await insertRows(n8n, tableIds.resort_review_queue, [{ guestKey: '', reason: `unkeyed ${suffix}`, status: 'open' }]);

	const shipped = loadWorkflow('guest-data-requests.json');
	const path = `guest-data-${suffix}`;
	type NodeJson = WorkflowJson['nodes'][number] & { webhookId?: string; parameters?: Record<string, unknown> };
	const nodes = (shipped.nodes as NodeJson[]).map((node) => {
		const copy: NodeJson = JSON.parse(JSON.stringify(node));
		if (copy.webhookId) {
			copy.webhookId = randomUUID();
			copy.parameters = { ...copy.parameters, path };
		}
		if (copy.credentials?.httpHeaderAuth) copy.credentials.httpHeaderAuth = { id: hookId, name: hookName };
		if (copy.credentials?.resortGuestDataApi) copy.credentials.resortGuestDataApi = { id: keysId, name: keysName };
		return copy;
	});
	// The shipped workflow saves no executions (its webhook body holds the plaintext number);
	// here they are kept so the test can count them.
	const settings = { ...shipped.settings, saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' };
	workflowId = await n8n.createWorkflow({ ...shipped, nodes, settings } as WorkflowJson, {
		name: `e2e: guest data requests ${suffix}`,
	});
	await n8n.activateWorkflow(workflowId);
	url = `${env.n8nUrl}/webhook/${path}`;
});

afterAll(async () => {
	if (workflowId) await n8n.deactivateWorkflow(workflowId).catch(() => undefined);
});

test('the shipped workflow saves no executions and protects its webhook with header auth', () => {
	const shipped = loadWorkflow('guest-data-requests.json');
	expect(shipped.settings).toMatchObject({ saveDataSuccessExecution: 'none', saveDataErrorExecution: 'none' });
	const hook = (shipped.nodes as unknown as Array<{ type: string; parameters: Record<string, unknown>; credentials?: Record<string, { name: string }> }>).find(
		(n) => n.type === 'n8n-nodes-base.webhook',
	);
	expect(hook?.parameters).toMatchObject({ httpMethod: 'POST', path: 'guest-data', authentication: 'headerAuth' });
	expect(hook?.credentials?.httpHeaderAuth?.name).toBe('Resort Privacy Requests');
});

test('export returns exactly guest A rows, the masked number and the export time', async () => {
	const before = Date.now();
	const res = await request({ action: 'export', phone: A.replace('+', '') });
	expect(res.status).toBe(200);
	const doc = res.json!;
	expect(doc.action).toBe('export');
	expect(Date.parse(doc.exportedAt)).toBeGreaterThanOrEqual(before - 2_000);
	expect(doc.guest.phone).toMatch(/^\+15•+\d\d$/);
	expect(doc.guest.lookupKey).toBe(keyA);
	expect(res.text).not.toContain(A.slice(1));
	expect(res.text).not.toContain(keyB);

	const expected = {
		resort_guests: await rowsOf('resort_guests', keyA),
		resort_journeys: await rowsOf('resort_journeys', keyA),
		resort_review_queue: await rowsOf('resort_review_queue', keyA),
		resort_correction_queue: await rowsOf('resort_correction_queue', keyA),
		resort_events: await rowsOf('resort_events', keyA),
	};
	expect(expected.resort_guests).toHaveLength(1);
	expect(expected.resort_journeys).toHaveLength(2);
	expect(expected.resort_review_queue).toHaveLength(1);
	expect(expected.resort_correction_queue).toHaveLength(1);
	expect(expected.resort_events).toHaveLength(3);
	for (const table of TABLES) {
		const got = doc.tables[table] as DataTableRow[];
		expect(got.map((r) => r.id).sort()).toEqual(expected[table].map((r) => r.id).sort());
		for (const row of got) expect(row.guestKey).toBe(keyA);
	}
	expect(doc.tables.resort_journeys.map((r: DataTableRow) => r.guestName)).toEqual(['Guest A', 'Guest A']);

	// Identify Guest drops the input fields, so its output never holds the number.
	const [exec] = (await n8n.waitForExecutions(workflowId, 1)).slice(-1);
	const identified = N8nApi.nodeOutput(await n8n.getExecution(exec.id), 'Identify Guest');
	expect(identified).toEqual([{ lookupKey: keyA, masked: doc.guest.phone }]);
});

test('a request without the header, or with a wrong one, is refused and runs nothing', async () => {
	const executions = await finishedExecutions();
	expect(executions).toBeGreaterThan(0); // executions are saved, so a run would be counted
	const none = await request({ action: 'erase', phone: A }, {});
	expect([401, 403]).toContain(none.status);
	const wrong = await request({ action: 'erase', phone: A }, { [HEADER]: 'not-the-token' });
	expect([401, 403]).toContain(wrong.status);
	await new Promise((r) => setTimeout(r, 1_000));
	expect(await finishedExecutions()).toBe(executions);
	expect(await rowsOf('resort_guests', keyA)).toHaveLength(1);
});

test('a bad phone or action is a 400 and touches nothing', async () => {
	const badPhone = await request({ action: 'erase', phone: '12ab' });
	expect(badPhone.status).toBe(400);
	expect(badPhone.json?.error).toMatch(/Phone/);
	const noPhone = await request({ action: 'erase' });
	expect(noPhone.status).toBe(400);
	const badAction = await request({ action: 'delete-everything', phone: A });
	expect(badAction.status).toBe(400);
	expect(badAction.json?.error).toMatch(/export|erase/);
	expect(await rowsOf('resort_journeys', keyA)).toHaveLength(2);
});

test('erase deletes guest A rows in every table, reports the counts, and leaves guest B intact', async () => {
	const bBefore = await Promise.all(TABLES.map((t) => rowsOf(t, keyB)));
	const res = await request({ action: 'erase', phone: A });
	expect(res.status).toBe(200);
	expect(res.json).toMatchObject({
		action: 'erase',
		deleted: { resort_guests: 1, resort_journeys: 2, resort_review_queue: 1, resort_correction_queue: 1, resort_events: 3 },
	});
	expect(res.text).not.toContain(A.slice(1));

	for (const table of TABLES) expect(await rowsOf(table, keyA)).toEqual([]);
	const bAfter = await Promise.all(TABLES.map((t) => rowsOf(t, keyB)));
	expect(bAfter).toEqual(bBefore);
	expect(bAfter.map((r) => r.length)).toEqual([1, 2, 1, 1, 3]);
	const unkeyed = await rows(n8n, tableIds.resort_review_queue, {
		filter: { filters: [{ columnName: 'reason', condition: 'eq', value: `unkeyed ${suffix}` }] },
	});
	expect(unkeyed).toHaveLength(1);

	const again = await request({ action: 'erase', phone: A });
	expect(again.json?.deleted).toEqual({ resort_guests: 0, resort_journeys: 0, resort_review_queue: 0, resort_correction_queue: 0, resort_events: 0 });
});

test('export after erase is empty', async () => {
	const res = await request({ action: 'export', phone: A });
	expect(res.status).toBe(200);
	expect(res.json?.tables).toEqual({ resort_guests: [], resort_journeys: [], resort_review_queue: [], resort_correction_queue: [], resort_events: [] });
	const b = await request({ action: 'export', phone: B });
	expect(b.json?.tables.resort_journeys).toHaveLength(2);
});
